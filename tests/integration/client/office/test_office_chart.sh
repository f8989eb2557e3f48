#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_chart: kassa-office report ... --svg FILE --html FILE as an
# analyst reads the charts, in English and in Chinese. Two stores of their
# own get hand-made pre-aggregated days and hours (June 2021); then the
# daily sales of store A (a line of 14 points, 100.00 .. 700.00 a day, so
# the axis runs 0.00 .. 800.00 by 200.00), the sales by store (a bar per
# store: 5,600.00 and 350.00) and the sales by hour of A (bars labelled
# 09:00 .. 21:00) are drawn. Each SVG parses with python3's xml.etree,
# refers to nothing outside (no href, url(), script; the only "http" is
# the SVG namespace name), and the Chinese one holds its Chinese title.
# Each HTML page parses, is utf-8, holds the SVG inline and the table, and
# nothing external. Headless Chromium renders an English and a Chinese
# chart and the Chinese page to PNGs that are not blank (the PNGs are
# decoded here with zlib: some pixels dark, some in the series' blue).
# Needs KASSA_TEST_ENV, KASSA_TILL (kassa-office next to it) and chromium
# (scripts/deps.sh installs it, with fonts-noto-cjk for the Chinese).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"
CHROMIUM=${KASSA_CHROMIUM:-chromium}

run=$$$(date +%s)
a="CA$run"
b="CB$run"

# ---- the aggregates: store A 14 days (100.00 .. 700.00 a day), B 7 days of 50.00 ----
sql "
INSERT INTO stores (code, name, timezone) VALUES ('$a', '上海南京路店', 'Asia/Shanghai'),
	('$b', '北京王府井店', 'Asia/Shanghai');
INSERT INTO agg_sales_day (store_id, day, sales, items, gross_minor, total_minor, member_sales,
	member_total_minor, refunds, refund_minor)
SELECT s.store_id, DATE '2021-06-01' + d, 10, 20, 10000 * (1 + d % 7), 10000 * (1 + d % 7), 5,
	5000, 0, 0 FROM stores s, generate_series(0, 13) d WHERE s.code = '$a';
INSERT INTO agg_sales_day (store_id, day, sales, items, gross_minor, total_minor, member_sales,
	member_total_minor, refunds, refund_minor)
SELECT s.store_id, DATE '2021-06-01' + d, 1, 1, 5000, 5000, 0, 0, 0, 0
FROM stores s, generate_series(0, 6) d WHERE s.code = '$b';
INSERT INTO agg_sales_hour (store_id, day, hour, sales, total_minor, member_sales)
SELECT s.store_id, DATE '2021-06-01', h, h, 1000 * h, 0
FROM stores s, generate_series(9, 21) h WHERE s.code = '$a';" >/dev/null
sa=$(sql "SELECT store_id FROM stores WHERE code = '$a'")
check "the fixture stores exist" $([ -n "$sa" ]; echo $?)
range="from=2021-06-01 to=2021-06-14"

# ---- the charts, in English and in Chinese ----------------------------------------

analyst --lang en --svg "$tmp/daily_en.svg" --html "$tmp/daily_en.html" --output "$tmp/daily_en.txt" \
	report sales_daily $range store="$sa" >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out" | head -n 5
check "report sales_daily --svg --html exits 0" $([ $rc = 0 ]; echo $?)
analyst --lang zh_CN --svg "$tmp/daily_zh.svg" --html "$tmp/daily_zh.html" --output /dev/null \
	report sales_daily $range store="$sa" >/dev/null 2>&1
check "... in Chinese too" $([ $? = 0 ]; echo $?)
analyst --lang zh_CN --svg "$tmp/stores_zh.svg" --output /dev/null report sales_by_store $range \
	>/dev/null 2>&1
check "report sales_by_store --svg exits 0" $([ $? = 0 ]; echo $?)
analyst --lang en --svg "$tmp/hours_en.svg" --output /dev/null report sales_hourly \
	from=2021-06-01 to=2021-06-01 store="$sa" >/dev/null 2>&1
check "report sales_hourly --svg exits 0" $([ $? = 0 ]; echo $?)
analyst --svg "$tmp/x.svg" --output /dev/null report sales_daily $range store="$sa" y=store \
	>/dev/null 2>&1
check "y= naming a text column is a usage error: exit 2" $([ $? = 2 ]; echo $?)
analyst --svg "$tmp/items.svg" --output /dev/null report sales_daily $range store="$sa" \
	y=sales >/dev/null 2>&1
check "y=sales draws the count instead" $([ $? = 0 ] && grep -q '>10<' "$tmp/items.svg"; echo $?)

# svgcheck.py FILE [want...]: well-formed, self-contained; prints facts to grep
cat >"$tmp/svgcheck.py" <<'EOF'
import re, sys
import xml.etree.ElementTree as ET
path = sys.argv[1]
text = open(path, encoding='utf-8').read()
root = ET.fromstring(text.encode('utf-8'))
ns = '{http://www.w3.org/2000/svg}'
assert root.tag == ns + 'svg', root.tag
assert '<script' not in text and 'href' not in text and 'url(' not in text, 'external'
assert text.count('http') == 1 and 'xmlns="http://www.w3.org/2000/svg"' in text, 'http'
texts = [t.text or '' for t in root.iter(ns + 'text')]
pts = [p.get('points') for p in root.iter(ns + 'polyline')]
rects = [r for r in root.iter(ns + 'rect')]
print('points', len(pts[0].split()) if pts else 0)
print('bars', len(rects) - 1)
print('cjk', 1 if re.search('[\u4e00-\u9fff]', ' '.join(texts)) else 0)
for t in texts:
    print('text', t)
for r in rects[1:]:
    title = r.find(ns + 'title')
    print('bar', title.text if title is not None else '')
EOF
python3 "$tmp/svgcheck.py" "$tmp/daily_en.svg" >"$tmp/en.facts" 2>&1
check "daily_en.svg: well-formed, self-contained" $([ $? = 0 ]; echo $?)
check "... a line of 14 points" $(grep -qx 'points 14' "$tmp/en.facts"; echo $?)
check "... the axis 0.00 .. 800.00 by 200.00" $(grep -qx 'text 800.00' "$tmp/en.facts" &&
	grep -qx 'text 200.00' "$tmp/en.facts" && grep -qx 'text 0.00' "$tmp/en.facts" &&
	! grep -qx 'text 1,000.00' "$tmp/en.facts"; echo $?)
check "... the first and the last day labelled" $(grep -qx 'text 2021-06-01' "$tmp/en.facts" &&
	grep -qx 'text 2021-06-14' "$tmp/en.facts"; echo $?)
check "... no Chinese in the English chart" $(grep -qx 'cjk 0' "$tmp/en.facts"; echo $?)
python3 "$tmp/svgcheck.py" "$tmp/daily_zh.svg" >"$tmp/zh.facts" 2>&1
check "daily_zh.svg: well-formed, self-contained, Chinese texts" $([ $? = 0 ] &&
	grep -qx 'cjk 1' "$tmp/zh.facts"; echo $?)
check "... the CJK font first in the family" $(grep -qF "font-family=\"'Noto Sans CJK SC'" \
	"$tmp/daily_zh.svg"; echo $?)
python3 "$tmp/svgcheck.py" "$tmp/stores_zh.svg" >"$tmp/st.facts" 2>&1
check "stores_zh.svg: a bar per store, 5,600.00 and 350.00" $([ $? = 0 ] &&
	grep -qx 'bars 2' "$tmp/st.facts" && grep -qx "bar $a: 5,600.00" "$tmp/st.facts" &&
	grep -qx "bar $b: 350.00" "$tmp/st.facts"; echo $?)
python3 "$tmp/svgcheck.py" "$tmp/hours_en.svg" >"$tmp/h.facts" 2>&1
check "hours_en.svg: 13 bars labelled 09:00 .. 21:00" $([ $? = 0 ] &&
	grep -qx 'bars 13' "$tmp/h.facts" && grep -qx 'text 09:00' "$tmp/h.facts" &&
	grep -qx 'bar 21:00: 210.00' "$tmp/h.facts"; echo $?)

# ---- the HTML page ----------------------------------------------------------------------

python3 - "$tmp/daily_zh.html" <<'EOF'
import sys
from html.parser import HTMLParser
text = open(sys.argv[1], encoding='utf-8').read()
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.rows, self.charset = [], 0, None
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        assert 'src' not in a and 'href' not in a, (tag, a)
        if tag == 'meta':
            self.charset = a.get('charset')
        if tag == 'tr':
            self.rows += 1
p = P()
p.feed(text)
assert p.charset == 'utf-8', p.charset
assert 'svg' in p.tags and 'table' in p.tags and 'script' not in p.tags and 'link' not in p.tags
assert 'http' not in text, 'an inline SVG needs no namespace, and nothing is fetched'
assert p.rows == 15, p.rows
assert '<html lang="zh-CN">' in text
EOF
check "daily_zh.html: utf-8, the SVG inline, 14 rows of table, nothing external" \
	$([ $? = 0 ]; echo $?)

# ---- rendered by headless Chromium ----------------------------------------------------

cat >"$tmp/png.py" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
dark = blue = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(w):
        r, g, bl = line[x * bpp:x * bpp + 3]
        if r + g + bl < 300:
            dark += 1
        if bl > 120 and r < 120 and bl - r > 50:
            blue += 1
    prev = line
print(w, h, dark, blue)
assert dark > 200, 'no text or axes drawn'
assert blue > 100, 'no series drawn'
EOF

render() {	# render FILE PNG
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$tmp/chromium" --screenshot="$2" --window-size=800,600 \
		"file://$1" >/dev/null 2>&1
}
command -v "$CHROMIUM" >/dev/null
check "chromium is installed (scripts/deps.sh)" $([ $? = 0 ]; echo $?)
for f in daily_en.svg daily_zh.svg stores_zh.svg daily_zh.html; do
	render "$tmp/$f" "$tmp/$f.png"
	out=$(python3 "$tmp/png.py" "$tmp/$f.png" 2>&1)
	rc=$?
	echo "# $f: $out" | tail -n 1
	check "Chromium renders $f: not blank, the series drawn" $([ $rc = 0 ]; echo $?)
done
fc-list :lang=zh family | grep -q .
check "a Chinese font is installed for Chromium (fonts-noto-cjk)" $([ $? = 0 ]; echo $?)
# KASSA_CHART_PNG_DIR=DIR keeps the charts and their renderings (docs/img/report-chart.png)
[ -n "${KASSA_CHART_PNG_DIR:-}" ] && cp "$tmp"/*.png "$tmp"/*.svg "$tmp"/*.html "$KASSA_CHART_PNG_DIR"/ 2>/dev/null

summary

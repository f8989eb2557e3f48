#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_dashboard: the head-office dashboard on kassad's HTTPS admin port
# ([admin] dashboard_listen). Every figure is checked against hand-computed
# numbers, so it runs a second kassad over a database of its own
# (kassa_dashboard_test in the fixture's PostgreSQL, migrated, filled with
# dashboard_fixture.sql, whose header has the arithmetic; the analytics job is
# off there, [analytics] interval = 0, so that it keeps the fixture's aggregates):
#   (a) curl with the office certificate gets 200 and the page's rows hold the
#       expected figures (each store's own business day, refunds, member share,
#       points liability at the rule set's rate, tiers in the rule set's order,
#       the at-risk top 20 with masked phones), every value HTML-escaped, in
#       English or Chinese (?lang=, Accept-Language); no script and no external
#       resource; HEAD; a till's or an inactive office till's certificate gets
#       403; no, a revoked or a rogue certificate fails the TLS handshake; POST
#       and PUT get 405; an unknown path 404; an oversized header is refused and
#       kassad goes on serving; an idle connection is closed; one certificate
#       has at most HTTPS_MAX_PER_CLIENT (8) connections served, its ninth gets
#       503 (a page saying why) while another certificate is served; at most
#       HTTPS_MAX_CONNECTIONS (64) are served at once (eight certificates,
#       three of them made here), the next waits until one closes; kassad shuts
#       down cleanly. The fixture's own kassad serves its dashboard too (office
#       200, till 403).
#   (b) headless Chromium (Debian's chromium) loads the page presenting the
#       office certificate (an NSS database in a temporary $HOME trusting the
#       test CA, and the profile's auto-select-certificate setting for the
#       page's origin: no system policy file, no proxy), dumps the DOM (store
#       names, figures, the Chinese headings) and takes screenshots in English
#       and Chinese into $KASSA_SCREENSHOT_DIR (dashboard-en.png, dashboard-zh_CN.png),
#       which must not be blank.
#   (c) the same kassad with [admin] dashboard_request_timeout = 3 under a hard limit
#       of 256 descriptors: max_sessions keeps the dashboard's 64 connections aside;
#       a client trickling header bytes a second apart (inside the 10 s a read may
#       stall) is cut off 3 s after it connected, and a kept-alive one 3 s after its
#       answer.
# Needs KASSA_TEST_ENV (scripts/test-env.sh), curl, python3, chromium, certutil and
# pk12util (libnss3-tools).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
C=$KASSA_CERTS
SHOTS=${KASSA_SCREENSHOT_DIR:-$tmp/shots}
DB=kassa_dashboard_test
CONNINFO=${KASSA_CONNINFO/dbname=kassa /dbname=$DB }
mkdir -p "$SHOTS"

sql() { psql "$CONNINFO" -X -Atc "$1"; }
# get CERT URL [CURL ARGS...]: curl with that certificate (NONE: none); prints what -w asks
get() {
	local cert=$1 url=$2
	shift 2
	if [ "$cert" = NONE ]; then
		curl -sS --max-time 20 --cacert "$C/ca.crt" "$@" "$url"
	else
		curl -sS --max-time 20 --cacert "$C/ca.crt" --cert "$C/$cert.crt" \
			--key "$C/$cert.key" "$@" "$url"
	fi
}
# has FILE TEXT: the file holds TEXT (fixed string)
has() { grep -qF -- "$2" "$1"; }

# ---- the fixture's own kassad serves the dashboard too ----
U0=https://127.0.0.1:$KASSA_DASHBOARD_PORT/
check "the test environment's kassad serves an office certificate" \
	$([ "$(get HQ-OFFICE-1 "$U0" -o /dev/null -w '%{http_code}')" = 200 ]; echo $?)
check "and refuses a till's with 403" \
	$([ "$(get S001-T1 "$U0" -o /dev/null -w '%{http_code}')" = 403 ]; echo $?)

# ---- a kassad of its own over the fixed data ----
psql "$KASSA_CONNINFO" -X -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" ||
	{ echo "could not create $DB"; exit 1; }
KASSA_DATABASE_CONNINFO=$CONNINFO "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" \
	>"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; exit 1; }
psql "$CONNINFO" -X -q -v ON_ERROR_STOP=1 -f "$HERE/dashboard_fixture.sql" >"$tmp/fixture.log" 2>&1 ||
	{ cat "$tmp/fixture.log"; exit 1; }
port=$(free_port)
dport=$(free_port)
while [ "$dport" = "$port" ]; do dport=$(free_port); done
# the analytics job would rebuild today's aggregates from the (absent) sales: not here
start_kassad "$port" KASSA_DATABASE_CONNINFO="$CONNINFO" \
	KASSA_ADMIN_DASHBOARD_LISTEN="127.0.0.1:$dport" KASSA_ANALYTICS_INTERVAL=0
U=https://127.0.0.1:$dport
up=1
for _ in $(seq 1 200); do
	[ "$(get HQ-OFFICE-1 "$U/" -o /dev/null -w '%{http_code}' 2>/dev/null)" = 200 ] && { up=0; break; }
	kill -0 "$kassad_pid" 2>/dev/null || break
	sleep 0.1
done
check "kassad serves the dashboard on 127.0.0.1:$dport" $up
[ $up = 0 ] || { tail -n 30 "$tmp/kassad.log"; summary; }
day_sh=$(sql "SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date")
day_ny=$(sql "SELECT (now() AT TIME ZONE 'America/New_York')::date")

# ---- (a) the page over curl ----
P=$tmp/en.html
code=$(get HQ-OFFICE-1 "$U/?lang=en" -o "$P" -D "$tmp/en.hdr" -w '%{http_code}')
check "the office certificate gets the page (200)" $([ "$code" = 200 ]; echo $?)
check "in English" $(has "$P" '<html lang="en">' && has "$P" 'Points liability'; echo $?)
row() { printf '<td class="n">%s</td>' "$@"; }
check "S001's row: its business day, 40 sales, 95 items, 1,234.56, members 800.00 = 64.8%" \
	$(has "$P" "<tr><td>上海南京路店</td><td>$day_sh</td>$(row 40 95 '1,234.56 CNY' 25 \
	'800.00 CNY' '64.8%' 2 '50.00 CNY')</tr>"; echo $?)
check "S002's name is escaped, 25% of 200.00" \
	$(has "$P" "<tr><td>Beijing &lt;Wangfujing&gt; &amp; Co</td><td>$day_sh</td>$(row 10 12 \
	'200.00 CNY' 3 '50.00 CNY' '25%' 0 '0.00 CNY')</tr>" && ! has "$P" '<Wangfujing>'; echo $?)
check "S003 in dollars on New York's business day: 45.00, 33.33%" \
	$(has "$P" "<tr><td>New York</td><td>$day_ny</td>$(row 5 7 '45.00 USD' 1 '15.00 USD' \
	'33.33%' 1 '5.00 USD')</tr>"; echo $?)
check "the CNY total: 50 sales, 1,434.56, members 850.00 = 59.25%" \
	$(has "$P" "<tr class=\"total\"><td>All stores (CNY)</td><td></td>$(row 50 107 '1,434.56 CNY' 28 \
	'850.00 CNY' '59.25%' 2 '50.00 CNY')</tr>"; echo $?)
check "yesterday's and tomorrow's rows do not count" $(! has "$P" '99,999.00' && ! has "$P" '88,888.00' &&
	! has "$P" '77,777.00' && ! has "$P" '9,999'; echo $?)
check "a store without an active till or a sale today is not listed" \
	$(! has "$P" '<td>Closed</td>' && ! has "$P" '<td>Head office</td>'; echo $?)
check "the member share: 59.25% of the takings, 28 of 50 sales (56%)" \
	$(has "$P" '<b>59.25%</b>of today' && has "$P" '28 of 50 sales (56%)'; echo $?)
check "charts by store and by hour (12h: 934.56 + 200.00)" $(has "$P" '<title>上海南京路店: 1,234.56</title>' &&
	has "$P" '<title>12: 1,134.56</title>' && has "$P" '<title>09: 300.00</title>' &&
	has "$P" '<title>New York: 33.33%</title>'; echo $?)
check "the points liability at 200 points for 15.00: 1,735 points = 130.13 CNY" \
	$(has "$P" "<tr><td>CNY</td>$(row 2 '1,735' '130.13 CNY')</tr>" &&
	has "$P" "(version 2): 200 points redeem for 15.00"; echo $?)
check "and 300 points = 22.50 USD" $(has "$P" "<tr><td>USD</td>$(row 1 300 '22.50 USD')</tr>"; echo $?)
tiers=$(grep -oE '<tr><td>(Regular|Silver|Gold)</td><td class="n">[0-9]+</td></tr>' "$P" | tr -d '\n')
check "members by tier in the rule set's order: Regular 23, Silver 2, Gold 1 (erased, merged out)" \
	$([ "$tiers" = "<tr><td>Regular</td>$(row 23)</tr><tr><td>Silver</td>$(row 2)</tr>$(:
	)<tr><td>Gold</td>$(row 1)</tr>" ]; echo $?)
check "23 members at risk (the erased one out)" $(has "$P" '23 members are at risk of lapsing; the 20 who spent most'; echo $?)
check "the first: 张伟, phone masked, usual store, 12 visits, 5,000.00, last visit" \
	$(has "$P" "<tr><td class=\"n\">1</td><td>张伟</td><td>138****0001</td><td>Gold</td><td>S001</td>$(row 12 \
	'5,000.00 CNY')<td>2026-09-01</td></tr>"; echo $?)
check "the second escaped, last visit on its store's day" \
	$(has "$P" "<td>Alice &lt;b&gt;</td><td>139****5678</td><td>Silver</td><td>S002</td>$(row 3 \
	'800.00 CNY')<td>2026-08-15</td>" &&
	! has "$P" 'Alice <b>'; echo $?)
check "the top 20 by spend: r04 in, r03 out, no full phone number" \
	$(has "$P" '<td>r04</td>' && ! has "$P" '<td>r03</td>' && ! has "$P" '<td>Erased</td>' &&
	[ "$(grep -oE '<td>137\*\*\*\*01[0-9]{2}</td>' "$P" | wc -l)" = 18 ] &&
	! has "$P" '13800000001' && ! has "$P" '+86139'; echo $?)
check "the analytics job's time" $(has "$P" 'aggregated by the analytics job at 2026-03-04 05:07 UTC'; echo $?)
check "no script, no external resource" $(! grep -qiE '<script|<link|<img|<iframe|src=|url\(|@import' "$P" &&
	! grep -qE 'href="(https?:)?//' "$P"; echo $?)
check "headers: HTML in UTF-8, no-store, a CSP that allows no script" \
	$(grep -qi '^content-type: text/html; charset=utf-8' "$tmp/en.hdr" &&
	grep -qi '^cache-control: no-store' "$tmp/en.hdr" &&
	grep -qi "^content-security-policy: default-src 'none'" "$tmp/en.hdr"; echo $?)

Z=$tmp/zh.html
get HQ-OFFICE-1 "$U/" -H 'Accept-Language: fr-FR, zh-CN;q=0.9, en;q=0.8' -o "$Z"
check "Accept-Language zh-CN: the page in Chinese" $(has "$Z" '<html lang="zh-CN">' &&
	has "$Z" '今日各门店销售' && has "$Z" '积分负债' && has "$Z" '会员等级分布' && has "$Z" '流失风险会员' &&
	has "$Z" '全部门店（CNY）'; echo $?)
check "with the same figures" $(has "$Z" "<td>上海南京路店</td><td>$day_sh</td>$(row 40 95 '1,234.56 CNY')" &&
	has "$Z" "$(row 2 '1,735' '130.13 CNY')"; echo $?)
get HQ-OFFICE-1 "$U/?lang=en" -H 'Accept-Language: zh-CN' -o "$tmp/en2.html"
check "?lang=en wins over Accept-Language" $(has "$tmp/en2.html" '<html lang="en">' &&
	has "$tmp/en2.html" 'Points liability'; echo $?)
get HQ-OFFICE-1 "$U/?lang=zh_CN" -o "$tmp/zh2.html"
check "?lang=zh_CN" $(has "$tmp/zh2.html" '积分负债'; echo $?)
get HQ-OFFICE-1 "$U/" -H 'Accept-Language: fr, de;q=0.5' -o "$tmp/fr.html"
check "a language Kassa has not: English" $(has "$tmp/fr.html" 'Points liability'; echo $?)

get HQ-OFFICE-1 "$U/" -I -o "$tmp/head.out" -w '%{http_code} %{size_download}' >"$tmp/head.w"
check "HEAD: 200 with a length and no body" $([ "$(cat "$tmp/head.w")" = "200 0" ] &&
	grep -qiE '^content-length: [1-9][0-9]{3,}' "$tmp/head.out"; echo $?)

code=$(get S001-T1 "$U/" -o "$tmp/403.html" -w '%{http_code}')
check "a till's certificate: 403 with a short page" $([ "$code" = 403 ] &&
	has "$tmp/403.html" 'head-office certificates only' && ! has "$tmp/403.html" '1,234.56'; echo $?)
code=$(get S001-T1 "$U/" -H 'Accept-Language: zh-CN' -o "$tmp/403zh.html" -w '%{http_code}')
check "in the reader's language" $([ "$code" = 403 ] && has "$tmp/403zh.html" '总部'; echo $?)
check "an inactive office till's certificate: 403" \
	$([ "$(get BENCH-1 "$U/" -o /dev/null -w '%{http_code}')" = 403 ]; echo $?)
for cert in NONE S001-REVOKED rogue; do
	code=$(get "$cert" "$U/" -o /dev/null -w '%{http_code}' 2>/dev/null)
	rc=$?
	check "no page for the certificate $cert: the TLS handshake fails" \
		$([ "$rc" != 0 ] && [ "$code" = 000 ]; echo $?)
done
code=$(get HQ-OFFICE-1 "$U/" -X POST -d 'x=1' -D "$tmp/405.hdr" -o /dev/null -w '%{http_code}')
check "POST: 405, Allow: GET, HEAD" $([ "$code" = 405 ] && grep -qi '^allow: GET, HEAD' "$tmp/405.hdr"; echo $?)
check "PUT: 405" $([ "$(get HQ-OFFICE-1 "$U/" -X PUT -o /dev/null -w '%{http_code}')" = 405 ]; echo $?)
check "an unknown path: 404" $([ "$(get HQ-OFFICE-1 "$U/admin" -o /dev/null -w '%{http_code}')" = 404 ]; echo $?)
check "but 403 for a till's certificate" \
	$([ "$(get S001-T1 "$U/admin" -o /dev/null -w '%{http_code}')" = 403 ]; echo $?)
big=$(head -c 9000 /dev/zero | tr '\0' a)
code=$(get HQ-OFFICE-1 "$U/" -H "X-Big: $big" -o /dev/null -w '%{http_code}' 2>/dev/null)
check "an oversized header is refused (got $code)" $([ "$code" != 200 ]; echo $?)
check "and kassad goes on serving" $(kill -0 "$kassad_pid" &&
	[ "$(get HQ-OFFICE-1 "$U/" -o /dev/null -w '%{http_code}')" = 200 ]; echo $?)

# an idle connection, the connections of one certificate, then the connection limit
# (python3's ssl): three more office certificates of the test CA make eight in all
X=$tmp/certs
cp -r "$C" "$X" && bash "$KASSA_ROOT/scripts/gen-certs.sh" "$X" HQ:DASH-1 HQ:DASH-2 HQ:DASH-3 \
	>"$tmp/certs.log" 2>&1 &&
	sql "INSERT INTO tills (store_id, code, kind, active) SELECT s.store_id, c.code, 'office', true
	     FROM stores s, unnest(ARRAY['DASH-1', 'DASH-2', 'DASH-3']) AS c(code) WHERE s.code = 'HQ'" \
	>/dev/null
check "three more office certificates" $?
python3 - "$dport" "$C" "$X" >"$tmp/conns.log" 2>&1 <<'PY'
import socket, ssl, sys, time
port, certs, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def context(name, d):
	ctx = ssl.create_default_context(cafile=certs + "/ca.crt")
	ctx.load_cert_chain(d + "/" + name + ".crt", d + "/" + name + ".key")
	ctx.check_hostname = False
	return ctx
ctx = {n: context(n, certs) for n in ("HQ-OFFICE-1", "S001-T1", "S001-T2", "S002-T1", "BENCH-1")}
ctx.update({n: context(n, extra) for n in ("DASH-1", "DASH-2", "DASH-3")})
def conn(name):
	return ctx[name].wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
def status(s):	# one GET on s (kept alive): its status code, or "closed"
	s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	got = b""
	try:
		while b"\r\n" not in got:
			b = s.recv(4096)
			if not b:
				break
			got += b
	except (OSError, ssl.SSLError):
		pass
	return got.split(b" ")[1].decode() if got.startswith(b"HTTP/1.1 ") else "closed"
def answer(s, lang):	# one GET with Connection: close: the whole answer
	s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: " + lang +
		  b"\r\nConnection: close\r\n\r\n")
	got = b""
	try:
		while True:
			b = s.recv(65536)
			if not b:
				break
			got += b
	except (OSError, ssl.SSLError):
		pass
	return got
idle = socket.create_connection(("127.0.0.1", port))
idle.settimeout(30)
t0 = time.monotonic()
closed = idle.recv(1) == b""
print("idle", "closed" if closed else "open", round(time.monotonic() - t0))
# eight of one certificate are served (each answered: counted), the ninth is refused,
# another certificate is served meanwhile, and once one of the eight closes a new one is
hq = [conn("HQ-OFFICE-1") for _ in range(8)]
print("eight of one certificate:", " ".join(status(s) for s in hq))
a = answer(conn("HQ-OFFICE-1"), b"en")
print("its ninth:", a.split(b" ")[1].decode() if a.startswith(b"HTTP/1.1 ") else "closed")
print("its page says why:", b"Too many connections" in a and b"has 8 connections" in a)
a = answer(conn("HQ-OFFICE-1"), b"zh-CN")
print("in Chinese:", "连接过多" in a.decode("utf-8", "replace"))
other = [conn("DASH-1")]
print("another certificate meanwhile:", status(other[0]))
hq.pop().close()
t0, got = time.monotonic(), None
while got != "200" and time.monotonic() - t0 < 10:	# until kassad has seen the close
	s = conn("HQ-OFFICE-1")
	got = status(s)
	if got == "200":
		hq.append(s)
	else:
		s.close()
print("one of the eight closed, then:", got)
# 64 in all, eight of each certificate; the 65th waits until one closes
conns = hq + other + [conn("DASH-1") for _ in range(7)]
for name in ("S001-T1", "S001-T2", "S002-T1", "BENCH-1", "DASH-2", "DASH-3"):
	conns += [conn(name) for _ in range(8)]
print("open:", len(conns))
extra = ctx["HQ-OFFICE-1"].wrap_socket(socket.create_connection(("127.0.0.1", port)),
				       do_handshake_on_connect=False)
extra.settimeout(2)
try:
	extra.do_handshake()
	print("65th served")
except (socket.timeout, TimeoutError):
	print("65th waits")
hq[0].close()
extra.settimeout(10)
extra.do_handshake()
extra.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
print("65th after one closed:", extra.recv(12).decode())
PY
check "an idle connection is closed by the server" $(grep -qE '^idle closed (9|10|11|12)$' "$tmp/conns.log"; echo $?)
check "eight connections of one certificate are served" \
	$(grep -q '^eight of one certificate: 200 200 200 200 200 200 200 200$' "$tmp/conns.log"; echo $?)
check "its ninth is refused with 503" $(grep -q '^its ninth: 503$' "$tmp/conns.log"; echo $?)
check "on a page that says why, in the reader's language" \
	$(grep -q '^its page says why: True$' "$tmp/conns.log" && grep -q '^in Chinese: True$' "$tmp/conns.log"
	echo $?)
check "while another certificate is served" \
	$(grep -q '^another certificate meanwhile: 200$' "$tmp/conns.log"; echo $?)
check "and once one of the eight closes, a new one is served" \
	$(grep -q '^one of the eight closed, then: 200$' "$tmp/conns.log"; echo $?)
check "64 connections are served, the 65th waits" $(grep -q '^open: 64$' "$tmp/conns.log" &&
	grep -q '^65th waits' "$tmp/conns.log"; echo $?)
check "and is served once one closes" $(grep -q '^65th after one closed: HTTP/1.1 200' "$tmp/conns.log"; echo $?)
[ "$fail" = 0 ] || cat "$tmp/conns.log"
code=$(get HQ-OFFICE-1 "$U/" -o "$tmp/busy.html" -w '%{http_code}')
check "after them the office certificate is served again" $([ "$code" = 200 ]; echo $?)

# ---- (b) headless Chromium presenting the office certificate ----
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ] || ! command -v pk12util >/dev/null || ! command -v certutil >/dev/null; then
	check "chromium, certutil and pk12util are installed (scripts/deps.sh)" 1
else
	home=$tmp/chrome-home
	profile=$tmp/chrome-profile
	mkdir -p "$home/.pki/nssdb" "$profile/Default"
	nss=sql:$home/.pki/nssdb
	certutil -N -d "$nss" --empty-password &&
		certutil -A -d "$nss" -n kassa-test-ca -t "C,," -i "$C/ca.crt" &&
		openssl pkcs12 -export -in "$C/HQ-OFFICE-1.crt" -inkey "$C/HQ-OFFICE-1.key" \
			-name kassa-office -passout pass: -out "$tmp/office.p12" &&
		pk12util -i "$tmp/office.p12" -d "$nss" -W '' >/dev/null
	check "an NSS database with the test CA and the office certificate" $?
	# What AutoSelectCertificateForUrls would say, as the profile's own setting
	filter='{"filters":[{"ISSUER":{"CN":"Kassa Development CA"}}]}'
	printf '{"profile":{"content_settings":{"exceptions":{"auto_select_certificate":%s}}}}\n' \
		"{\"$U,*\":{\"setting\":$filter}}" >"$profile/Default/Preferences"
	chrome() {
		HOME=$home timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
			--no-default-browser-check --hide-scrollbars --user-data-dir="$profile" "$@" \
			2>>"$tmp/chrome.log"
	}
	chrome --dump-dom "$U/?lang=en" >"$tmp/dom-en.html"
	check "Chromium gets the page with the office certificate" \
		$(has "$tmp/dom-en.html" "Today's sales by store"; echo $?)
	check "its text has the stores and figures" $(has "$tmp/dom-en.html" '上海南京路店' &&
		has "$tmp/dom-en.html" 'Beijing &lt;Wangfujing&gt; &amp; Co' &&
		has "$tmp/dom-en.html" '1,434.56 CNY' && has "$tmp/dom-en.html" '130.13 CNY' &&
		has "$tmp/dom-en.html" '59.25%'; echo $?)
	if ! has "$tmp/dom-en.html" '130.13 CNY'; then
		echo "# Chromium's DOM:"; head -c 3000 "$tmp/dom-en.html" | sed 's/^/# /'
		echo "# Chromium's log:"; grep -v dbus "$tmp/chrome.log" | tail -n 20 | sed 's/^/# /'
	fi
	chrome --dump-dom "$U/?lang=zh_CN" >"$tmp/dom-zh.html"
	check "and the Chinese headings with ?lang=zh_CN" $(has "$tmp/dom-zh.html" '今日各门店销售' &&
		has "$tmp/dom-zh.html" '积分负债' && has "$tmp/dom-zh.html" '流失风险会员' &&
		has "$tmp/dom-zh.html" '130.13 CNY'; echo $?)
	rm -f "$SHOTS/dashboard-en.png" "$SHOTS/dashboard-zh_CN.png"
	chrome --window-size=1280,3000 --screenshot="$SHOTS/dashboard-en.png" "$U/?lang=en" >/dev/null
	chrome --window-size=1280,3000 --screenshot="$SHOTS/dashboard-zh_CN.png" "$U/?lang=zh_CN" >/dev/null
	for shot in dashboard-en dashboard-zh_CN; do
		python3 - "$SHOTS/$shot.png" >"$tmp/$shot.stats" 2>&1 <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
	n, kind = struct.unpack(">I4s", data[pos:pos + 8])
	if kind == b"IHDR":
		ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + 13])
	elif kind == b"IDAT":
		idat += data[pos + 8:pos + 8 + n]
	pos += 12 + n
w, h, depth, ctype = ihdr[:4]
assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, pos, dark, colours = bytearray(stride), 0, 0, set()
for y in range(h):
	f, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
	pos += 1 + stride
	for i in range(stride):
		a = line[i - bpp] if i >= bpp else 0
		b, c = prev[i], prev[i - bpp] if i >= bpp else 0
		if f == 1: line[i] = (line[i] + a) & 255
		elif f == 2: line[i] = (line[i] + b) & 255
		elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
		elif f == 4:
			p = a + b - c
			pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
			line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
	for x in range(0, stride, bpp):
		px = bytes(line[x:x + 3])
		colours.add(px)
		if sum(px) < 3 * 160:
			dark += 1
	prev = line
print(w, h, len(colours), dark)
PY
		read -r w h colours dark <"$tmp/$shot.stats"
		check "$shot.png: ${w}x${h}, not blank ($colours colours, $dark dark pixels)" \
			$([ "${w:-0}" -ge 1000 ] && [ "${colours:-0}" -ge 16 ] && [ "${dark:-0}" -ge 5000 ]; echo $?)
	done
fi

stop_kassad
check "the dashboard's kassad shuts down cleanly" $?

# ---- (c) the request deadline, and descriptors kept for the dashboard ----
# the same kassad with [admin] dashboard_request_timeout = 3, a pool of 4 and a hard limit
# of 256 descriptors: 32 kept + 4 for the pool + 64 for the dashboard leave 156 sessions
port=$(free_port)
dport=$(free_port)
while [ "$dport" = "$port" ]; do dport=$(free_port); done
(
	ulimit -S -n 256 && ulimit -H -n 256 || exit 99
	exec env KASSA_SERVER_LISTEN="127.0.0.1:$port" KASSA_DATABASE_CONNINFO="$CONNINFO" \
		KASSA_ADMIN_DASHBOARD_LISTEN="127.0.0.1:$dport" KASSA_ANALYTICS_INTERVAL=0 \
		KASSA_ADMIN_DASHBOARD_REQUEST_TIMEOUT=3 KASSA_DATABASE_POOL_SIZE=4 \
		"$KASSA_KASSAD" --config "$KASSA_CONFIG"
) >"$tmp/kassad.log" 2>&1 &
kassad_pid=$!
U=https://127.0.0.1:$dport
up=1
for _ in $(seq 1 200); do
	[ "$(get HQ-OFFICE-1 "$U/" -o /dev/null -w '%{http_code}' 2>/dev/null)" = 200 ] && { up=0; break; }
	kill -0 "$kassad_pid" 2>/dev/null || break
	sleep 0.1
done
check "kassad with a 3 s request deadline serves the dashboard" $up
[ $up = 0 ] || { tail -n 30 "$tmp/kassad.log"; summary; }
lowered=$(sed -n 's/.*max_sessions lowered from [0-9]* to \([0-9]*\).*/\1/p' "$tmp/kassad.log")
check "max_sessions keeps the dashboard's 64 descriptors: 256 - 32 - 4 - 64 = 156 (got ${lowered:-none})" \
	$([ "$lowered" = 156 ]; echo $?)
python3 - "$dport" "$C" >"$tmp/slow.log" 2>&1 <<'PY'
import select, socket, ssl, sys, time
port, certs = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=certs + "/ca.crt")
ctx.load_cert_chain(certs + "/HQ-OFFICE-1.crt", certs + "/HQ-OFFICE-1.key")
ctx.check_hostname = False
def trickle(s, t0, what):
	# a header byte a second (each well inside the 10 s a read may stall) for at most 12 s;
	# the wait for the server is the trickle's own second
	for b in b"X-Slow: " + b"a" * 12:
		try:
			s.send(bytes([b]))
			if select.select([s], [], [], 1.0)[0] and s.recv(4096) == b"":
				break
		except (OSError, ssl.SSLError):
			break
	else:
		print(what, "open", round(time.monotonic() - t0))
		return
	print(what, "closed", round(time.monotonic() - t0))
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
t0 = time.monotonic()
s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
trickle(s, t0, "first request")
# kept alive: the deadline starts again with the answer, for the next request
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
got = b""
while b"</html>" not in got:
	b = s.recv(65536)
	if not b:
		break
	got += b
print("answered:", got[:12].decode())
t0 = time.monotonic()
s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
trickle(s, t0, "second request")
PY
check "headers trickled a byte a second are cut off by the 3 s deadline" \
	$(grep -qE '^first request closed [2-5]$' "$tmp/slow.log"; echo $?)
check "so is a kept-alive connection's next request, 3 s after the answer" \
	$(grep -q '^answered: HTTP/1.1 200' "$tmp/slow.log" &&
	grep -qE '^second request closed [2-5]$' "$tmp/slow.log"; echo $?)
[ "$fail" = 0 ] || cat "$tmp/slow.log"
check "and kassad goes on serving" \
	$([ "$(get HQ-OFFICE-1 "$U/" -o /dev/null -w '%{http_code}')" = 200 ]; echo $?)
stop_kassad
check "that kassad shuts down cleanly too" $?
psql "$KASSA_CONNINFO" -X -q -c "DROP DATABASE IF EXISTS $DB"
summary

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_log_privacy: the suite's last test. No log kassad wrote during the run
# holds a PIN, a full phone number, an e-mail address, a card number or a
# database password: the fixture's env/kassad.log and env/migrate.log, the
# logs of every kassad a shell test started (lib.sh keeps them in
# env/kassad-logs/), those of the analytics tests (env/kassad-analytics.*.log)
# and any other kassad*.log under the build tree's tests/. It is a
# FIXTURES_CLEANUP test of kassa_env that runs after env_down, so the
# fixture's kassad has written its last line.
#
# Looked for: the seeded demo phones (+86139xxxxxxxx, 139xxxxxxxx), any
# 11-digit Chinese mobile number (also in groups, with or without +86),
# member cards (K and 10 digits, scripts/seed.sh), payment card numbers
# (13-19 digits that pass the Luhn check, common/cardnum.h), e-mail
# addresses, PINs (pin=..., and the demo PINs next to the word PIN) and
# passwords (password=... in a conninfo, user:password@ in a URI). What
# log_redact() leaves (K******0042, password=******) is not a hit.
#
# First the scanner proves itself on planted lines: each must be found, and
# masked or harmless lines must not. A hit is reported as file:line with the
# kind of data, the line shown with its digits and e-mail parts blotted out.
# Needs KASSA_TEST_ENV and KASSA_TEST_TREE (the build tree's tests/).
set -uo pipefail
ENV=${KASSA_TEST_ENV:?KASSA_TEST_ENV must name the test environment}
TREE=${KASSA_TEST_TREE:?KASSA_TEST_TREE must name the build tree\'s tests/}

exec python3 - "$ENV" "$TREE" <<'PY'
import os
import re
import sys

env, tree = sys.argv[1], sys.argv[2]

DEMO_PINS = r"(?:1234|2345|9999|3333|0000)"
PATTERNS = [
    ("a seeded demo phone", re.compile(r"\+86139\d{8}|(?<!\d)139\d{8}(?!\d)")),
    ("a Chinese mobile number",
     re.compile(r"(?<![\d*])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ .-]?\d{4}){2}(?!\d)")),
    ("a member card number", re.compile(r"[Kk]\d{10}")),
    ("an e-mail address",
     re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("a PIN", re.compile(r"(?i)(?<![a-z_])(?:new_)?pin\s*[=:]\s*\"?[0-9]")),
    ("a demo PIN", re.compile(r"(?i)\bpins?\b\W{0,3}" + DEMO_PINS + r"\b")),
    ("a conninfo password", re.compile(r"(?i)\bpassword\s*=\s*'?(?!\*)[^\s'*]")),
    ("a URI password", re.compile(r"://[^/\s:@]+:(?!\*+@)[^@\s/]+@")),
]
PAN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def luhn(digits):
    total, twice = 0, False
    for ch in reversed(digits):
        d = int(ch)
        if twice:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
        twice = not twice
    return total % 10 == 0


def hits(line):
    found = [name for name, rx in PATTERNS if rx.search(line)]
    for m in PAN.finditer(line):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn(digits):
            found.append("a payment card number")
            break
    return found


def blot(line):
    line = re.sub(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+", "<e-mail>", line)
    return re.sub(r"\d", "#", line.rstrip("\n"))[:200]


# 1. the scanner on planted lines
planted = [
    "2026-12-02 01:00:00.000 INFO member +8613900000042 found",
    '{"ts":"2026-12-02T01:00:00.000Z","level":"info","msg":"phone 13900000042"}',
    "INFO lookup 138 1234 5678",
    "INFO lookup +86-158-1234-5678",
    "INFO card K0000000042",
    "INFO to member3@example.com",
    "INFO login pin=1234",
    'INFO {"pin":"9999"}',
    "INFO wrong PIN 2345",
    "INFO conninfo host=db password=s3cret",
    "INFO postgresql://kassa:hunter2@127.0.0.1/kassa",
    "INFO reference 4111 1111 1111 1111",
]
harmless = [
    "2026-12-02 01:00:00.123 INFO [req=S001-T1#42 staff=1001] staff 1001 (cashier) logged in",
    '{"ts":"2026-12-02T01:00:00.123Z","level":"info","msg":"x","req":"S001-T1#13900","staff":1001}',
    "INFO member +*********0042 card K******0042 <*******@***********>",
    "INFO conninfo host=db password=****** and postgresql://kassa:*******@h/k",
    "INFO staff 1001 locked out until 2026-12-02 01:00:00+08 after 5 wrong PINs in a row",
    "INFO listening on 127.0.0.1:7443; user@localhost; pin_hash refreshed",
    "INFO trade number 2026120222001400001234567890 accepted",
    "INFO migration 0001_init.sql: checksum 4e860a1b2c3d",
]
bad = False
for line in planted:
    if not hits(line):
        print("[ FAIL ] the scanner misses: %s" % blot(line))
        bad = True
for line in harmless:
    if hits(line):
        print("[ FAIL ] the scanner takes %s for %s" % (blot(line), ", ".join(hits(line))))
        bad = True
if bad:
    sys.exit(1)
print("[   OK ] the scanner finds all %d planted lines and none of %d harmless ones"
      % (len(planted), len(harmless)))

# 2. the logs of the run
files = set()
for p in (os.path.join(env, "kassad.log"), os.path.join(env, "migrate.log")):
    if os.path.isfile(p):
        files.add(os.path.realpath(p))
kept = os.path.join(env, "kassad-logs")  # lib.sh's copies, named for their tests
for n in (os.listdir(kept) if os.path.isdir(kept) else []):
    if n.endswith(".log"):
        files.add(os.path.realpath(os.path.join(kept, n)))
for top in (env, tree):
    for root, _dirs, names in os.walk(top):
        if "/pg/" in root + "/" or root.endswith("/pg"):
            continue
        for n in names:
            if n.startswith("kassad") and n.endswith(".log"):
                files.add(os.path.realpath(os.path.join(root, n)))
main = os.path.realpath(os.path.join(env, "kassad.log"))
if main not in files or os.path.getsize(main) == 0:
    print("[ FAIL ] no log of the fixture's kassad at %s: nothing was run" % main)
    sys.exit(1)

lines = about = 0
reported = 0
for path in sorted(files):
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        print("# %s" % os.path.relpath(path, env))
        for no, line in enumerate(f, 1):
            lines += 1
            if "req=" in line or '"req":' in line:
                about += 1
            found = hits(line)
            if found:
                bad = True
                if reported < 50:
                    print("[ FAIL ] %s:%d has %s: %s" % (path, no, ", ".join(found), blot(line)))
                reported += 1
print("# %d kassad logs, %d lines (%d about a request) scanned" % (len(files), lines, about))
if bad:
    print("[ FAIL ] %d lines hold personal data or secrets" % reported)
    sys.exit(1)
print("[   OK ] no PIN, phone number, e-mail address, card number or password in any of them")
PY

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_conf_keys.py CFG_C PAGE: every key of kassad's configuration table (the
`keys[]` of server/core/cfg.c) is documented in kassad.conf(5) under its own section
(".SH [section]"), as an entry ".TP" / ".B key", whose text says "Default: VALUE"
(a literal default; "Required." for a key without one; "Default: empty" for "")
and, for an integer key, "Range: MIN to MAX." as the table has them; a key of the
table restart_only[] (a reload keeps its running value) says "Changed only by a restart.",
no other key does. A page entry
that is not in the table fails too (a key removed, the page not). Exit 0 when all
agree; otherwise each difference is printed and the exit status is 1."""
import re
import sys

ENTRY = re.compile(
    r'\{\s*"(\w+)"\s*,\s*"(\w+)"\s*,\s*CF_(\w+)\s*,\s*&\w+\s*,\s*(NULL|"[^"]*"|\w+)\s*,'
    r'\s*([^,{}]+?)\s*,\s*([^,{}]+?)\s*\}', re.S)


RESTART = "Changed only by a restart."


def number(expr):
    """The value of a bound such as 7 * 86400 or 64 << 20 (digits and operators only)."""
    if not re.fullmatch(r'[0-9\s*+<>()-]+', expr):
        raise ValueError("bound not a constant expression: " + expr)
    return int(eval(expr, {"__builtins__": {}}))  # nosec: digits and operators only


def table(path):
    text = open(path, encoding="utf-8").read()
    start = text.find("keys[] = {")
    if start < 0:
        sys.exit("check_conf_keys: no keys[] table in " + path)
    end = text.find("\n};", start)
    keys = {}
    for m in ENTRY.finditer(text[start:end]):
        sec, name, typ, dflt, lo, hi = m.groups()
        keys[(sec.lower(), name.lower())] = (typ, dflt, lo, hi)
    if not keys:
        sys.exit("check_conf_keys: no keys parsed from " + path)
    restart = set()
    r = text.find("restart_only[] = {")
    if r >= 0:
        body = text[r:text.find("};", r)]
        restart = {tuple(k.lower().split(".", 1)) for k in re.findall(r'"(\w+\.\w+)"', body)}
    return keys, restart


def plain(line):
    """Roff text without font escapes and with \\- as -."""
    line = re.sub(r'\\f[BIRP]|\\f\(..|\\&', '', line)
    line = line.replace('\\-', '-').replace('\\e', '\\')
    if line.startswith('.'):
        parts = line.split(None, 1)
        line = parts[1] if len(parts) > 1 else ''
        line = line.replace('"', '')
    return line


def page(path):
    entries = {}
    section = None
    cur = None
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r'\.SH\s+"?\[(\w+)\]"?\s*$', ln)
        if m:
            section, cur = m.group(1).lower(), None
        elif ln.startswith('.SH') or ln.startswith('.SS'):
            section, cur = None, None
        elif ln.startswith('.TP') and section and i + 1 < len(lines):
            k = re.match(r'\.B\s+(\w+)\s*$', lines[i + 1])
            cur = None
            if k:
                cur = (section, k.group(1).lower())
                entries[cur] = []
                i += 1
        elif cur is not None and not ln.startswith('.\\"'):
            entries[cur].append(plain(ln))
        i += 1
    return {k: re.sub(r'\s+', ' ', ' '.join(v)) for k, v in entries.items()}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_conf_keys.py CFG_C PAGE")
    keys, restart = table(sys.argv[1])
    doc = page(sys.argv[2])
    bad = []
    for (sec, name), (typ, dflt, lo, hi) in sorted(keys.items()):
        where = "[%s] %s" % (sec, name)
        text = doc.get((sec, name))
        if text is None:
            bad.append("%s: not documented in the page" % where)
            continue
        if dflt == "NULL":
            if "Required." not in text:
                bad.append("%s: has no default, the page must say \"Required.\"" % where)
        elif dflt == '""':
            if "Default: empty" not in text:
                bad.append("%s: default is empty, the page must say \"Default: empty\"" % where)
        elif dflt.startswith('"'):
            want = "Default: " + dflt.strip('"')
            if not re.search(re.escape(want) + r'(\s|\.|$)', text):
                bad.append("%s: the page must say \"%s\" (it says: %s)" % (where, want, text))
        elif "Default:" not in text:
            bad.append("%s: the page must say what the default is" % where)
        if typ == "INT":
            want = "Range: %d to %d." % (number(lo), number(hi))
            if want not in text:
                bad.append("%s: the page must say \"%s\"" % (where, want))
        said = RESTART in text
        if (sec, name) in restart and not said:
            bad.append("%s: a reload keeps it, the page must say \"%s\"" % (where, RESTART))
        if (sec, name) not in restart and said:
            bad.append("%s: a reload applies it, the page must not say \"%s\"" % (where, RESTART))
    for sec, name in sorted(set(doc) - set(keys)):
        bad.append("[%s] %s: documented, but not a key of %s" % (sec, name, sys.argv[1]))
    for b in bad:
        print("check_conf_keys: " + b)
    print("check_conf_keys: %d keys in the table, %d documented, %d problems"
          % (len(keys), len(doc), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_compose.py FILE: docker/compose.yaml does what docs/operations.md promises, read
with PyYAML (yamllint checks the syntax and style): a PostgreSQL 15 service `db` with a
pg_isready health check and its data on a named volume; a one-shot `migrate` running
`kassad ... migrate` once db is healthy; `kassad` started only after db is healthy and
migrate completed successfully, with a /readyz health check, its port published, and its
configuration given by KASSA_* variables (the database by KASSA_DATABASE_CONNINFO);
no password written into the file. Exit 1 with each problem printed."""
import re
import sys

import yaml


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_compose.py FILE")
    text = open(sys.argv[1], encoding="utf-8").read()
    doc = yaml.safe_load(text)
    bad = []

    def need(cond, what):
        if not cond:
            bad.append(what)

    svc = doc.get("services") or {}
    for name in ("db", "migrate", "kassad"):
        need(isinstance(svc.get(name), dict), "a service %r" % name)
    if bad:
        return report(bad)
    db, mig, kd = svc["db"], svc["migrate"], svc["kassad"]

    need(re.fullmatch(r"postgres:15([.-].*)?", str(db.get("image", ""))),
         "db runs PostgreSQL 15 (image postgres:15...), not %r" % db.get("image"))
    test = (db.get("healthcheck") or {}).get("test") or []
    need("pg_isready" in " ".join(map(str, test if isinstance(test, list) else [test])),
         "db's health check is pg_isready")
    vols = doc.get("volumes") or {}
    need(any(str(v).split(":")[0] in vols and str(v).split(":")[1] == "/var/lib/postgresql/data"
             for v in db.get("volumes") or []),
         "db keeps /var/lib/postgresql/data on a named volume")

    def depends(s, on, cond):
        d = s.get("depends_on") or {}
        return isinstance(d, dict) and (d.get(on) or {}).get("condition") == cond

    need("migrate" in [str(c) for c in mig.get("command") or []],
         "migrate's command is kassad's `migrate`")
    need(depends(mig, "db", "service_healthy"), "migrate waits for db to be healthy")
    need(str(mig.get("restart", "")) == "no", "migrate runs once (restart: \"no\")")
    need(depends(kd, "db", "service_healthy"), "kassad waits for db to be healthy")
    need(depends(kd, "migrate", "service_completed_successfully"),
         "kassad starts only after migrate completed successfully")
    need(mig.get("image") == kd.get("image") and kd.get("image"),
         "migrate and kassad run the same image")
    ktest = " ".join(map(str, (kd.get("healthcheck") or {}).get("test") or []))
    need("/readyz" in ktest, "kassad's health check asks /readyz")
    need(any("7443" in str(p) for p in kd.get("ports") or []), "kassad publishes 7443")

    for name, s in (("migrate", mig), ("kassad", kd)):
        env = s.get("environment") or {}
        need(isinstance(env, dict) and "KASSA_DATABASE_CONNINFO" in env,
             "%s gets the database from KASSA_DATABASE_CONNINFO" % name)
        need(all(str(k).startswith("KASSA_") for k in env),
             "%s's environment is KASSA_* settings only" % name)
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    for m in re.finditer(r"(?i)password\s*[=:]\s*(\S+)", body):
        need(m.group(1).startswith("${"), "no password in the file (%s)" % m.group(0))
    return report(bad)


def report(bad):
    for b in bad:
        print("check_compose: missing: " + b)
    print("check_compose: %d problems" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

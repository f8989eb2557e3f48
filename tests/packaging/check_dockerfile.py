#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_dockerfile.py FILE: a Dockerfile check of our own (Debian packages no hadolint).
It parses the file (comments, line continuations, JSON and shell forms) and fails on:
  - an instruction Docker does not know, or a file not starting with FROM/ARG;
  - a FROM stage without a name (FROM image AS name), an image without a tag, a `latest`
    tag, or a COPY --from= naming no earlier stage;
  - more than one stage missing (the build must be multi-stage);
  - ADD of a URL (use curl with a checksum in a RUN) or of anything but local archives;
  - apt-get install without -y/--no-install-recommends, or a RUN with apt-get install
    that does not remove /var/lib/apt/lists in the same RUN;
  - in the final stage: no USER, or USER root / 0, no HEALTHCHECK (or HEALTHCHECK NONE),
    no EXPOSE, no ENTRYPOINT in exec (JSON) form; compilers or -dev packages installed
    there (runtime libraries only).
Exit 0 when clean; otherwise each problem with its line number, and exit 1."""
import json
import re
import sys

KNOWN = {"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
         "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
         "HEALTHCHECK", "SHELL"}


def instructions(text):
    """(line number, INSTRUCTION, arguments) with continuations joined, comments dropped."""
    out, cur, start = [], "", 0
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if cur and line.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        if not cur:
            start = no
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        parts = cur.strip().split(None, 1)
        out.append((start, parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        cur = ""
    if cur:
        out.append((start, "<unterminated>", cur))
    return out


def is_exec_form(args):
    try:
        v = json.loads(args)
    except ValueError:
        return False
    return isinstance(v, list) and all(isinstance(x, str) for x in v) and len(v) > 0


def check(text):
    bad = []
    stages = []  # dicts: name, line, user, health, expose, entry, instrs
    for no, ins, args in instructions(text):
        if ins not in KNOWN:
            bad.append((no, "unknown instruction %s" % ins))
            continue
        if not stages and ins not in ("FROM", "ARG"):
            bad.append((no, "%s before the first FROM" % ins))
            continue
        if ins == "FROM":
            m = re.fullmatch(r"(--platform=\S+\s+)?(\S+)(\s+AS\s+(\S+))?", args.strip(), re.I)
            if not m:
                bad.append((no, "cannot read FROM %s" % args))
                continue
            image, name = m.group(2), m.group(4)
            known = [s["name"] for s in stages]
            if name is None:
                bad.append((no, "FROM %s: the stage has no name (FROM image AS name)" % image))
            if image not in known and image != "scratch":
                ref = image.split("@")[0]
                tag = ref.rsplit(":", 1)[1] if ":" in ref.split("/")[-1] else None
                if tag is None and "@" not in image:
                    bad.append((no, "FROM %s: no tag (pin a version)" % image))
                elif tag == "latest":
                    bad.append((no, "FROM %s: the latest tag moves; pin a version" % image))
            stages.append({"name": name, "line": no, "user": None, "health": None,
                           "expose": False, "entry": None, "runs": []})
            continue
        st = stages[-1]
        if ins == "USER":
            st["user"] = (no, args.strip())
        elif ins == "HEALTHCHECK":
            st["health"] = (no, args.strip())
        elif ins == "EXPOSE":
            st["expose"] = True
        elif ins == "ENTRYPOINT":
            st["entry"] = (no, args.strip())
        elif ins == "MAINTAINER":
            bad.append((no, "MAINTAINER is deprecated: use LABEL"))
        elif ins == "ADD":
            if re.search(r"(^|\s)(https?|ftp)://", args):
                bad.append((no, "ADD of a URL: fetch with a checksum in RUN, or COPY"))
            else:
                bad.append((no, "ADD of local files: use COPY"))
        elif ins == "COPY":
            m = re.search(r"--from=(\S+)", args)
            if m and m.group(1) not in [s["name"] for s in stages[:-1]]:
                bad.append((no, "COPY --from=%s names no earlier stage" % m.group(1)))
        elif ins == "RUN":
            st["runs"].append((no, args))
            if re.search(r"apt-get\s+(-\S+\s+)*install", args):
                if not re.search(r"(^|\s)(-y|--yes|-\S*y\S*)(\s|$)", args):
                    bad.append((no, "apt-get install without -y"))
                if "--no-install-recommends" not in args:
                    bad.append((no, "apt-get install without --no-install-recommends"))
                if not re.search(r"rm\s+-r?f?r?\s+/var/lib/apt/lists", args):
                    bad.append((no, "apt-get install without rm -rf /var/lib/apt/lists/* "
                                    "in the same RUN"))
            if re.search(r"apt-get\s+(-\S+\s+)*(upgrade|dist-upgrade)", args):
                bad.append((no, "apt-get upgrade in an image: pin the base instead"))
    if not stages:
        return [(0, "no FROM")]
    if len(stages) < 2:
        bad.append((stages[0]["line"], "a single stage: build and runtime must be separate"))
    last = stages[-1]
    ln = last["line"]
    if last["user"] is None:
        bad.append((ln, "the final stage has no USER: it would run as root"))
    elif re.fullmatch(r"(root|0)(:.*)?", last["user"][1]):
        bad.append((last["user"][0], "the final stage runs as root"))
    if last["health"] is None:
        bad.append((ln, "the final stage has no HEALTHCHECK"))
    elif last["health"][1].upper().startswith("NONE"):
        bad.append((last["health"][0], "HEALTHCHECK NONE in the final stage"))
    if not last["expose"]:
        bad.append((ln, "the final stage EXPOSEs no port"))
    if last["entry"] is None or not is_exec_form(last["entry"][1]):
        bad.append((ln, "the final stage needs ENTRYPOINT in exec form [\"...\"] "
                        "(so that kassad is PID 1 and gets SIGTERM)"))
    for no, args in last["runs"]:
        for pkg in re.findall(r"(?<![\w.-])([a-z0-9][a-z0-9.+-]*-dev|build-essential|gcc|"
                              r"cmake|clang)(?![\w.+-])", args):
            bad.append((no, "the runtime stage installs %s: runtime libraries only" % pkg))
    return bad


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_dockerfile.py FILE")
    bad = check(open(sys.argv[1], encoding="utf-8").read())
    for no, what in sorted(bad):
        print("%s:%d: %s" % (sys.argv[1], no, what))
    print("check_dockerfile: %d problems" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Fails when a test that tests/required_tests.txt requires for a stage is not about to run.

`ctest --no-tests=error` and pytest catch a stage that runs nothing, but not one missing test: a
test whose target CMake never registers (an option off, a package not found), a renamed test, a
label that drops it from a sanitizer stage. scripts/test.sh runs this before each stage's tests.

  check_required_tests.py --stage release --ctest build/release [-- CTEST_FILTER_ARGS...]
      the names ctest would run in that build, with the stage's own filters (e.g. -LE slow)
  check_required_tests.py --stage python --names collected.txt
      any other list of names, one per line (e.g. pytest node ids from
      `pytest --collect-only -q`, or the fuzz stage's built fuzzers)

The list file has one required test per line, `NAME STAGE...`; `#` starts a comment. A stage with
no required tests is an error, so a stage cannot be checked against an empty list by mistake.
Tests that run but are not listed are printed as a reminder to list them.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def required_names(list_path, stage):
    names = []
    with open(list_path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if len(fields) < 2:
                sys.exit(f"{list_path}:{line_no}: expected 'NAME STAGE...'")
            if stage in fields[1:]:
                names.append(fields[0])
    return names


def ctest_names(build_dir, filters):
    out = subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1", *filters],
                         check=True, capture_output=True, text=True).stdout
    return [t["name"] for t in json.loads(out)["tests"]]


def listed_names(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", default=os.path.join(HERE, "required_tests.txt"))
    ap.add_argument("--stage", required=True)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--ctest", metavar="BUILD_DIR", help="ask ctest which tests this build would run")
    source.add_argument("--names", metavar="FILE", help="the names that will run, one per line")
    ap.add_argument("filters", nargs="*", help="ctest arguments that select the stage's tests (after --)")
    args = ap.parse_args()

    required = required_names(args.list, args.stage)
    if not required:
        sys.exit(f"{args.list} requires no test for stage '{args.stage}': list them")
    present = ctest_names(args.ctest, args.filters) if args.ctest else listed_names(args.names)
    missing = [n for n in required if n not in set(present)]
    unlisted = sorted(set(present) - set(required))
    if unlisted:
        print(f"note: {len(unlisted)} {args.stage} tests are not in {os.path.basename(args.list)}: {', '.join(unlisted)}")
    if missing:
        print(f"FAIL: {len(missing)} required {args.stage} tests would not run: {', '.join(missing)}")
        print("  (a target that was not built, a test CMake did not register, or a label filter dropped it)")
        sys.exit(1)
    print(f"{args.stage}: all {len(required)} required tests are registered")


if __name__ == "__main__":
    main()

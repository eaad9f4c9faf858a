"""Import time of `import tokenmaxx` against `import tiktoken`, measured side by side in one run:
each repetition starts a fresh interpreter for each library (alternating, plus an empty
`python -c pass` as the baseline) and reads the time of the import itself from inside it.
Also lists which heavy standard modules each import loads.

Usage: python3 bench/token/python_import_time.py [--repeat 30]"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

PROBE = r"""
import json, sys, time
before = set(sys.modules)
t = time.perf_counter()
import {name}
elapsed = time.perf_counter() - t
heavy = sorted(m for m in set(sys.modules) - before
               if m.split(".")[0] in ("decimal", "urllib", "http", "email", "ssl", "concurrent", "logging", "regex",
                                      "tempfile", "numpy", "json", "tokenmaxx", "tiktoken"))
print(json.dumps({{"ms": elapsed * 1000, "modules": heavy}}))
"""


def once(name: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(name=name)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"tiktoken": [], "tokenmaxx": []}
    modules = {}
    for _ in range(args.repeat):
        for name in times:
            r = once(name)
            times[name].append(r["ms"])
            modules[name] = r["modules"]
    import tiktoken

    import tokenmaxx

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), {platform.platform()}; Python "
          f"{platform.python_version()}; tiktoken {tiktoken.__version__} vs tokenmaxx {tokenmaxx.__version__}; "
          f"{args.repeat} alternating fresh interpreters each; load average {os.getloadavg()[0]:.2f}.\n")
    print("| import | median | best | vs tiktoken (median) |\n| --- | ---: | ---: | ---: |")
    base = statistics.median(times["tiktoken"])
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| `import {name}` | {med:.1f} ms | {min(values):.1f} ms | {med / base:.2f}x |")
    for name, mods in modules.items():
        others = [m for m in mods if not m.startswith(name)]
        print(f"\n`import {name}` also loads: {', '.join(others) or 'none of decimal, urllib, http, email, ssl, concurrent, logging, regex, tempfile, numpy, json'}")


if __name__ == "__main__":
    main()

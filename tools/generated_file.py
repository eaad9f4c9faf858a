"""The write-or-check step every generator of a checked-in file shares.

write_or_check(path, text, check) writes `text` to `path`, or with check=True leaves the file alone
and returns whether it already holds exactly `text` (a missing file is stale). The tests that keep
generated files fresh run the generators with --check.
"""
import os


def write_or_check(path, text, check):
    if check:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read() == text
        except FileNotFoundError:
            return False
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return True

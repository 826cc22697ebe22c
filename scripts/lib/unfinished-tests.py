#!/usr/bin/env python3
"""Prints the tests of a `swift test` log that started and never ended (passed, failed or skipped).

Used by scripts/test.sh when a run goes over its time limit, to name what hangs.
"""
import collections
import re
import sys

# Swift Testing's console lines: "◇ Test NAME started.", "✔ Test NAME passed after …",
# "✘ Test NAME failed after …", "➜ Test NAME skipped"; NAME is `function(…)` or a quoted string.
LINE = re.compile(r'^\S+ Test (".*?"|[^ ]+\(.*?\))(?: with \d+ test cases?)? (started|passed|failed|skipped)')

open_tests = collections.Counter()
with open(sys.argv[1], errors="replace") as log:
    for line in log:
        match = LINE.match(line)
        if not match:
            continue
        name, what = match.groups()
        open_tests[name] += 1 if what == "started" else -1
unfinished = sorted(name for name, count in open_tests.items() if count > 0)
print("\n".join(unfinished) if unfinished else "(none: the run hung outside any test)")

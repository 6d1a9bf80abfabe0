#!/usr/bin/env python3
"""Headless-Chromium smoke test of the map UI (/map.html) against a running `aula serve`.

    scripts/browser_map.py http://127.0.0.1:8080 [OUT_DIR]

Loads the map in several states (coverage; hot spots; a 10-camera plan; the demo pilot's
evaluation), checks each reaches `data-ready="true"` without an error message, and writes a
screenshot of each to OUT_DIR (default .build-web/artefacts). Needs Debian's `chromium`; uses only
the standard library. Exit status 1 on any failure.
"""
import os
import re
import subprocess
import sys

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
OUT = sys.argv[2] if len(sys.argv) > 2 else ".build-web/artefacts"
STATES = {
    "map": "",
    "hotspots": "?tab=hotspots&hotspots=1",
    "planner": "?tab=planner&plan=10",
    "pilot": "?tab=pilot&evaluate=demo",
}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,900",
         "--virtual-time-budget=30000"]


def chromium(*args):
    return subprocess.run(["chromium", *FLAGS, *args], capture_output=True, text=True, timeout=180)


def main():
    os.makedirs(OUT, exist_ok=True)
    failures = []
    for name, query in STATES.items():
        url = f"{BASE}/map.html{query}"
        dom = chromium("--dump-dom", url).stdout
        if 'data-ready="true"' not in dom:
            failures.append(f"{name}: the page never became ready")
        errors = re.findall(r"Error: [^<]*", dom)
        if errors:
            failures.append(f"{name}: {errors[0]}")
        expect = {"planner": "plan-report\" href", "pilot": "res-value", "hotspots": "hot cells"}.get(name)
        if expect and expect not in dom:
            failures.append(f"{name}: {expect!r} missing from the page")
        shot = os.path.join(OUT, f"{name}.png")
        chromium(f"--screenshot={shot}", url)
        print(f"{name}: {shot} ({os.path.getsize(shot) if os.path.exists(shot) else 0} bytes)")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Headless-Chromium visit of every page of a running `aula demo`, as a newcomer would make it.

    scripts/browser_demo.py http://127.0.0.1:8080 NAME PASSWORD [SECONDS]

Signs in as the demo's administrator and opens each page of the web UI in turn; each must show
something true within SECONDS (default 240) of this script's start (each page is given at least
one 30 s look), or the check fails naming the page and what it lacked. A page counts as empty when it shows nothing of what the demo is for:

  live        the wall (its first four cameras), each tile decoding frames
  cameras     one row per camera;  health: one row per camera, every one streaming
  events      motion events;  alerts: alerts;  playback: recorded runs and motion events of camera 1
  zones       camera 1's zones as the demo set them (an alert zone and an ignore zone)
  map         city-wide coverage above 0 %; hot spots found; a plan of 4 cameras; the pilot's
              before/after evaluation
  guards      equipment, posts and shifts in the ledger
  dispatch    guards on duty on the board and an incident cleared by a guard in its figures
  audit       entries of the audit trail

Prints one JSON line with the seconds at which each page first showed its content (from the start
of this script), and exit status 1 on any failure.
"""
import json
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_auth import open_browser, report, sign_in  # noqa: E402


def rows(element_id, at_least=1):
    return f"(document.getElementById({json.dumps(element_id)})?.children.length || 0) >= {at_least}"


def text_has_nonzero(element_id):
    return (f"(() => {{ const t = document.getElementById({json.dumps(element_id)})?.textContent || '';"
            f" return !/error|ошибка|қате/i.test(t) && /[1-9]/.test(t); }})()")


# (name, path, what it must show, the JavaScript that says it does)
PAGES = [
    ("live", "/live.html", "a wall of tiles, each decoding frames",
     "(() => { const t = window.aulaTiles || []; return t.length >= Math.min(CAMERAS, 4) && t.every(x => x.video.videoWidth > 0 && x.video.currentTime > 0); })()"),
    ("cameras", "/cameras.html", "one row per camera", rows("list", "CAMERAS")),
    ("health", "/health.html", "every camera streaming",
     "(() => { const b = document.getElementById('cameras'); return b && b.children.length >= CAMERAS"
     " && [...b.children].every(r => /streaming|передаёт|таратуда/i.test(r.textContent)); })()"),
    ("events", "/events.html", "motion events", rows("rows")),
    ("alerts", "/alerts.html", "alerts", rows("alerts")),
    ("playback", "/playback.html", "recorded runs and motion events of the first camera",
     "(() => { const s = window.aulaPlayback; return !!s && s.runs.length > 0 && s.events.length > 0; })()"),
    ("zones", "/zones.html?camera=1", "the demo's zones of camera 1",
     "(() => { const s = window.aulaZones?.(); const z = s?.zones || s?.configuration?.zones || [];"
     " return z.some(x => x.kind === 'alert') && z.some(x => x.kind === 'ignore'); })()"),
    ("map", "/map.html", "coverage above 0 %",
     "document.body.dataset.ready === 'true' && [...document.querySelectorAll('#figures td')].some(td => /^\\s*(0*[1-9][0-9]*([.,][0-9]+)?|0[.,]0*[1-9][0-9]*)\\s*%/.test(td.textContent))"),
    ("hotspots", "/map.html?tab=hotspots&hotspots=1", "hot spots of the register",
     "document.body.dataset.ready === 'true' && " + text_has_nonzero("hs-summary")),
    ("plan", "/map.html?tab=planner&plan=4", "a plan for 4 more cameras",
     "document.body.dataset.ready === 'true' && " + text_has_nonzero("plan-summary")),
    ("pilot", "/map.html?tab=pilot&evaluate=demo", "the pilot's evaluation",
     "document.body.dataset.ready === 'true' && " + text_has_nonzero("pilot-summary")),
    ("guards", "/guards.html", "equipment, posts and shifts",
     f"{rows('items', 3)} && {rows('posts')} && {rows('shifts')}"),
    ("dispatch", "/dispatch.html", "guards on duty and an incident cleared by a guard",
     "(() => { const s = window.aulaDispatch; return !!s && (s.duty || []).some(d => d.onDuty)"
     " && (s.figures?.groups || []).some(g => g.cleared > 0); })()"),
    ("audit", "/audit.html", "audit entries", rows("entries", 2)),
]


def main():
    base, name, password = sys.argv[1], sys.argv[2], sys.argv[3]
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 240
    start = time.monotonic()
    failures, seen = [], {}
    browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-demo-"))
    try:
        problem = sign_in(tools, base, name, password, "/live.html")
        if problem:
            failures.append(problem)
            return report(seen, failures)
        cameras = int(tools.evaluate("fetch('/api/cameras').then(r => r.json()).then(c => c.length)") or 0)
        seen["cameraCount"] = cameras
        if cameras == 0:
            failures.append("the demo has no cameras")
        for page, path, wanted, check in PAGES:
            check = check.replace("CAMERAS", str(max(cameras, 1)))
            shown = False
            # A page is opened again while its content may still be coming (alerts and incidents
            # arrive over the first minutes), as a user would reload it.
            while not shown:
                tools.call("Page.navigate", url=f"{base}{path}")
                tools.wait_for(f"location.pathname === {json.dumps(path.split('?')[0])} && document.readyState === 'complete'", timeout=20)
                shown = bool(tools.wait_for(check, timeout=30))
                if shown or time.monotonic() - start >= budget:
                    break
            if shown:
                seen[page] = round(time.monotonic() - start, 1)
            else:
                message = tools.evaluate("document.getElementById('message')?.textContent || document.getElementById('status')?.textContent || ''")
                failures.append(f"{page} ({path}) did not show {wanted} within {budget:.0f} s" + (f": {message}" if message else ""))
    finally:
        browser.kill()
    return report(seen, failures)


if __name__ == "__main__":
    sys.exit(main())

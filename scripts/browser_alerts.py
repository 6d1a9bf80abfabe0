#!/usr/bin/env python3
"""Headless-Chromium check of the operator's alert page against a running `aula demo`.

    scripts/browser_alerts.py http://127.0.0.1:8080 NAME PASSWORD CAMERA_ID

Signs in through the form (an anonymous /alerts.html goes to /login.html), turns motion detection
on for CAMERA_ID through the page's own API module (whole picture, default settings), waits for a
motion alert raised after the page opened to appear live in the list (pushed over /api/alerts/stream), checks that it beeped,
clicks its Acknowledge button and waits for the list to show it acknowledged. Prints one JSON line
with what it saw; exit status 1 on any failure. Needs Debian's `chromium`.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_auth import open_browser, report, sign_in  # noqa: E402

ALERTS = "JSON.stringify([...(window.aulaAlerts || new Map()).values()].map(a => ({id: a.id, kind: a.kind, state: a.state, cameraId: a.cameraId})))"


def main():
    base, name, password, camera = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
    failures = []
    seen = {}
    try:
        problem = sign_in(tools, base, name, password, "/alerts.html")
        if problem:
            failures.append(problem)
        tools.wait_for("window.aulaAlerts !== undefined && document.getElementById('status').textContent !== ''")
        # The demo may have raised alerts before the page opened (its camera 1 analyses motion from
        # the start): the alert to hear is one that arrives live, after them.
        before = tools.evaluate(f"Math.max(0, ...JSON.parse({ALERTS}).map(a => a.id))") or 0
        seen["before"] = before
        saved = tools.evaluate(f"import('/js/api.js').then(m => m.api('/api/cameras/{camera}/motion', {{method: 'PUT', body: {{enabled: true, zones: []}}}})).then(r => JSON.stringify(r)).catch(e => 'ERROR ' + e.message)")
        seen["saved"] = saved
        if not saved or saved.startswith("ERROR"):
            failures.append(f"saving the motion settings failed: {saved}")
        alert_id = tools.wait_for(f"(() => {{ const a = JSON.parse({ALERTS}).find(a => a.kind === 'motion' && a.state === 'open' && a.cameraId === {camera} && a.id > {before}); return a ? a.id : null; }})()", timeout=60)
        seen["alert"] = alert_id
        if not alert_id:
            failures.append("no motion alert appeared on the page within 60 s")
        else:
            seen["beeps"] = tools.evaluate("window.aulaBeeps")
            if not seen["beeps"]:
                failures.append("the page did not beep for the new alert")
            clicked = tools.evaluate(f"(() => {{ const b = document.querySelector('li.alert[data-id=\"{alert_id}\"] button.ack'); if (!b) return false; b.click(); return true; }})()")
            if not clicked:
                failures.append("the alert has no Acknowledge button")
            if not tools.wait_for(f"JSON.parse({ALERTS}).some(a => a.id === {alert_id} && a.state === 'acknowledged')", timeout=15):
                failures.append("acknowledging did not show the alert as acknowledged")
        seen["alerts"] = json.loads(tools.evaluate(ALERTS) or "[]")[:10]
    finally:
        browser.kill()
    return report(seen, failures)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Headless-Chromium check of the live wall against a running `aula demo` or `aula serve`.

    scripts/browser_live.py http://127.0.0.1:8080 NAME PASSWORD TILES WIDTH HEIGHT [SCREENSHOT.png]

Signs in through the form (an anonymous /live.html goes to /login.html), opens /live.html?tiles=N
and asserts that every tile decodes frames: `getVideoPlaybackQuality().totalVideoFrames` grows over
two seconds and `videoWidth`/`videoHeight` match the cameras. Saves a screenshot when asked.
Prints one JSON line with what it saw; exit status 1 on any failure. Needs Debian's `chromium`.
"""
import base64
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_auth import open_browser, report, sign_in  # noqa: E402  (the DevTools driver, standard library only)

FRAMES = "JSON.stringify((window.aulaTiles || []).map(t => ({id: t.camera.id, frames: t.video.getVideoPlaybackQuality().totalVideoFrames, w: t.video.videoWidth, h: t.video.videoHeight, state: t.state.textContent})))"


def main():
    base, name, password, tiles, width, height = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    screenshot = sys.argv[7] if len(sys.argv) > 7 else None
    browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
    failures = []
    seen = {}
    try:
        problem = sign_in(tools, base, name, password, f"/live.html?tiles={tiles}")
        if problem:
            failures.append(problem)
        if not tools.wait_for("(window.aulaTiles || []).length > 0"):
            failures.append("the live wall shows no tiles")
        first = json.loads(tools.wait_for(f"(() => {{ const t = {FRAMES}; return JSON.parse(t).length === {tiles} && JSON.parse(t).every(x => x.frames > 10) ? t : null; }})()", timeout=40) or "[]")
        time.sleep(2)
        second = json.loads(tools.evaluate(FRAMES) or "[]")
        seen = {"first": first, "second": second}
        if len(second) != tiles:
            failures.append(f"{len(second)} tiles decoding, expected {tiles}: {second}")
        for before, after in zip(first, second):
            if after["frames"] <= before["frames"]:
                failures.append(f"camera {after['id']}: no new frames decoded ({before['frames']} → {after['frames']})")
            if (after["w"], after["h"]) != (width, height):
                failures.append(f"camera {after['id']}: video is {after['w']}x{after['h']}, the camera sends {width}x{height}")
        if screenshot:
            shot = tools.call("Page.captureScreenshot", format="png")
            with open(screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
    finally:
        browser.kill()
    return report(seen, failures)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Headless-Chromium check of the live wall against a running `aula demo` or `aula serve`.

    scripts/browser_live.py http://127.0.0.1:8080 NAME PASSWORD TILES|CAMERA WIDTH HEIGHT [SCREENSHOT.png] [--source S] [--refused N]

Signs in through the form (an anonymous /live.html goes to /login.html), opens /live.html?tiles=N
(or, with `camera=ID`, that camera full size) and asserts that every tile decodes frames:
`getVideoPlaybackQuality().totalVideoFrames` grows over two seconds and `videoWidth`/`videoHeight`
are the stream's (a wall shows sub streams). With `--source`, every tile must have been served that
stream (main, sub, transcoded, masked: what the server chose for what this browser decodes).
With `--refused N`, exactly N tiles must instead say why the server refused them (a conversion
bound reached: the tile's state is an error naming H.264, never "reconnecting"), in the page's
language, and the others decode. Saves a screenshot when asked.
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

FRAMES = "JSON.stringify((window.aulaTiles || []).map(t => ({id: t.camera.id, frames: t.video.getVideoPlaybackQuality().totalVideoFrames, w: t.video.videoWidth, h: t.video.videoHeight, state: t.state.textContent, kind: t.state.className, source: t.source})))"


def main():
    args = sys.argv[1:]
    source = None
    if "--source" in args:
        at = args.index("--source")
        source = args[at + 1]
        del args[at:at + 2]
    refused = 0
    if "--refused" in args:
        at = args.index("--refused")
        refused = int(args[at + 1])
        del args[at:at + 2]
    base, name, password, page, width, height = args[0], args[1], args[2], args[3], int(args[4]), int(args[5])
    screenshot = args[6] if len(args) > 6 else None
    if page.startswith("camera="):
        path, tiles = f"/live.html?{page}", 1
    else:
        path, tiles = f"/live.html?tiles={int(page)}", int(page)
    browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
    failures = []
    seen = {}
    try:
        problem = sign_in(tools, base, name, password, path)
        if problem:
            failures.append(problem)
        if not tools.wait_for("(window.aulaTiles || []).length > 0"):
            failures.append("the live wall shows no tiles")
        first = json.loads(tools.wait_for(f"(() => {{ const t = {FRAMES}; const all = JSON.parse(t); return all.length === {tiles} && all.filter(x => x.frames > 10).length === {tiles - refused} && all.filter(x => x.kind.includes('error')).length === {refused} ? t : null; }})()", timeout=40) or "[]")
        time.sleep(2)
        second = json.loads(tools.evaluate(FRAMES) or "[]")
        seen["refusals"] = [x["state"] for x in second if "error" in x.get("kind", "")]
        if len(seen["refusals"]) != refused:
            failures.append(f"{len(seen['refusals'])} tiles say why they were refused, expected {refused}: {second}")
        for text in seen["refusals"]:
            if "H.264" not in text or "reconnecting" in text:
                failures.append(f"a refused tile says {text!r}, not why")
        second = [x for x in second if "error" not in x.get("kind", "")]
        first = [x for x in first if "error" not in x.get("kind", "")]
        seen.update({"first": first, "second": second, "codecs": tools.evaluate("window.aulaCodecs")})
        if len(second) != tiles - refused:
            failures.append(f"{len(second)} tiles decoding, expected {tiles - refused}: {second}")
        for before, after in zip(first, second):
            if after["frames"] <= before["frames"]:
                failures.append(f"camera {after['id']}: no new frames decoded ({before['frames']} → {after['frames']})")
            if (after["w"], after["h"]) != (width, height):
                failures.append(f"camera {after['id']}: video is {after['w']}x{after['h']}, the stream is {width}x{height}")
            if source and after.get("source") != source:
                failures.append(f"camera {after['id']}: served the {after.get('source')} stream, expected {source}")
        if screenshot:
            shot = tools.call("Page.captureScreenshot", format="png")
            with open(screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
    finally:
        browser.kill()
    return report(seen, failures)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Headless-Chromium check of continuous playback against a running `aula demo` (docs/ui.md, "Playback").

    scripts/browser_playback.py http://127.0.0.1:8080 NAME PASSWORD WIDTH HEIGHT ARTIFACTS_DIR

With real mouse events, on /playback.html, the first camera that analyses motion (a courtyard camera
of the demo; the scene must loop for longer than 10 s to have someone cross it):
  1. waits until the camera has rotated into a second sample file, then makes a reconnect: the
     camera's address is changed to a closed port and back (PATCH /api/cameras/ID), so the
     recorder ends the run and starts a new one after a gap;
  2. clicks the timeline 1 s into the first run and plays at 16×: playback must run on through the
     rotation, from piece to piece and over the gap into the second run without stopping (the
     wall time shown and the frames decoded keep advancing; no stall longer than 2 s), and say
     that it skipped the gap;
  3. scrubs: drags along the timeline, the preview shows a recorded key frame of the camera's size,
     and playback goes on from where the mouse is let go;
  4. pauses and steps one frame forward and one back;
  5. jumps to the next motion event (the demo's courtyard cameras see someone every ~10 s);
  6. Shift-drags a range on the timeline: the download link names that range and answers video/mp4.
Screenshots go to ARTIFACTS_DIR. Prints one JSON line of figures; exit status 1 on any failure.
"""
import base64
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_auth import open_browser, report, sign_in  # noqa: E402

STATE = """(() => { const s = window.aulaPlayback || {}, v = document.getElementById('video');
  return {position: s.position ? s.position.getTime() : null, frames: s.framesDecoded || 0, paused: v.paused, rate: v.playbackRate,
          time: v.currentTime, w: v.videoWidth, h: v.videoHeight, gaps: (s.gapsSkipped || []).map(g => [g.from.getTime(), g.to.getTime(), g.how]),
          pieces: s.player ? s.player.pieces : 0, waiting: !!s.waiting, error: s.error || null, first: s.firstFrameMs, preview: s.previewMs,
          notice: document.getElementById('notice') && !document.getElementById('notice').hidden ? document.getElementById('notice').textContent : ''}; })()"""


def mouse(tools, kind, x, y, modifiers=0, buttons=1):
    tools.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", buttons=buttons, clickCount=1, modifiers=modifiers)


MISSING = []


def click(tools, selector):
    """A real click in the middle of the element; a missing element is a failure, not the end."""
    box = tools.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null; const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()")
    if not box:
        MISSING.append(selector)
        return
    mouse(tools, "mousePressed", box[0], box[1])
    mouse(tools, "mouseReleased", box[0], box[1], buttons=0)


def x_of(tools, ms):
    """The timeline's x (and a y inside it) for a wall time in ms."""
    return tools.evaluate(f"""(() => {{ const s = window.aulaPlayback, r = document.getElementById('timeline').getBoundingClientRect();
        return [r.left + r.width * ({ms} - s.windowStart) / (s.windowEnd - s.windowStart), r.top + 12]; }})()""")


CAMERA = 1


def listing(tools):
    return tools.evaluate(f"""(async () => {{ const end = new Date(), start = new Date(end - 30 * 60000);
        const r = await fetch(`/api/cameras/{CAMERA}/recordings?start=${{start.toISOString()}}&end=${{end.toISOString()}}`);
        const l = await r.json(); return l.runs.map(x => [Date.parse(x.start), Date.parse(x.end), x.recordings]); }})()""")


def patch_camera(tools, body):
    return tools.evaluate(f"""(async () => {{ const m = document.cookie.match(/(?:^|;\\s*)aula_csrf=([^;]*)/);
        const r = await fetch('/api/cameras/{CAMERA}', {{method: 'PATCH', headers: {{'content-type': 'application/json', 'X-CSRF-Token': m ? decodeURIComponent(m[1]) : ''}},
                                                  body: JSON.stringify({json.dumps(body)})}});
        return r.status; }})()""")


def screenshot(tools, path):
    shot = tools.call("Page.captureScreenshot", format="png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def main():
    base, name, password, width, height, artifacts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    os.makedirs(artifacts, exist_ok=True)
    browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
    tools.call("Emulation.setDeviceMetricsOverride", width=1400, height=900, deviceScaleFactor=1, mobile=False)
    failures = []
    seen = {}
    try:
        global CAMERA
        problem = sign_in(tools, base, name, password, "/playback.html")
        if problem:
            failures.append(problem)
        CAMERA = tools.wait_for("""(async () => { const cameras = await (await fetch('/api/cameras')).json();
            for (const c of cameras) { const m = await fetch(`/api/cameras/${c.id}/motion`); if (m.ok && (await m.json()).enabled) return c.id; }
            return null; })()""", timeout=30)
        seen["camera"] = CAMERA
        if not CAMERA:
            failures.append("no camera of the demo analyses motion")
            return report(seen, failures)
        tools.call("Page.navigate", url=f"{base}/playback.html?camera={CAMERA}")
        if not tools.wait_for("document.body.dataset.ready === 'true'", timeout=60):
            failures.append("the page did not get ready")
            return report(seen, failures)

        # 1. A rotation (a second sample file in the first run), then a reconnect.
        deadline = time.time() + 150
        runs = []
        while time.time() < deadline:
            runs = listing(tools) or []
            if runs and runs[0][2] >= 2 and runs[0][1] - runs[0][0] >= 62_000:
                break
            time.sleep(1)
        seen["runsBefore"] = runs
        if not runs or runs[0][2] < 2:
            failures.append(f"camera {CAMERA} did not rotate into a second sample file: {runs}")
            return report(seen, failures)
        camera = tools.evaluate(f"fetch('/api/cameras/{CAMERA}').then(r => r.json())")
        url = camera["rtspUrl"]
        if patch_camera(tools, {"rtspUrl": "rtsp://127.0.0.1:9/closed"}) != 200:
            failures.append("could not change camera 1's address")
        time.sleep(4)
        if patch_camera(tools, {"rtspUrl": url}) != 200:
            failures.append("could not change camera 1's address back")
        deadline = time.time() + 60
        while time.time() < deadline:
            runs = listing(tools) or []
            if len(runs) >= 2 and runs[-1][1] - runs[-1][0] >= 10_000:
                break
            time.sleep(1)
        seen["runs"] = runs
        if len(runs) < 2:
            failures.append(f"no second run after the reconnect: {runs}")
            return report(seen, failures)
        first, second = runs[-2], runs[-1]
        seen["gap"] = [first[1], second[0]]

        # 2. Play from 1 s into the first run at 16× through the rotation, pieces and the gap.
        tools.evaluate("document.getElementById('window').value = '600'; document.getElementById('now').click(); true")
        tools.wait_for(f"window.aulaPlayback.runs.length >= 2 && window.aulaPlayback.windowStart <= {first[0]}", timeout=10)
        click(tools, "button.speed[data-rate='16']")
        px, py = x_of(tools, first[0] + 1000)
        mouse(tools, "mousePressed", px, py)
        mouse(tools, "mouseReleased", px, py, buttons=0)
        if not tools.wait_for("window.aulaPlayback.firstFrameMs !== null", timeout=15):
            failures.append("clicking the timeline showed no frame: " + json.dumps(tools.evaluate(STATE)))
        seen["seekMs"] = tools.evaluate("window.aulaPlayback.firstFrameMs")
        samples = []
        deadline = time.time() + 60
        target = second[0] + 3000
        while time.time() < deadline:
            s = tools.evaluate(STATE)
            samples.append((time.time(), s))
            if s["position"] and s["position"] >= target:
                break
            time.sleep(0.25)
        last = samples[-1][1]
        seen["afterGap"] = last
        if not last["position"] or last["position"] < target:
            failures.append(f"playback did not run on past the gap into the second run (at {last['position']}, wanted {target}): {last}")
        if last["rate"] != 16:
            failures.append(f"16× did not set the rate: {last['rate']}")
        # No stop on the way: the wall time shown and the frames decoded advance at every step
        # of 2 s.
        stall = 0.0
        changed_at, previous = samples[0][0], samples[0][1]
        for t, s in samples[1:]:
            if (s["position"] or 0) > (previous["position"] or 0) and (s["frames"] or 0) > (previous["frames"] or 0):
                changed_at = t
            stall = max(stall, t - changed_at)
            previous = s
        seen["longestStallSeconds"] = round(stall, 2)
        if stall > 2.0:
            failures.append(f"playback stopped for {stall:.1f} s on the way")
        covered = (last["position"] or 0) - (first[0] + 1000)
        seen["playedSeconds"] = covered / 1000
        seen["pieces"] = last["pieces"]
        if last["pieces"] < 2:
            failures.append(f"playback did not go on from piece to piece: {last['pieces']}")
        if not any(abs(g[0] - first[1]) < 1500 and abs(g[1] - second[0]) < 1500 for g in last["gaps"]):
            failures.append(f"the gap {first[1]}–{second[0]} was not skipped with a notice: {last['gaps']}")
        if not samples or not any(s["notice"] for _, s in samples):
            failures.append("no notice said that a gap was skipped")
        seen["noticeText"] = next((s["notice"] for _, s in samples if s["notice"]), "")
        if (last["w"], last["h"]) != (width, height):
            failures.append(f"video is {last['w']}x{last['h']}, the camera sends {width}x{height}")
        screenshot(tools, os.path.join(artifacts, "playback-continuous.png"))
        click(tools, "button.speed[data-rate='1']")

        # 3. Scrub: drag from 10 s into the first run to 30 s into it; the preview shows a
        #    picture; playback goes on from where the mouse is let go.
        tools.evaluate(f"window.aulaPlayback.scrubPreviews = 0; true")
        x0, y0 = x_of(tools, first[0] + 10_000)
        x1, _ = x_of(tools, first[0] + 30_000)
        mouse(tools, "mousePressed", x0, y0)
        for i in range(1, 11):
            mouse(tools, "mouseMoved", x0 + (x1 - x0) * i / 10, y0)
            time.sleep(0.05)
        preview = tools.wait_for("""(() => { const i = document.getElementById('scrub-image'), p = document.getElementById('scrub-preview');
            return !p.hidden && i.complete && i.naturalWidth > 0 && window.aulaPlayback.scrubPreviews > 0 ? [i.naturalWidth, i.naturalHeight, window.aulaPlayback.scrubPreviews] : null; })()""", timeout=5)
        seen["scrubPreview"] = preview
        if not preview or preview[:2] != [width, height]:
            failures.append(f"dragging the timeline showed no preview picture of {width}x{height}: {preview}")
        screenshot(tools, os.path.join(artifacts, "playback-scrub.png"))
        let_go = tools.evaluate(f"""(() => {{ const s = window.aulaPlayback, r = document.getElementById('timeline').getBoundingClientRect();
            return s.windowStart.getTime() + ({x1} - r.left) / r.width * (s.windowEnd - s.windowStart); }})()""")
        mouse(tools, "mouseReleased", x1, y0, buttons=0)
        landed = tools.wait_for(f"(() => {{ const s = window.aulaPlayback; return s.firstFrameMs !== null && s.position && Math.abs(s.position - {let_go}) < 3000 ? s.position.getTime() : null; }})()", timeout=10)
        seen["scrubbedTo"] = [let_go, landed]
        if not landed:
            failures.append(f"after the drag, playback is not where the mouse was let go ({let_go}): {tools.evaluate(STATE)}")

        # 4. Frame by frame.
        click(tools, "#pause")
        tools.wait_for("document.getElementById('video').paused")
        time.sleep(0.3)
        before = tools.evaluate("document.getElementById('video').currentTime")
        click(tools, "#step-forward")
        forward = tools.wait_for(f"(() => {{ const v = document.getElementById('video'); return v.paused && !v.seeking && v.currentTime > {before} ? v.currentTime : null; }})()", timeout=5)
        click(tools, "#step-back")
        back = tools.wait_for(f"(() => {{ const v = document.getElementById('video'); return v.paused && !v.seeking && v.currentTime < {forward or 0} ? v.currentTime : null; }})()", timeout=5)
        seen["steps"] = [before, forward, back]
        if forward is None or not (0.01 < forward - before < 0.2):
            failures.append(f"one frame forward moved from {before} to {forward}")
        if back is None or forward is None or not (0.01 < forward - back < 0.2):
            failures.append(f"one frame back moved from {forward} to {back}")

        # 5. The next motion event after a moment before one.
        events = tools.wait_for(f"""(async () => {{ const end = new Date(), start = new Date(end - 30 * 60000);
            const r = await fetch(`/api/events?camera={CAMERA}&start=${{start.toISOString()}}&end=${{end.toISOString()}}`);
            const e = (await r.json()).events.map(e => Date.parse(e.start)).sort((a, b) => a - b); return e.length ? e : null; }})()""", timeout=90)
        if not events:
            failures.append(f"the demo recorded no motion event of camera {CAMERA}")
        else:
            target = events[0]
            from_ms = target - 4000
            tools.evaluate(f"window.aulaPlayback.player.seek({from_ms}, {{play: false}}); true")
            tools.wait_for(f"window.aulaPlayback.position && Math.abs(window.aulaPlayback.position - {from_ms}) < 1500", timeout=10)
            later = [e for e in events if e > from_ms + 500]
            click(tools, "#next-event")
            jumped = tools.wait_for(f"(() => {{ const s = window.aulaPlayback; return s.eventJumps > 0 && s.firstFrameMs !== null && s.position && Math.abs(s.position - {later[0]}) < 1000 ? s.position.getTime() : null; }})()", timeout=10)
            seen["nextEvent"] = [later[0], jumped]
            if not jumped:
                failures.append(f"next event did not go to the motion at {later[0]}: {tools.evaluate(STATE)}")

        # 6. A range by Shift-drag: the download link names it and answers video/mp4.
        a, b = first[0] + 5000, first[0] + 25_000
        xa, ya = x_of(tools, a)
        xb, _ = x_of(tools, b)
        mouse(tools, "mousePressed", xa, ya, modifiers=8)
        for i in range(1, 6):
            mouse(tools, "mouseMoved", xa + (xb - xa) * i / 5, ya, modifiers=8)
        mouse(tools, "mouseReleased", xb, ya, modifiers=8, buttons=0)
        chosen = tools.evaluate("(() => { const s = window.aulaPlayback.selection; return s ? [s.start.getTime(), s.end.getTime(), document.getElementById('download').href] : null; })()")
        seen["range"] = chosen
        if not chosen or abs(chosen[0] - a) > 3000 or abs(chosen[1] - b) > 3000:
            failures.append(f"Shift-drag did not choose the range {a}–{b}: {chosen}")
        else:
            head = tools.evaluate(f"fetch({json.dumps(chosen[2])}, {{method: 'HEAD'}}).then(r => [r.status, r.headers.get('content-type'), Number(r.headers.get('content-length'))])")
            seen["download"] = head
            if not head or head[0] != 200 or head[1] != "video/mp4" or head[2] < 1000:
                failures.append(f"the chosen range does not download as MP4: {head}")
        screenshot(tools, os.path.join(artifacts, "playback-range.png"))
        errors = tools.evaluate("window.aulaPlayback.error")
        if errors:
            failures.append(f"the player reported an error: {errors}")
    finally:
        browser.kill()
    failures += [f"the page has no {selector}" for selector in MISSING]
    return report(seen, failures)


if __name__ == "__main__":
    sys.exit(main())

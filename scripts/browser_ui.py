#!/usr/bin/env python3
"""Headless-Chromium check of the operator UI against a running `aula demo` (docs/ui.md).

    scripts/browser_ui.py http://127.0.0.1:8080 NAME PASSWORD WIDTH HEIGHT ARTIFACTS_DIR

Signs in through the form and then, as a user would:
  1. playback: waits for recorded runs on the timeline, clicks the timeline inside a run, and
     asserts the <video> decodes frames at the camera's size; switches to 2×; jumps to a typed
     date and time; draws motion events when /api/events answers (and none while it is absent);
     downloads the range
     by clicking the download link (the file must arrive and ffprobe must read the camera's size)
     and fetches the same address with the page's cookies (Content-Disposition, video/mp4);
  2. language: switches to Russian, then Kazakh, and asserts the visible strings change; the
     choice survives a reload (localStorage);
  3. health: one row per camera with state, uptime and gaps;
  4. snapshot: the wall's first tile opens that camera full size; its snapshot button shows a JPEG
     of the camera's size; the JPEG fetched directly is decoded by ffprobe at that size;
  5. cameras: the administrator's connection test of a demo camera reports codec and size, and a
     closed port gives an error in words.
Screenshots go to ARTIFACTS_DIR. Prints one JSON line of figures; exit status 1 on any failure.
"""
import base64
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_auth import open_browser, report, sign_in  # noqa: E402


def click(tools, selector):
    """A real mouse click in the middle of the element."""
    box = tools.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null; const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()")
    if not box:
        raise RuntimeError(f"nothing to click at {selector} on {tools.evaluate('location.href')}")
    mouse(tools, box[0], box[1])


def mouse(tools, x, y):
    for kind in ("mousePressed", "mouseReleased"):
        tools.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def screenshot(tools, path):
    shot = tools.call("Page.captureScreenshot", format="png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def probe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=codec_name,width,height,nb_read_frames", "-of", "json", path], capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr
    streams = json.loads(out.stdout).get("streams", [])
    return (streams[0] if streams else None), out.stderr


def fetch_bytes(tools, url):
    """Fetches `url` from the page (its cookies) and returns (status, headers, bytes)."""
    result = tools.evaluate(f"""(async () => {{
        const r = await fetch({json.dumps(url)});
        const b = new Uint8Array(await r.arrayBuffer());
        let s = ''; for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
        return {{status: r.status, headers: Object.fromEntries(r.headers.entries()), body: btoa(s)}}; }})()""")
    return result["status"], result["headers"], base64.b64decode(result["body"])


def main():
    base, name, password, width, height, artifacts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    os.makedirs(artifacts, exist_ok=True)
    downloads = tempfile.mkdtemp(prefix="aula-downloads-")
    browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
    # A desktop operator's screen (headless Chromium defaults to 800 × 600).
    tools.call("Emulation.setDeviceMetricsOverride", width=1400, height=900, deviceScaleFactor=1, mobile=False)
    failures = []
    seen = {}
    try:
        problem = sign_in(tools, base, name, password, "/playback.html")
        if problem:
            failures.append(problem)
        # 1. Playback: a run of at least 12 s on the 10-minute timeline.
        if not tools.wait_for("document.body.dataset.ready === 'true'", timeout=60):
            failures.append("playback: the page did not get ready: " + str(tools.evaluate("document.getElementById('message')?.textContent")))
        tools.evaluate("document.getElementById('window').value = '600'; document.getElementById('length').value = '10'; true")
        run = None
        deadline = time.time() + 60
        while time.time() < deadline and not run:
            click(tools, "#now")
            time.sleep(1.5)
            run = tools.evaluate("(() => { const r = (window.aulaPlayback.runs || []).find(r => r.end - r.start >= 12000); return r ? [r.start.toISOString(), r.end.toISOString()] : null; })()")
        if not run:
            failures.append(f"the timeline shows no recorded run of 12 s: {tools.evaluate('JSON.stringify(window.aulaPlayback.runs)')}")
        else:
            seen["run"] = run
            # Click 1 s into the run.
            point = tools.evaluate(f"""(() => {{ const s = window.aulaPlayback, r = document.getElementById('timeline').getBoundingClientRect();
                const at = new Date({json.dumps(run[0])}).getTime() + 1000;
                return [r.left + r.width * (at - s.windowStart) / (s.windowEnd - s.windowStart), r.top + 10]; }})()""")
            mouse(tools, point[0], point[1])
            decoded = tools.wait_for("(() => { const v = document.getElementById('video'); const n = v.getVideoPlaybackQuality().totalVideoFrames; return n > 10 && window.aulaPlayback.firstFrameMs !== null ? {frames: n, w: v.videoWidth, h: v.videoHeight, first: window.aulaPlayback.firstFrameMs} : null; })()", timeout=30)
            seen["playback"] = decoded
            if not decoded:
                failures.append("playback: the video decoded no frames: " + str(tools.evaluate("JSON.stringify({src: document.getElementById('video').src, error: window.aulaPlayback.error, message: document.getElementById('message').textContent})")))
            elif (decoded["w"], decoded["h"]) != (width, height):
                failures.append(f"playback: video is {decoded['w']}x{decoded['h']}, the camera sends {width}x{height}")
            selection = tools.evaluate("(() => { const s = window.aulaPlayback.selection; return s ? [s.start.toISOString(), s.end.toISOString()] : null; })()")
            if not selection or not (run[0] <= selection[0] < run[1]):
                failures.append(f"playback: the range chosen {selection} does not start inside the run clicked {run}")
            click(tools, "button.speed[data-rate='2']")
            rate = tools.wait_for("document.getElementById('video').playbackRate === 2")
            if not rate:
                failures.append("playback: 2× did not set the playback rate")
            screenshot(tools, os.path.join(artifacts, "ui-playback.png"))
            # Download the range: a real download through the link, and the same URL fetched.
            href = tools.evaluate("document.getElementById('download').href")
            status, headers, body = fetch_bytes(tools, href)
            disposition = headers.get("content-disposition", "")
            if status != 200 or "attachment" not in disposition or ".mp4" not in disposition or headers.get("content-type") != "video/mp4" or len(body) < 1000:
                failures.append(f"download: {status} {headers} {len(body)} bytes")
            saved = tools.session
            tools.session = None
            tools.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=downloads, eventsEnabled=True)
            tools.session = saved
            click(tools, "#download")
            files = []
            deadline = time.time() + 20
            while time.time() < deadline and not files:
                time.sleep(0.3)
                files = [f for f in glob.glob(os.path.join(downloads, "*")) if not f.endswith(".crdownload")]
            if not files:
                failures.append("download: no file arrived from the download link")
            else:
                stream, errors = probe(files[0])
                seen["download"] = {"file": os.path.basename(files[0]), "bytes": os.path.getsize(files[0]), "stream": stream}
                if not stream or (stream.get("width"), stream.get("height")) != (width, height) or int(stream.get("nb_read_frames", 0)) < 10:
                    failures.append(f"download: ffprobe does not read a {width}x{height} video with frames: {stream} {errors[-500:]}")

            # Jump to a date and time (typed in the browser's zone): the range starts there.
            jumped = tools.evaluate(f"""(async () => {{
                const at = new Date(new Date({json.dumps(run[0])}).getTime() + 3000), pad = (n) => String(n).padStart(2, '0');
                document.getElementById('jump').value = `${{at.getFullYear()}}-${{pad(at.getMonth() + 1)}}-${{pad(at.getDate())}}T${{pad(at.getHours())}}:${{pad(at.getMinutes())}}:${{pad(at.getSeconds())}}`;
                document.getElementById('show').click();
                for (let i = 0; i < 50 && !(window.aulaPlayback.selection && Math.abs(window.aulaPlayback.selection.start - at) < 1000); i++) await new Promise(r => setTimeout(r, 100));
                const s = window.aulaPlayback.selection;
                return s ? [s.start.getTime() - at.getTime(), window.aulaPlayback.windowStart <= at && at <= window.aulaPlayback.windowEnd] : null; }})()""")
            seen["jump"] = jumped
            if not jumped or abs(jumped[0]) >= 1000 or not jumped[1]:
                failures.append(f"jump to date and time: the range does not start at the moment typed: {jumped}")

        # Motion events: none drawn while the server has no /api/events (a 404 is ignored) ...
        if tools.evaluate("document.querySelectorAll('#timeline .event').length") != 0:
            failures.append("motion events drawn without an events API")
        # ... and drawn when it answers (the page's fetch of /api/events answered in the page).
        drawn = tools.evaluate("""(async () => {
            const real = window.fetch, start = new Date(Date.now() - 60000), end = new Date(Date.now() - 50000);
            window.fetch = (url, options) => String(url).startsWith('/api/events?')
              ? Promise.resolve(new Response(JSON.stringify({events: [{id: 1, cameraId: 1, zone: 'entrance', start: start.toISOString(), end: end.toISOString(), peakScore: 0.8}]}), {status: 200, headers: {'content-type': 'application/json'}}))
              : real(url, options);
            document.getElementById('jump').value = '';
            document.getElementById('now').click();
            for (let i = 0; i < 50 && !document.querySelector('#timeline .event'); i++) await new Promise(r => setTimeout(r, 100));
            window.fetch = real;
            const e = document.querySelector('#timeline .event');
            return e ? [document.querySelectorAll('#timeline .event').length, e.title, parseFloat(e.style.left)] : null; })()""")
        seen["events"] = drawn
        if not drawn or drawn[0] != 1 or "entrance" not in drawn[1] or not (0 < drawn[2] < 100):
            failures.append(f"motion events: an event from /api/events is not drawn on the timeline: {drawn}")

        # 2. Language: Russian, then Kazakh; persists across a reload.
        for lang, nav, play in (("ru", "Архив", "Воспроизвести"), ("kk", "Мұрағат", "Ойнату")):
            tools.evaluate(f"(() => {{ const s = document.getElementById('language'); s.value = '{lang}'; s.dispatchEvent(new Event('change')); return true; }})()")
            ok = tools.wait_for(f"document.querySelector('header a[href=\"/playback.html\"]').textContent === {json.dumps(nav)} && document.getElementById('play').textContent === {json.dumps(play)} && document.documentElement.lang === '{lang}'")
            if not ok:
                failures.append(f"language {lang}: visible strings did not change: " + str(tools.evaluate("document.querySelector('header').textContent")))
        zone = tools.evaluate("document.querySelector('.axis span')?.textContent || ''")
        seen["axisLabel"] = zone
        tools.call("Page.reload")
        time.sleep(0.5)
        if not tools.wait_for("document.body.dataset.ready === 'true' && document.getElementById('play').textContent === 'Ойнату'"):
            failures.append("language: Kazakh did not survive a reload")

        # 3. Health (still in Kazakh).
        tools.call("Page.navigate", url=f"{base}/health.html")
        # One row per camera, and beneath each the row of its sub stream (the demo's cameras have one).
        cameras = tools.wait_for("window.aulaHealth && window.aulaHealth.rows > 0 && document.querySelectorAll('#cameras tr:not(.sub-stream)').length === window.aulaHealth.rows ? window.aulaHealth.rows : null")
        rows = tools.evaluate("[...document.querySelectorAll('#cameras tr:not(.sub-stream)')].map(tr => [...tr.children].map(td => td.textContent))") or []
        seen["health"] = rows[:2]
        if not cameras:
            failures.append("health: no camera rows")
        for row in rows:
            if row[2] != "таратуда" or "%" not in row[7] or "320" not in row[3]:
                failures.append(f"health: row does not show a streaming camera with its uptime and size (in Kazakh): {row}")
        tools.wait_for("[...document.querySelectorAll('#cameras tr.sub-stream')].every(tr => tr.children[2].textContent === 'таратуда') || null", timeout=20)
        subs = tools.evaluate("[...document.querySelectorAll('#cameras tr.sub-stream')].map(tr => [...tr.children].map(td => td.textContent))") or []
        seen["health-sub"] = subs[:1]
        if len(subs) != len(rows):
            failures.append(f"health: {len(subs)} sub-stream rows for {len(rows)} cameras")
        for row in subs:
            if row[2] != "таратуда" or "160" not in row[3]:
                failures.append(f"health: a sub-stream row does not show it streaming at its size: {row}")
        if tools.evaluate("document.querySelector('thead th:nth-child(3)').textContent") != "Күйі":
            failures.append("health: the table head is not in Kazakh")
        screenshot(tools, os.path.join(artifacts, "ui-health.png"))

        # 4. The wall: a click on a tile opens that camera full size, with a snapshot button.
        tools.call("Page.navigate", url=f"{base}/live.html?tiles=4")
        tools.wait_for("(window.aulaTiles || []).length > 0")
        camera = tools.evaluate("window.aulaTiles[0].camera.id")
        click(tools, ".tile")
        if not tools.wait_for(f"location.search === '?camera={camera}' && (window.aulaTiles || []).length === 1 && window.aulaTiles[0].video.getVideoPlaybackQuality().totalVideoFrames > 5", timeout=30):
            failures.append("wall: clicking a tile did not open the camera full size and playing")
        click(tools, "#snapshot")
        shown = tools.wait_for("(() => { const i = document.getElementById('snapshot-image'); return i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight] : null; })()")
        if shown != [width, height]:
            failures.append(f"snapshot button: picture shown is {shown}, the camera sends {width}x{height}")
        screenshot(tools, os.path.join(artifacts, "ui-camera-snapshot.png"))
        status, headers, body = fetch_bytes(tools, f"/api/cameras/{camera}/snapshot.jpg")
        jpeg = os.path.join(artifacts, "ui-snapshot.jpg")
        with open(jpeg, "wb") as f:
            f.write(body)
        stream, errors = probe(jpeg)
        seen["snapshot"] = {"status": status, "bytes": len(body), "stream": stream, "frameTime": headers.get("x-aula-frame-time")}
        if status != 200 or headers.get("content-type") != "image/jpeg" or not stream or stream.get("codec_name") != "mjpeg" or (stream.get("width"), stream.get("height")) != (width, height):
            failures.append(f"snapshot: {status} {headers.get('content-type')} {stream} {errors[-300:]}")

        # 5. Camera administration: test a demo camera's address, and a closed port.
        tools.call("Page.navigate", url=f"{base}/cameras.html")
        tools.wait_for("document.body.dataset.ready === 'true' && document.querySelectorAll('#list tr').length > 0")
        click(tools, "#list tr button")
        if not tools.wait_for("document.querySelector('#camera [name=rtspUrl]').value !== ''"):
            failures.append("cameras: Edit did not fill the form")
        click(tools, "#test")
        tested = tools.wait_for("window.aulaCameras.tested", timeout=20)
        seen["test"] = tested
        if not tested or not tested.get("ok") or (tested.get("width"), tested.get("height")) != (width, height):
            result_text = tools.evaluate("document.getElementById('test-result').textContent")
            failures.append(f"camera test: {tested} {result_text}")
        tools.evaluate("window.aulaCameras.tested = null; document.querySelector('#camera [name=rtspUrl]').value = 'rtsp://127.0.0.1:9/nothing'; true")
        click(tools, "#test")
        refused = tools.wait_for("window.aulaCameras.tested", timeout=20)
        seen["testRefused"] = refused
        if not refused or refused.get("ok") or not refused.get("error"):
            failures.append(f"camera test of a closed port: {refused}")
        screenshot(tools, os.path.join(artifacts, "ui-cameras.png"))

        # 6. Record the first camera's sub stream too, kept 3 days, from its form; then play that
        #    recording back at the sub stream's size (the demo's is half the main's).
        tools.call("Page.navigate", url=f"{base}/cameras.html")
        tools.wait_for("document.body.dataset.ready === 'true' && document.querySelectorAll('#list tr').length > 0")
        click(tools, "#list tr button")
        tools.wait_for("document.querySelector('#camera [name=subRtspUrl]').value !== ''")
        camera_id = tools.evaluate("window.aulaCameras && window.aulaCameras.editing ? window.aulaCameras.editing.id : Number(document.getElementById('form-title').textContent.split('#')[1])")
        tools.evaluate("(() => { const f = document.getElementById('camera').elements; f.subRecord.checked = true; f.subMaxAgeDays.value = '3'; return true; })()")
        click(tools, "#save")
        saved = tools.wait_for(f"fetch('/api/cameras/{camera_id}').then(r => r.json()).then(c => c.subStream && c.subStream.record === true && c.subStream.maxAgeDays === 3 ? c.subStream : null)", timeout=20)
        seen["subRecord"] = saved
        if not saved:
            failures.append(f"cameras: recording the sub stream was not saved for camera {camera_id}")
        tools.call("Page.navigate", url=f"{base}/playback.html?camera={camera_id}")
        tools.wait_for("document.body.dataset.ready === 'true'")
        if not tools.wait_for("!document.getElementById('stream-choice').hidden || null", timeout=20):
            failures.append("playback: no stream choice for a camera with a sub stream")
        tools.evaluate("(() => { const s = document.getElementById('stream'); s.value = 'sub'; s.dispatchEvent(new Event('change')); return true; })()")
        # Until the sub stream's first recordings are in the index (a few seconds), ask again; then
        # the point of the timeline in the middle of its first run.
        tools.evaluate("document.getElementById('window').value = '600'; true")
        where = ("(() => { try { const s = window.aulaPlayback; if (!s || s.stream !== 'sub' || !s.runs.length) return null;"
                 " const run = s.runs[0]; if (run.end - run.start < 3000) return null;"
                 " const r = document.getElementById('timeline').getBoundingClientRect(), t = (run.start.getTime() + run.end.getTime()) / 2;"
                 " return [r.left + r.width * (t - s.windowStart) / (s.windowEnd - s.windowStart), r.top + r.height / 2]; }"
                 " catch (e) { return null; } })()")
        box = None
        for _ in range(30):
            click(tools, "#now")
            box = tools.wait_for(where, timeout=2)
            if box:
                break
        if not box:
            state = tools.evaluate("(() => { try { const s = window.aulaPlayback; return JSON.stringify({href: location.href, stream: s && s.stream, runs: s && s.runs, message: document.getElementById('message').textContent}); } catch (e) { return String(e); } })()")
            failures.append(f"playback: the sub stream's recordings never showed on the timeline: {state}")
        else:
            tools.evaluate("window.aulaPlayback.firstFrameMs = null; true")
            mouse(tools, box[0], box[1])
            # The video's own size once it plays (the page's first-frame time needs the element on
            # screen, which this small window may not show).
            size = tools.wait_for("(() => { const v = document.getElementById('video'); return (v.getAttribute('src') || '').includes('stream=sub') && v.currentTime > 0.2 && v.videoWidth > 0 ? [v.videoWidth, v.videoHeight] : null; })()", timeout=30)
            seen["subPlayback"] = size
            if size != [width // 2, height // 2]:
                state = tools.evaluate("JSON.stringify({error: window.aulaPlayback.error, waiting: window.aulaPlayback.waiting, first: window.aulaPlayback.firstFrameMs, src: document.getElementById('video').getAttribute('src'), runs: window.aulaPlayback.runs, click: window.aulaPlayback.seekAt})")
                fetched = tools.evaluate("fetch(document.getElementById('video').getAttribute('src')).then(r => r.status + ' ' + r.headers.get('content-length') + ' ' + r.headers.get('content-type'))")
                video = tools.evaluate("(() => { const v = document.getElementById('video'); return [v.readyState, v.networkState, v.error && v.error.message, v.currentTime, v.paused, v.duration]; })()")
                failures.append(f"playback of the sub stream: {size}, expected {[width // 2, height // 2]} ({state}, clicked at {box}, fetched {fetched}, video {video})")
    finally:
        browser.kill()
    return report(seen, failures)


if __name__ == "__main__":
    sys.exit(main())

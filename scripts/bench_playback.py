#!/usr/bin/env python3
"""Seek-to-picture latency of playback over 24 hours of footage, in headless Chromium (issue 19).

    scripts/bench_playback.py [--aula .build/release/aula] [--seeks 40] [--hours 24] [--record-seconds 300]
    scripts/bench_playback.py --codec h265 --seeks 10    # H.265 footage converted for Chromium, by piece length

1. Records one simulated camera with `aula demo --cameras 1 --city none` (the demo's default
   1280x720, 25 fps, 2 Mbit/s) until it has a complete one-minute sample file, and stops it.
2. Makes `--hours` of footage from it: the complete recordings are repeated back in time as new
   index rows (same frame index, new ids, new start times; the sample file hard-linked), one run
   an hour with a 20 s gap between runs — the layout the recorder itself writes, so the server
   cannot tell them apart.
3. Starts `aula serve` on that data and, in Chromium on /playback.html with the 24-hour window,
   clicks the timeline at `--seeks` moments spread at random over the day (seeded). For each:
   the time from the click to the first decoded video frame (requestVideoFrameCallback) and to
   the preview picture (frame.jpg of the key frame at or before the moment).
4. Peers in the same run, at the same moments:
   - ffmpeg: `ffmpeg -i URL -frames:v 1` on the same 60 s piece the page asks for (a native
     player's seek over HTTP, process start included);
   - one file for the day: a <video> whose src is the whole day's recording.mp4 (what a plain
     player would need to play on across hours), seeking by currentTime; its first load is timed
     apart.
With `--codec h265` the camera records H.265, which Debian's Chromium cannot decode: every piece
the page plays is converted to H.264 by the server (`recording.mp4?codec=h264`), which encodes the
whole piece before its first byte. The seeks then run twice at the same moments, with the page's
short converted pieces (CONVERTED_PIECE_MS, 8 s) and with the 60 s pieces it used before (the
page is told to ask for conversions: Debian's Chromium plays H.265 files, only not in MSE), and the
peers are left out (they measure the recorded bytes, not a conversion).
Prints a table and one JSON line. Exit status 1 when no seek showed a picture.
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_auth import open_browser, sign_in  # noqa: E402

NAME, PASSWORD = "demo", "aula-demo-login"


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(port, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return True
        except urllib.error.HTTPError:
            return True
        except Exception:
            time.sleep(0.5)
    return False


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def clone_day(data, hours):
    """Repeats the camera's complete recordings back in time to fill `hours` (see the docstring)."""
    db = sqlite3.connect(os.path.join(data, "catalog.sqlite"))
    rows = db.execute("SELECT id, camera_id, run_id, start_90k, duration_90k, frames, bytes, sample_entry_id, sample_index, "
                      "has_composition_offsets FROM recording WHERE camera_id = 1 ORDER BY start_90k").fetchall()
    # Complete files: not the first of a run (it starts when the camera connected) nor the last.
    full = [r for r in rows[1:-1] if r[4] >= 50 * 90_000] or [r for r in rows if r[4] >= 20 * 90_000]
    if not full:
        raise SystemExit(f"no complete recording to repeat: {[(r[0], r[4] / 90_000) for r in rows]}")
    next_id = db.execute("SELECT next FROM recording_id_sequence").fetchone()[0]
    first_real = rows[0][3]
    span = hours * 3600 * 90_000
    t = first_real - span
    k = 0
    run_id = None
    made = 0
    root = os.path.join(data, "recordings", "1")
    hour_start = t
    while True:
        src = full[k % len(full)]
        if t + src[4] > first_real - 60 * 90_000:
            break
        if run_id is None:
            run_id = next_id
        rid = next_id
        next_id += 1
        ends_run = t + src[4] - hour_start >= 3600 * 90_000
        db.execute("INSERT INTO recording (id, camera_id, run_id, start_90k, duration_90k, frames, bytes, sample_entry_id, sample_index, "
                   "has_composition_offsets, ends_run) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (rid, run_id, t, src[4], src[5], src[6], src[7], src[8], src[9], ends_run))
        os.link(os.path.join(root, f"{src[0]}.sample"), os.path.join(root, f"{rid}.sample"))
        made += 1
        t += src[4]
        k += 1
        if ends_run:
            t += 20 * 90_000  # the gap between runs
            hour_start = t
            run_id = None
    db.execute("UPDATE recording_id_sequence SET next = ?", (next_id,))
    db.commit()
    db.close()
    return made, first_real - span, t


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aula", default=".build/release/aula")
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--record-seconds", type=int, default=300, help="at most this long to wait for a complete file")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--codec", choices=["h264", "h265"], default="h264")
    args = parser.parse_args()
    aula = os.path.abspath(args.aula)
    data = tempfile.mkdtemp(prefix="aula-bench-playback-")
    port = free_port()
    # 1. Record.
    demo = subprocess.Popen([aula, "demo", "--data", data, "--listen", f"127.0.0.1:{port}", "--rtsp-port", "0", "--cameras", "1", "--city", "none",
                             "--codec", args.codec],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_http(port):
            raise SystemExit("the demo did not start")
        print("recording the demo camera until it has a complete one-minute sample file …", flush=True)
        deadline = time.time() + args.record_seconds
        while time.time() < deadline:
            time.sleep(2)
            try:
                db = sqlite3.connect(f"file:{os.path.join(data, 'catalog.sqlite')}?mode=ro", uri=True, timeout=5)
                n = db.execute("SELECT COUNT(*) FROM recording WHERE camera_id = 1").fetchone()[0]
                db.close()
            except sqlite3.Error:
                n = 0
            if n >= 3:  # two rotations: the middle file is complete
                break
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
    made, day_start, day_end = clone_day(data, args.hours)
    print(f"{made} recordings make {(day_end - day_start) / 90_000 / 3600:.1f} h of footage", flush=True)
    token = subprocess.run([aula, "token", "create", "--user", NAME, "--data", data], capture_output=True, text=True).stdout.strip().split()[-1]
    # 2. Serve it.
    port = free_port()
    serve = subprocess.Popen([aula, "serve", "--data", data, "--listen", f"127.0.0.1:{port}", "--log-level", "error"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    results = {}
    try:
        if not wait_http(port):
            raise SystemExit("aula serve did not start")
        base = f"http://127.0.0.1:{port}"
        browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
        tools.call("Emulation.setDeviceMetricsOverride", width=1400, height=900, deviceScaleFactor=1, mobile=False)
        problem = sign_in(tools, base, NAME, PASSWORD, "/playback.html?camera=1")
        if problem:
            raise SystemExit(problem)
        tools.wait_for("document.body.dataset.ready === 'true'", timeout=60)
        tools.evaluate("document.getElementById('window').value = '86400'; document.getElementById('now').click(); true")
        tools.wait_for("window.aulaPlayback.runs.length >= 20", timeout=30)
        day = [day_start / 90, day_end / 90]  # ms
        rng = random.Random(args.seed)
        moments = []
        box = tools.evaluate("(() => { const r = document.getElementById('timeline').getBoundingClientRect(); return [r.left, r.top, r.width]; })()")
        page, previews, seeks_at, first_picture = [], [], [], []
        wants = [rng.uniform(day[0] + 60_000, day[1] - 90_000) for _ in range(args.seeks)]
        if args.codec == "h265":
            # The same moments with short converted pieces (the page's choice), then with 60 s ones.
            converted = {}
            # Debian's Chromium plays H.265 files in <video> (not in MSE); a browser without HEVC
            # gets them converted, which the page is told to ask for here.
            for piece_ms in (8_000, 60_000):
                tools.evaluate(f"window.aulaPlayback.player.convert = true; window.aulaPlayback.player.pieceMs = {piece_ms}; true")
                firsts = []
                for want in wants:
                    x = tools.evaluate(f"(() => {{ const s = window.aulaPlayback; return {box[0]} + {box[2]} * ({want} - s.windowStart) / (s.windowEnd - s.windowStart); }})()")
                    for kind in ("mousePressed", "mouseReleased"):
                        tools.call("Input.dispatchMouseEvent", type=kind, x=x, y=box[1] + 12, button="left", buttons=1 if kind == "mousePressed" else 0, clickCount=1)
                    got = tools.wait_for("window.aulaPlayback.firstFrameMs", timeout=120)
                    if got:
                        firsts.append(got)
                    time.sleep(0.3)
                converted[piece_ms] = firsts
            tools.evaluate("window.aulaPlayback.player.pause(); true")
            results["converted"] = {str(k): v for k, v in converted.items()}
            wants = []
        for i, want in enumerate(wants):
            # A moment in the recorded day, as a click on the 24-hour timeline.
            x = tools.evaluate(f"(() => {{ const s = window.aulaPlayback; return {box[0]} + {box[2]} * ({want} - s.windowStart) / (s.windowEnd - s.windowStart); }})()")
            for kind in ("mousePressed", "mouseReleased"):
                tools.call("Input.dispatchMouseEvent", type=kind, x=x, y=box[1] + 12, button="left", buttons=1 if kind == "mousePressed" else 0, clickCount=1)
            got = tools.wait_for("(() => { const s = window.aulaPlayback; return s.firstFrameMs !== null ? [s.firstFrameMs, s.position.getTime()] : null; })()", timeout=20)
            if not got:
                print(f"seek {i}: no picture", tools.evaluate("JSON.stringify({first: window.aulaPlayback.firstFrameMs, preview: window.aulaPlayback.previewMs, error: window.aulaPlayback.error})"))
                continue
            page.append(got[0])
            seeks_at.append(got[1])
            # The preview of a moment in a gap is refused (the video starts at the next run).
            preview = tools.wait_for("window.aulaPlayback.previewMs", timeout=3)
            if preview:
                previews.append(preview)
            # What the user sees first: the preview or the video's frame, whichever came first.
            first_picture.append(min(got[0], preview) if preview else got[0])
            time.sleep(0.3)
        tools.evaluate("window.aulaPlayback.player.pause(); true")
        results["page"] = page
        results["preview"] = previews
        results["firstPicture"] = first_picture
        if args.codec == "h265":
            return report(args, results)

        # Peer 1: ffmpeg on the same 60 s pieces.
        ffmpeg = []
        for at in seeks_at:
            start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at / 1000)) + f".{int(at % 1000):03d}Z"
            end = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at / 1000 + 60)) + f".{int(at % 1000):03d}Z"
            url = f"{base}/api/cameras/1/recording.mp4?start={start}&end={end}"
            t0 = time.perf_counter()
            out = subprocess.run(["ffmpeg", "-v", "error", "-headers", f"Authorization: Bearer {token}\r\n", "-i", url, "-frames:v", "1", "-f", "null", "-"],
                                 capture_output=True, text=True)
            if out.returncode == 0:
                ffmpeg.append((time.perf_counter() - t0) * 1000)
        results["ffmpeg"] = ffmpeg

        # Peer 2: one MP4 for the whole day in a <video>, seeking by currentTime.
        tools.evaluate(f"""(() => {{ window.wholeDay = null; (async () => {{
            const start = new Date({day[0]}), end = new Date({day[1]});
            const v = document.createElement('video'); v.muted = true; document.body.append(v);
            // Paused, so 'loadeddata' (the first frame is ready) and 'seeked' (the frame at the new
            // time is ready) mark the pictures.
            let t0 = performance.now();
            v.preload = 'auto';
            v.src = `/api/cameras/1/recording.mp4?start=${{start.toISOString()}}&end=${{end.toISOString()}}`;
            await new Promise((resolve, reject) => {{ v.addEventListener('loadeddata', resolve, {{ once: true }}); v.onerror = () => reject(new Error('error ' + (v.error && v.error.message))); }});
            const load = performance.now() - t0;
            const seeks = [];
            for (const at of {json.dumps(seeks_at[:15])}) {{
              t0 = performance.now();
              v.currentTime = (at - {day[0]}) / 1000;
              await new Promise((resolve) => v.addEventListener('seeked', resolve, {{ once: true }}));
              seeks.push(performance.now() - t0);
            }}
            v.remove();
            window.wholeDay = {{load, seeks}};
          }})().catch((e) => {{ window.wholeDay = {{error: String(e)}}; }}); return true; }})()""")
        whole = tools.wait_for("window.wholeDay", timeout=240) or {"error": "no picture within 240 s: " + str(tools.evaluate("(() => { const v = document.querySelector('body > video'); return v ? [v.readyState, v.networkState, v.error && v.error.message, v.buffered.length] : null; })()"))}
        results["wholeDay"] = whole
    finally:
        if browser:
            browser.kill()
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
        shutil.rmtree(data, ignore_errors=True)

    return report(args, results)


def report(args, results):
    def line(name, values):
        if not values:
            return f"{name:<58} (none)"
        return f"{name:<58} median {statistics.median(values):6.0f} ms   p95 {pct(values, 95):6.0f} ms   n={len(values)}"
    for piece_ms, firsts in (results.get("converted") or {}).items():
        print(line(f"H.265 converted, {int(piece_ms) // 1000} s pieces: first decoded frame", firsts))
    print(f"seek to picture over {args.hours} h of footage ({len(results.get('page', []))} clicks on the 24-hour timeline)")
    print(line("Aula playback page: first picture (preview or video)", results.get("firstPicture")))
    print(line("Aula playback page: first decoded video frame", results.get("page")))
    print(line("Aula playback page: preview picture (frame.jpg)", results.get("preview")))
    print(line("ffmpeg -i <same 60 s piece> -frames:v 1 (process incl.)", results.get("ffmpeg")))
    whole = results.get("wholeDay") or {}
    if whole.get("error"):
        print(f"one MP4 for the whole day: {whole['error']}")
    elif whole:
        print(f"{'one MP4 for the whole day: first frame after load':<58} {whole.get('load', 0):6.0f} ms")
        print(line("one MP4 for the whole day: seek by currentTime", whole.get("seeks")))
    print(json.dumps(results))
    return 0 if results.get("page") or any((results.get("converted") or {}).values()) else 1


if __name__ == "__main__":
    sys.exit(main())

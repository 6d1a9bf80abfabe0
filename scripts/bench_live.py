#!/usr/bin/env python3
"""Live-view benchmark (docs/performance.md, "Live view"): starts `aula demo` with 16 simulated
720p cameras, then

1. opens a wall of 16 tiles in headless Chromium with `?timing=1` and reports, over 20 s, the
   latency from each frame's arrival at Aula to its append in the browser (median, p95), and the
   time from opening the page to each tile's first decoded frame;
2. connects 50 WebSocket viewers to one camera and reports the server's extra CPU per viewer
   (its CPU with the viewers minus without, over 20 s each);
3. playback: on /playback.html, clicks the timeline at N moments of recorded video and reports the
   time from each click (choosing the range) to the range's first decoded frame in the <video>;
   then times ten snapshots (GET /api/cameras/1/snapshot.jpg) from the page.

    scripts/bench_live.py [--aula .build/release/aula] [--tiles 16] [--viewers 50] [--seconds 20] [--playback 10]
    scripts/bench_live.py --only-playback --tiles 4 --playback 10

First pictures (issue 19): the wall is opened cold (no camera watched since the demo started) and
then warm (the page reloaded); a wall shows the cameras' sub streams (`--no-sub-streams`: the
main streams). `--single ID` opens one camera full size instead of the wall; `--codec h265` makes
the demo's cameras send H.265 (Debian's Chromium then gets their H.264 sub stream, or with
`--no-sub-streams` the H.264 conversion):

    scripts/bench_live.py --tiles 16 --viewers 0 --playback 0 --seconds 10
    scripts/bench_live.py --tiles 2 --single 1 --codec h265 --no-sub-streams --viewers 0 --playback 0
"""
import argparse
import base64
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_demo import start_demo  # noqa: E402
from browser_auth import open_browser, sign_in  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def viewer(port, camera, token, stop, counts, index):
    """A bare WebSocket client that reads every message until `stop` is set."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /api/cameras/{camera}/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Authorization: Bearer {token}\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(head)
    buffer = b""
    while not stop.is_set():
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        buffer += chunk
        while len(buffer) >= 2:
            n, at = buffer[1] & 0x7F, 2
            if n == 126:
                if len(buffer) < 4:
                    break
                n, at = int.from_bytes(buffer[2:4], "big"), 4
            elif n == 127:
                if len(buffer) < 10:
                    break
                n, at = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < at + n:
                break
            if buffer[0] & 0x0F == 2:
                counts[index] += 1
            buffer = buffer[at + n:]
    sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aula", default=".build/release/aula")
    parser.add_argument("--tiles", type=int, default=16)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--playback", type=int, default=10, help="timeline clicks to time (0: none)")
    parser.add_argument("--only-playback", action="store_true")
    parser.add_argument("--codec", default="h264", help="the simulated cameras' codec (h264 or h265)")
    parser.add_argument("--no-sub-streams", action="store_true", help="cameras without a sub stream")
    parser.add_argument("--single", type=int, default=0, help="open this camera full size instead of the wall")
    args = parser.parse_args()
    port = 47_900
    try:
        demo, data, token = start_demo(args.aula, port, ["--cameras", str(max(args.tiles, args.single)), "--codec", args.codec]
                                       + (["--no-sub-streams"] if args.no_sub_streams else []), prefix="aula-bench-live-")
    except RuntimeError as error:
        print(error)
        return 1
    try:
        time.sleep(5)  # every camera streaming
        if args.only_playback:
            time.sleep(max(0, 40 - 5))  # recordings to choose from
            playback(args, port)
            return 0

        # 1. The wall (or one camera) in a browser: cold, then warm.
        page = f"/live.html?camera={args.single}&timing=1" if args.single else f"/live.html?tiles={args.tiles}&timing=1"
        browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
        try:
            problem = sign_in(tools, f"http://127.0.0.1:{port}", "demo", "aula-demo-login", page)
            if problem:
                print(problem)
                return 1
            for temperature in ("cold", "warm"):
                if temperature == "warm":
                    tools.evaluate("window.aulaTiles = []; location.reload(); true")
                    time.sleep(1)
                if not tools.wait_for("(window.aulaTiles || []).length > 0 && window.aulaTiles.every(t => t.firstFrameMs !== null)", timeout=30):
                    print(f"{temperature}: not every tile showed a picture:",
                          tools.evaluate("JSON.stringify((window.aulaTiles || []).map(t => [t.camera.id, t.state.textContent, t.firstFrameMs, t.marks]))"))
                    return 1
                first = sorted(tools.evaluate("window.aulaTiles.map(t => t.firstFrameMs)") or [])
                marks = json.loads(tools.evaluate("JSON.stringify(window.aulaTiles.map(t => t.marks || {}))") or "[]")
                steps = {k: statistics.median([m[k] for m in marks if k in m]) for k in ("open", "init", "append") if any(k in m for m in marks)}
                sources = sorted(set(tools.evaluate("window.aulaTiles.map(t => t.source)") or []))
                size = tools.evaluate("window.aulaTiles.map(t => `${t.video.videoWidth}x${t.video.videoHeight}`)[0]")
                tools.evaluate("window.aulaLatencies = []; true")
                start = json.loads(tools.evaluate("JSON.stringify(window.aulaTiles.map(t => t.video.getVideoPlaybackQuality().totalVideoFrames))"))
                time.sleep(args.seconds)
                latencies = sorted(tools.evaluate("window.aulaLatencies") or [])
                end = json.loads(tools.evaluate("JSON.stringify(window.aulaTiles.map(t => t.video.getVideoPlaybackQuality().totalVideoFrames))"))
                decoded = [b - a for a, b in zip(start, end)]
                what = f"camera {args.single}" if args.single else f"{args.tiles} tiles"
                with open("/proc/loadavg") as f:
                    what += f" (load {' '.join(f.read().split()[:3])})"  # the machine may be shared: say how busy it was
                p95 = first[min(len(first) - 1, int(len(first) * 0.95))]
                print(f"{what}, {temperature}, {args.codec}{' without sub streams' if args.no_sub_streams else ''}: "
                      f"stream {'/'.join(map(str, sources))} {size}; first picture median {statistics.median(first):.0f} ms, "
                      f"p95 {p95:.0f} ms, slowest {max(first):.0f} ms; decoded fps per tile min {min(decoded) / args.seconds:.1f}, "
                      f"median {statistics.median(decoded) / args.seconds:.1f}, max {max(decoded) / args.seconds:.1f}; "
                      f"medians to socket open / init / first append: " + " / ".join(f"{v:.0f}" for v in steps.values()) + " ms", end="")
                if latencies:
                    lp95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
                    print(f"; arrival-to-append median {statistics.median(latencies):.0f} ms, p95 {lp95:.0f} ms")
                else:
                    print("; no frame appended")
                if os.environ.get("AULA_BENCH_VERBOSE"):
                    print(tools.evaluate("JSON.stringify(window.aulaTiles.map(t => [t.camera.id, Math.round(t.firstFrameMs), t.marks]))"))
        finally:
            browser.kill()
        if not args.viewers:
            if args.playback:
                playback(args, port)
            return 0

        # 2. Many viewers of one camera.
        base0 = cpu_seconds(demo.pid)
        time.sleep(args.seconds)
        idle = cpu_seconds(demo.pid) - base0
        stop = threading.Event()
        counts = [0] * args.viewers
        threads = [threading.Thread(target=viewer, args=(port, 1, token, stop, counts, i), daemon=True) for i in range(args.viewers)]
        for t in threads:
            t.start()
        time.sleep(3)
        before = (cpu_seconds(demo.pid), list(counts))
        time.sleep(args.seconds)
        after = (cpu_seconds(demo.pid), list(counts))
        stop.set()
        extra = (after[0] - before[0]) - idle
        frames = [b - a for a, b in zip(before[1], after[1])]
        print(f"viewers: {args.viewers} WebSocket viewers of one camera: server CPU {idle / args.seconds:.3f} cores without them, "
              f"{(after[0] - before[0]) / args.seconds:.3f} with them: {extra / args.seconds / args.viewers * 1000:.2f} ms of CPU per viewer-second; "
              f"frames per viewer-second min {min(frames) / args.seconds:.1f}, max {max(frames) / args.seconds:.1f}")

        # 3. Playback: click to first frame.
        if args.playback:
            playback(args, port)
    finally:
        demo.terminate()
        demo.wait()
    return 0


def playback(args, port):
    """Clicks the playback timeline at `args.playback` moments spread over the recorded run (each
    a different range, so that no answer comes from the browser's cache) and times each click to
    the first decoded frame of the range (`requestVideoFrameCallback`)."""
    browser, tools = open_browser(tempfile.mkdtemp(prefix="aula-browser-"))
    try:
        problem = sign_in(tools, f"http://127.0.0.1:{port}", "demo", "aula-demo-login", "/playback.html")
        if problem:
            print(problem)
            return
        tools.wait_for("document.body.dataset.ready === 'true'")
        tools.evaluate("document.getElementById('window').value = '600'; document.getElementById('length').value = '60'; document.getElementById('now').click(); true")
        run = tools.wait_for("(() => { const r = (window.aulaPlayback.runs || []).find(r => r.end - r.start >= 20000); return r ? [r.start.getTime(), r.end.getTime()] : null; })()", timeout=60)
        if not run:
            print("playback: no recorded run of 20 s")
            return
        times = []
        for i in range(args.playback):
            at = run[0] + 1000 + (run[1] - run[0] - 3000) * i / max(1, args.playback - 1)
            x, y = tools.evaluate(f"""(() => {{ const s = window.aulaPlayback, r = document.getElementById('timeline').getBoundingClientRect();
                return [r.left + r.width * ({at} - s.windowStart) / (s.windowEnd - s.windowStart), r.top + 10]; }})()""")
            for kind in ("mousePressed", "mouseReleased"):
                tools.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
            ms = tools.wait_for("window.aulaPlayback.firstFrameMs", timeout=20)
            if ms:
                times.append(ms)
            tools.evaluate("document.getElementById('video').pause(); true")
        if times:
            times.sort()
            print(f"playback: {len(times)} ranges chosen on the timeline; click to first decoded frame median {statistics.median(times):.0f} ms, "
                  f"fastest {times[0]:.0f} ms, slowest {times[-1]:.0f} ms")
        else:
            print("playback: no range decoded")
        # Snapshots: request to JPEG received, from the page (decode of one key frame + JPEG encode).
        snaps = tools.evaluate("""(async () => { const out = [];
            for (let i = 0; i < 10; i++) { const t0 = performance.now(); const r = await fetch('/api/cameras/1/snapshot.jpg?i=' + i);
              const b = await r.arrayBuffer(); out.push([performance.now() - t0, b.byteLength, r.status]); } return out; })()""") or []
        ok = sorted(t for t, n, status in snaps if status == 200)
        if ok:
            print(f"snapshot: {len(ok)} JPEGs of camera 1, {snaps[0][1] // 1024} KB; request to last byte median {statistics.median(ok):.0f} ms, slowest {ok[-1]:.0f} ms")
    finally:
        browser.kill()


if __name__ == "__main__":
    sys.exit(main())

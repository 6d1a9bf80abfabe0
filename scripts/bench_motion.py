#!/usr/bin/env python3
"""Motion analysis in the running recorder (docs/performance.md, "Watching (issue 19)"): how many
cameras one core analyses when motion takes each camera's sub stream, against the same cameras
without sub streams (motion on the H.265 main streams), in the same run.

For each case it starts `aula demo` with N simulated H.265 720p cameras (with, then without,
H.264 640x360 sub streams), waits until every stream is streaming, turns motion off on every camera
and measures the server's CPU for S seconds (from /proc), turns it on for every camera and measures
again, and reports the difference per camera and as cameras per core, with what the analysis
decoded (frames analysed, dropped, and the picture size analysed, from GET /api/cameras/{id}/motion).

    scripts/bench_motion.py [--aula .build/release/aula] [--cameras 12] [--seconds 30]
"""
import argparse
import json
import os
import shutil
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_demo import start_demo  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def call(port, token, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def run_case(args, sub_streams):
    port = 47_950
    demo, data, token = start_demo(args.aula, port, ["--cameras", str(args.cameras), "--codec", "h265", "--city", "none"]
                                   + ([] if sub_streams else ["--no-sub-streams"]), prefix="aula-bench-motion-")
    try:
        for _ in range(240):
            cameras = call(port, token, "GET", "/api/cameras")
            streams = [c["status"] for c in cameras] + [c["subStream"]["status"] for c in cameras if c.get("subStream")]
            if len(cameras) == args.cameras and all(s and s.get("state") == "streaming" for s in streams):
                break
            time.sleep(0.5)
        ids = [c["id"] for c in cameras]
        for i in ids:
            call(port, token, "PUT", f"/api/cameras/{i}/motion", {"enabled": False})
        time.sleep(5)
        before = cpu_seconds(demo.pid)
        time.sleep(args.seconds)
        idle = cpu_seconds(demo.pid) - before
        for i in ids:
            call(port, token, "PUT", f"/api/cameras/{i}/motion", {"enabled": True})
        time.sleep(10)
        counts0 = {i: (call(port, token, "GET", f"/api/cameras/{i}/motion").get("analysis") or {}) for i in ids}
        before = cpu_seconds(demo.pid)
        time.sleep(args.seconds)
        busy = cpu_seconds(demo.pid) - before
        counts1 = {i: (call(port, token, "GET", f"/api/cameras/{i}/motion").get("analysis") or {}) for i in ids}
    finally:
        demo.terminate()
        demo.wait()
        shutil.rmtree(data, ignore_errors=True)
    extra = (busy - idle) / args.seconds
    analysed = sum(counts1[i].get("analysed", 0) - counts0[i].get("analysed", 0) for i in ids)
    dropped = sum(counts1[i].get("dropped", 0) - counts0[i].get("dropped", 0) for i in ids)
    sizes = sorted({f"{c.get('width')}x{c.get('height')}" for c in counts1.values()})
    per_camera = extra / args.cameras
    print(f"{'sub streams' if sub_streams else 'main streams'}: {args.cameras} H.265 720p cameras, analysing {'/'.join(sizes)}; "
          f"server CPU {idle / args.seconds:.3f} cores without motion, {busy / args.seconds:.3f} with: "
          f"{per_camera * 100:.1f} % of a core per camera = {1 / per_camera if per_camera > 0 else float('inf'):.0f} cameras per core; "
          f"{analysed / args.seconds / args.cameras:.1f} frames analysed and {dropped / args.seconds / args.cameras:.1f} dropped per camera-second",
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aula", default=".build/release/aula")
    parser.add_argument("--cameras", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    run_case(args, sub_streams=True)
    run_case(args, sub_streams=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

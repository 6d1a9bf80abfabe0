#!/usr/bin/env python3
"""Several Aula nodes on one PostgreSQL catalogue, measured (docs/performance.md, "Cluster").

    swift build -c release --product aula
    python3 scripts/bench_cluster.py [--cameras 60] [--nodes 3] [--kills 10] [--lease 15]

Starts a throwaway PostgreSQL server (scripts/postgres_test_server.sh), the simulator with N
cameras, and NODES `aula serve` processes; registers the cameras; then
  1. steady state: CPU per camera of the cluster (nodes only, /proc) and, in the same run, of one
     node on its embedded SQLite catalogue with the same cameras; index commits per second and the
     99th percentile of a flush (fsync + index commit) from each node's /metrics;
  2. failover, KILLS times: SIGKILL the node holding the most cameras, time until every one of its
     cameras is leased to a live node, and until each has recorded again (its newest index row
     ends later than before the kill); then start the node again and wait until the shares settle.
Prints one JSON document and a Markdown table.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AULA = os.path.join(ROOT, ".build/release/aula")


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def psql(url, sql):
    return sh("psql", url.split("?")[0], "-Atc", sql).strip()


def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except FileNotFoundError:
            pass
    return total


def wait_for(what, condition, limit=600, step=0.2):
    deadline = time.time() + limit
    while time.time() < deadline:
        if condition():
            return
        time.sleep(step)
    raise SystemExit(f"timed out waiting for {what}")


class Node:
    def __init__(self, name, url, data, port, lease, extra=()):
        self.name, self.url, self.data, self.port, self.lease, self.extra = name, url, data, port, lease, extra
        self.proc = None

    def start(self):
        log = open(os.path.join(self.data, "serve.log"), "a")
        args = [AULA, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        if self.url:
            args += ["--catalog", self.url, "--node", self.name, "--lease-seconds", str(self.lease)]
        self.proc = subprocess.Popen(args + list(self.extra), stdout=log, stderr=log)
        wait_for(f"node {self.name}", lambda: self.health())

    def health(self):
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=2).status == 200
        except Exception:
            return False

    def metrics(self, token):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/metrics", headers={"authorization": f"Bearer {token}"})
        return urllib.request.urlopen(req, timeout=10).read().decode()


def flush_stats(texts, seconds):
    """Flushes per second summed over the nodes, and the p99 flush time from the histograms."""
    flushes, buckets = 0.0, {}
    for text in texts:
        for line in text.splitlines():
            if line.startswith("aula_writer_flushes_total"):
                flushes += float(line.split()[-1])
            elif line.startswith("aula_writer_flush_duration") and "_bucket" in line.split("{")[0]:
                le = line.split('le="')[1].split('"')[0]
                buckets[le] = buckets.get(le, 0) + float(line.split()[-1])
    total = buckets.get("+Inf", 0)
    p99 = None
    for le, count in sorted(((float(k) if k != "+Inf" else float("inf"), v) for k, v in buckets.items())):
        if total and count >= 0.99 * total:
            p99 = le
            break
    return flushes, p99


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, default=60)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--lease", type=float, default=12)
    ap.add_argument("--steady", type=float, default=30, help="seconds of steady state measured")
    args = ap.parse_args()
    if not os.access(AULA, os.X_OK):
        raise SystemExit("build first: swift build -c release --product aula")
    work = tempfile.mkdtemp(prefix="aula-bench-cluster.")
    started = sh("bash", os.path.join(ROOT, "scripts/postgres_test_server.sh"), "start").split()
    url, pgdir = started[0], started[1]
    procs = []
    try:
        sim = subprocess.Popen([AULA, "simulate", "--cameras", str(args.cameras), "--port", "18600", "--size", "640x360",
                                "--bitrate", "1000000", "--cache", os.path.join(ROOT, "aula-data/sim-cache-640")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(sim)
        first = os.path.join(work, "n0")
        os.makedirs(first)
        subprocess.run([AULA, "users", "add", "bench", "--role", "administrator", "--catalog", url, "--data", first],
                       input="long enough password\n", text=True, check=True, capture_output=True)
        token = sh(AULA, "token", "create", "--user", "bench", "--catalog", url, "--data", first).strip()
        nodes = []
        for i in range(args.nodes):
            data = os.path.join(work, f"n{i}")
            os.makedirs(data, exist_ok=True)
            if i:
                shutil.copy(os.path.join(first, "secrets.key"), data)
            nodes.append(Node(f"n{i}", url, data, 18700 + i, args.lease))
        for node in nodes:
            node.start()
        for n in range(1, args.cameras + 1):
            body = json.dumps({"name": f"C{n}", "rtspUrl": f"rtsp://127.0.0.1:18600/sim/{n}", "location": {"lat": 1, "lon": 2}}).encode()
            req = urllib.request.Request("http://127.0.0.1:18700/api/cameras", data=body, method="POST",
                                         headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
            urllib.request.urlopen(req, timeout=30).read()
        now_sql = "(extract(epoch from clock_timestamp())*1000000)::bigint"

        def leased():
            return int(psql(url, f"select count(*) from camera_lease where expires_at > {now_sql}"))
        wait_for("every camera leased", lambda: leased() == args.cameras)
        wait_for("every camera recorded", lambda: int(psql(url, "select count(distinct camera_id) from recording")) == args.cameras)
        time.sleep(5)

        # 1. Steady state.
        pids = [n.proc.pid for n in nodes]
        before = [n.metrics(token) for n in nodes]
        c0, t0 = cpu_seconds(pids), time.time()
        time.sleep(args.steady)
        c1, t1 = cpu_seconds(pids), time.time()
        after = [n.metrics(token) for n in nodes]
        f0, _ = flush_stats(before, 0)
        f1, p99 = flush_stats(after, 0)
        cluster_cpu = (c1 - c0) / (t1 - t0) / args.cameras * 100
        commits = (f1 - f0) / (t1 - t0)
        rows = int(psql(url, "select count(*) from recording"))

        # 2. Failover.
        kills = []
        for k in range(args.kills):
            holders = psql(url, f"select node, count(*) from camera_lease where expires_at > {now_sql} group by node order by 2 desc, 1")
            busiest = holders.splitlines()[0].split("|")[0]
            victim = next(n for n in nodes if n.name == busiest)
            cams = psql(url, f"select camera_id from camera_lease where node = '{busiest}'").split()
            ends = dict(line.split("|") for line in psql(url, f"select camera_id, max(start_90k + duration_90k) from recording where camera_id in ({','.join(cams)}) group by 1").splitlines())
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait()
            killed = time.time()
            wait_for("leases moved", lambda: int(psql(url, f"select count(*) from camera_lease where node <> '{busiest}' and node <> '' and expires_at > {now_sql} and camera_id in ({','.join(cams)})")) == len(cams))
            moved = time.time() - killed

            def recording_again():
                now = dict(line.split("|") for line in psql(url, f"select camera_id, max(start_90k + duration_90k) from recording where camera_id in ({','.join(cams)}) group by 1").splitlines())
                return all(int(now.get(c, 0)) > int(ends.get(c, 0)) for c in cams)
            wait_for("recording again", recording_again)
            again = time.time() - killed
            kills.append({"node": busiest, "cameras": len(cams), "leasesMovedSeconds": round(moved, 2), "recordingAgainSeconds": round(again, 2)})
            print(f"kill {k + 1}: {busiest} with {len(cams)} cameras: leases moved after {moved:.1f} s, recording again after {again:.1f} s", file=sys.stderr)
            victim.start()
            restarted90k = int(time.time() * 90000)
            wait_for("shares settled", lambda: int(psql(url, f"select count(*) from camera_lease where node = '{busiest}' and expires_at > {now_sql}")) >= args.cameras // args.nodes)
            # The cameras handed back to the restarted node, make-before-break: once the index
            # reaches 5 s past the settling, the largest hole in each one's index since the restart.
            back = psql(url, f"select camera_id from camera_lease where node = '{busiest}'").split()
            settled90k = int(time.time() * 90000)
            wait_for("hand-overs in the index", lambda: all(int(e or 0) > settled90k + 5 * 90000 for e in psql(url,
                     f"select max(start_90k + duration_90k) from recording where camera_id in ({','.join(back)}) group by camera_id").split()))
            hole = 0.0
            for camera in back:
                spans = [tuple(map(int, line.split("|"))) for line in psql(url, f"select start_90k, start_90k + duration_90k from recording where camera_id = {camera} and start_90k + duration_90k > {restarted90k} order by start_90k").splitlines()]
                covered = spans[0][1] if spans else 0
                for start, end in spans[1:]:
                    hole = max(hole, (start - covered) / 90000)
                    covered = max(covered, end)
            kills[-1]["handedBack"] = len(back)
            kills[-1]["handOverLargestHoleSeconds"] = round(hole, 3)
            print(f"  restarted: {len(back)} cameras handed back, largest hole in their index {hole:.3f} s", file=sys.stderr)

        for node in nodes:
            node.proc.send_signal(signal.SIGTERM)
            node.proc.wait()

        # The same cameras on one node with its embedded SQLite catalogue, same machine, same run.
        solo_data = os.path.join(work, "solo")
        os.makedirs(solo_data)
        solo = Node("solo", None, solo_data, 18790, args.lease)
        solo.start()
        procs.append(solo.proc)
        subprocess.run([AULA, "users", "add", "bench", "--role", "administrator", "--data", solo_data], input="long enough password\n",
                       text=True, check=True, capture_output=True)
        solo_token = sh(AULA, "token", "create", "--user", "bench", "--data", solo_data).strip()
        for n in range(1, args.cameras + 1):
            body = json.dumps({"name": f"C{n}", "rtspUrl": f"rtsp://127.0.0.1:18600/sim/{n}", "location": {"lat": 1, "lon": 2}}).encode()
            req = urllib.request.Request("http://127.0.0.1:18790/api/cameras", data=body, method="POST",
                                         headers={"authorization": f"Bearer {solo_token}", "content-type": "application/json"})
            urllib.request.urlopen(req, timeout=30).read()
        time.sleep(10)
        s0, u0 = cpu_seconds([solo.proc.pid]), time.time()
        time.sleep(args.steady)
        s1, u1 = cpu_seconds([solo.proc.pid]), time.time()
        solo_cpu = (s1 - s0) / (u1 - u0) / args.cameras * 100

        times = [k["recordingAgainSeconds"] for k in kills]
        moved = [k["leasesMovedSeconds"] for k in kills]
        result = {
            "cameras": args.cameras, "nodes": args.nodes, "leaseSeconds": args.lease,
            "cpuPerCameraPercentOfACore": {"cluster": round(cluster_cpu, 3), "singleNodeSQLite": round(solo_cpu, 3)},
            "indexCommitsPerSecond": round(commits, 2), "flushP99Seconds": p99, "indexRows": rows,
            "failover": {"kills": kills,
                         "leasesMovedMedian": statistics.median(moved) if moved else None, "leasesMovedMax": max(moved) if moved else None,
                         "recordingAgainMedian": statistics.median(times) if times else None, "recordingAgainMax": max(times) if times else None,
                         "handOverLargestHoleMax": max((k.get("handOverLargestHoleSeconds", 0) for k in kills), default=None)},
        }
        print(json.dumps(result, indent=2))
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for node in locals().get("nodes", []):
            if node.proc and node.proc.poll() is None:
                node.proc.send_signal(signal.SIGKILL)
        sh("bash", os.path.join(ROOT, "scripts/postgres_test_server.sh"), "stop", pgdir)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

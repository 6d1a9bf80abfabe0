#!/usr/bin/env python3
"""The city-wide hot-spot answer (GET /api/hotspots) on real extracts: its size and time.

Usage: python3 scripts/bench_hotspots.py [--aula .build/release/aula] [--rounds 7] [extract ...]

For each extract (default: monaco, andorra and north-bayreuth from ../shared/data/osm/) it imports
the city and the labelled synthetic offences into a throwaway data folder, starts `aula serve` on
loopback, and asks for the hot spots of the whole register over the whole city, with the default
50 m cells and 150 m bandwidth, `--rounds` times. It prints the answer's size, the median and the
slowest time of the request (from the first byte sent to the last byte read), and the counts the
answer reports. Build the server first: swift build -c release --product aula.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data", "osm")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(aula, *args, stdin=None):
    done = subprocess.run([aula, *args], input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"aula {' '.join(args)} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return done.stdout


def bench(aula, extract, rounds, query):
    data = tempfile.mkdtemp(prefix="aula-bench-hotspots-")
    server = None
    try:
        run(aula, "import", "osm", os.path.join(SHARED, extract), "--city", extract.split(".")[0], "--data", data)
        run(aula, "import", "offences", "--synthetic", "--data", data)
        run(aula, "users", "add", "bench", "--role", "administrator", "--data", data, stdin="long enough password\n")
        token = run(aula, "token", "create", "--user", "bench", "--data", data).strip()
        port = free_port()
        log = open(os.path.join(data, "serve.log"), "a")
        server = subprocess.Popen([aula, "serve", "--data", data, "--listen", f"127.0.0.1:{port}", "--log-level", "warning"],
                                  stdout=log, stderr=log)
        deadline = time.time() + 120
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2).status == 200:
                    break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit(f"aula serve did not start; see {data}/serve.log")
                time.sleep(0.2)
        times, body = [], b""
        for _ in range(rounds):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/hotspots{query}",
                                             headers={"authorization": f"Bearer {token}"})
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=300) as answer:
                body = answer.read()
            times.append(time.perf_counter() - start)
        answer = json.loads(body)
        return {
            "extract": extract, "bytes": len(body), "medianMs": 1000 * statistics.median(times), "maxMs": 1000 * max(times),
            "offences": answer.get("offenceCount"), "columns": answer.get("columns"), "rows": answer.get("rows"),
            "hotCells": answer.get("hotCells"), "coldCells": answer.get("coldCells"), "features": len(answer.get("features", [])),
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--aula", default=os.path.join(ROOT, ".build", "release", "aula"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--query", default="", help="query string, e.g. ?cell=100 (default: the whole register, 50 m cells)")
    parser.add_argument("extracts", nargs="*", default=["monaco.osm.gz", "andorra.osm.gz", "north-bayreuth.osm.gz"])
    args = parser.parse_args()
    if not os.access(args.aula, os.X_OK):
        sys.exit(f"{args.aula} is missing: build it with swift build -c release --product aula (or give --aula)")
    print("| extract | grid (cells) | offences | hot / cold cells | features | answer | median | slowest |")
    print("|---|---|---|---|---|---|---|---|")
    for extract in args.extracts:
        r = bench(args.aula, extract, args.rounds, args.query)
        print(f"| {r['extract']} | {r['columns']} × {r['rows']} | {r['offences']} | {r['hotCells']} / {r['coldCells']} | {r['features']} "
              f"| {r['bytes'] / 1e6:.3f} MB | {r['medianMs']:.0f} ms | {r['maxMs']:.0f} ms |", flush=True)


if __name__ == "__main__":
    main()

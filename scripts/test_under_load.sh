#!/usr/bin/env bash
# Runs the whole test suite (scripts/test.sh) RUNS times in a row on a busy machine: beside it,
# `aula bench record --cameras 100 --aula-only` records 100 simulated cameras and `stress-ng --cpu 2`
# keeps both cores busy. The suite must pass every time: its waits watch progress, not the clock.
#
#   bash scripts/test_under_load.sh [RUNS]     (default 3; logs in ./aula-data/under-load/)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
if ! command -v stress-ng >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q stress-ng >/dev/null; else sudo -n apt-get install -y -q stress-ng >/dev/null; fi
fi
AULA_WITH_TEST_PEERS=1 bash scripts/setup.sh
swift build --build-tests
LOGS=./aula-data/under-load
mkdir -p "$LOGS"

# The load: a recorder of 100 cameras, restarted whenever a round ends, and two CPU hogs.
(
  while true; do
    .build/debug/aula bench record --cameras 100 --aula-only --seconds 600 --warmup 5 \
      --data ./aula-data/under-load/bench --port 18754 >>"$LOGS/bench.log" 2>&1 || sleep 1
  done
) &
BENCH=$!
stress-ng --cpu 2 --timeout 0 >"$LOGS/stress.log" 2>&1 &
STRESS=$!
stop_load() {
  kill "$STRESS" 2>/dev/null || true
  pkill -P "$BENCH" 2>/dev/null || true
  kill "$BENCH" 2>/dev/null || true
  pkill -f "aula-data/under-load/bench" 2>/dev/null || true
  # The bench's simulator (its own process) outlived it when the bench was killed mid-round.
  pkill -f "aula simulate --cameras 100 --port 18754" 2>/dev/null || true
}
trap stop_load EXIT

for run in $(seq 1 "$RUNS"); do
  started=$(date +%s)
  if bash scripts/test.sh >"$LOGS/run-$run.log" 2>&1; then
    echo "run $run of $RUNS: passed in $(( $(date +%s) - started )) s"
  else
    echo "run $run of $RUNS: FAILED after $(( $(date +%s) - started )) s (see $LOGS/run-$run.log)"
    grep -E "✘ Test .* (failed|recorded an issue)" "$LOGS/run-$run.log" | head -20 || true
    exit 1
  fi
done
echo "the suite passed $RUNS times in a row beside aula bench record --cameras 100 and stress-ng --cpu 2"

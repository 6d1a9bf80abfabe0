#!/usr/bin/env bash
# Kills `aula serve` with SIGKILL at random moments, many more times than the test suite does
# (Tests/ServerTests/CrashTests.swift), and checks after every kill that the index and the sample
# files agree and that no camera lost more than the flush interval.
#   scripts/crash_stress.sh [KILLS]      (default 200; about 2 s per kill)
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${1:-200}"
swift build --build-tests
AULA_CRASH_KILLS="$KILLS" swift test --skip-build --filter CrashTests

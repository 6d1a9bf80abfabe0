#!/usr/bin/env bash
# Runs every Aula test on a fresh machine: installs the Debian packages and Python reference
# libraries the tests talk to (idempotently), builds, and runs the Swift test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
AULA_WITH_TEST_PEERS=1 bash scripts/setup.sh
if [ -f scripts/requirements-test.txt ]; then
  python3 -m pip install -q --disable-pip-version-check -r scripts/requirements-test.txt
fi
swift build --build-tests
# One real PostgreSQL server for the whole run (the shared catalogue's peer; each test takes a
# schema of its own in it), stopped when the run ends however it ends.
PG=$(bash scripts/postgres_test_server.sh start)
export AULA_TEST_POSTGRES="${PG% *}"
trap 'bash scripts/postgres_test_server.sh stop "${PG#* }"' EXIT
if [ "$#" -gt 0 ]; then
  swift test --skip-build "$@"
  exit
fi
# The heavy suites (a real browser; minutes of video encoded and analysed on the test threads for the
# motion evaluation and for key frames while quiet) run on their
# own after the rest: beside them, on two cores, the timing-sensitive ingest tests starve (a camera
# "stops sending" for 5 s while Chromium starts).
HEAVY='BrowserLiveTests|PlaybackBrowserTests|BrowserAlertsTests|BrowserUITests|BrowserGuardsTests|BrowserDemoTests|MotionEvaluationTests|QuietDecodingTests|HostileInputTests|OpenAPITests'
# The RTSP client and server tests time a camera's silence and a session's answers on the event
# loops; at the suite's start every other suite starts too (on a loaded machine the whole process
# waited a minute), so they run first, on their own (about 15 s).
swift test --skip-build --filter 'RTSPTests'
# The pure modules' tests are synchronous and CPU-bound (synthetic frames, every byte of an evidence
# package changed in turn): Swift Testing runs them on the two threads of the cooperative pool, where
# on a loaded machine they kept every server test's handlers waiting for most of a minute (stack
# samples in docs/performance.md). They run on their own, before the tests that serve and record.
PURE='^(MediaTests|MotionTests|CityTests|PlanningTests|AulaSecurityTests|APIInputTests|CatalogConformanceTests|GuardsTests|QRCodeTests)\.'
swift test --skip-build --filter "$PURE" --skip "$HEAVY"
swift test --skip-build --skip "$HEAVY|RTSPTests|$PURE"
swift test --skip-build --filter "$HEAVY"

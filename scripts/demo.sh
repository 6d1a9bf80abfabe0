#!/usr/bin/env bash
# Runs the Aula demo on a fresh machine: installs what it needs, builds, and starts 8 simulated
# cameras and the server with data under ./aula-data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --product aula
exec .build/debug/aula demo "$@"

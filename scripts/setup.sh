#!/usr/bin/env bash
# Installs the Debian packages Aula needs to build, run and test. Idempotent: does nothing when
# everything is already present.
set -euo pipefail
PKGS=(
  pkg-config libsqlite3-dev zlib1g-dev
  ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libturbojpeg0-dev
  gstreamer1.0-tools gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav
  sqlite3 curl openssl tar   # security tests: tamper with the catalogue, speak TLS, unpack evidence
)
if [ "${AULA_WITH_TEST_PEERS:-0}" = "1" ]; then
  PKGS+=(postgresql python3-venv chromium zbar-tools)
fi
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

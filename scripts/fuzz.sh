#!/usr/bin/env bash
# Fuzzes Aula's parsers with libFuzzer (issue 15; results in docs/security.md, "Fuzzing").
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   build, then run each TARGET (default: all) for SECONDS
#                                           (default 60) and print executions and crashes per target
#   scripts/fuzz.sh --list                  list the targets and what each one feeds
#   scripts/fuzz.sh --make-seeds            rewrite the generated seeds in Fuzz/Corpus
#
# Works on a fresh Debian 12 machine with Swift 6.3 (libFuzzer and AddressSanitizer ship with the
# toolchain: clang's libclang_rt.fuzzer in <swift>/usr/lib/clang/*/lib/linux); installs zlib1g-dev
# when missing. Everything it builds and finds goes to .build-fuzz/ (git-ignored):
#   bin/<target>          the fuzzers, built with `swiftc -sanitize=fuzzer,address`
#   lib/                  Media, Randomness, City and Planning as static libraries (-O, -enable-testing),
#                         compiled straight from Sources/ with swiftc, instrumented likewise
#   spm/                  SwiftPM scratch path for the modules that need SwiftNIO or swift-crypto
#                         (RTSP, AulaSecurity, APIInput), built with -Xswiftc -sanitize=fuzzer,address
#   corpus/<target>/      the working corpus: the committed seeds (Fuzz/Corpus/<target>) plus
#                         every new input libFuzzer kept; it grows across runs
#   artifacts/<target>/   crash-*, timeout-*, oom-* inputs; reproduce one with
#                         `.build-fuzz/bin/<target> .build-fuzz/artifacts/<target>/crash-…`
#   logs/<target>.log     libFuzzer's output of the last run
#
# A run stops at its first crash (libFuzzer's default) and the script exits non-zero when any
# target crashed. One process per target and one target at a time (no -jobs/-workers), so that
# it leaves the second core to others. Fuzz/README.md describes the targets and input layouts.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(rtsp sdp rtp h264 h265 sps mp4 osm pbf geojson offence-csv tar json)
OUT=.build-fuzz
SANITIZE=-sanitize=fuzzer,address
SWIFT_FLAGS=(-swift-version 6 -enable-upcoming-feature ExistentialAny -parse-as-library -g)

describe() {
  case "$1" in
    rtsp) echo "RTSP byte stream: RTSPParser vs RTSPStreamSplitter, interleaved frames, TrackDepacketizer, auth headers" ;;
    sdp) echo "SessionDescription(parsing:), sprop parameter sets, VideoParameters" ;;
    rtp) echo "RTPPacket(parsing:), serialise round trip" ;;
    h264) echo "H.264 depacketiser (RFC 6184) on RTP packets derived from the input" ;;
    h265) echo "H.265 depacketiser (RFC 7798) on RTP packets derived from the input" ;;
    sps) echo "H.264 SPS, H.265 SPS and VPS, Annex B split, VideoParameters, MP4 init segment" ;;
    mp4) echo "MP4BoxReader.parse, AVCCFormat.split" ;;
    osm) echo "OSMImporter.importCity (.osm and .osm.gz)" ;;
    pbf) echo "PBFReader (.osm.pbf: blocks, zlib, dense nodes, ways, relations), then the city builder" ;;
    geojson) echo "GeoJSONImporter.importCity and districts" ;;
    offence-csv) echo "OffenceCSVImporter: CSV, date formats, coordinates, addresses" ;;
    tar) echo "Tar.read and EvidencePackage.verify (evidence packages, AulaSecurity)" ;;
    json) echo "request bodies and queries (APIInput): JSONValue.parse, JSONFields, QueryFields, RFC 3339" ;;
    *) return 1 ;;
  esac
}

log() { echo "fuzz: $*" >&2; }

need_zlib() {
  if ! dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q "install ok installed"; then
    log "installing zlib1g-dev"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends zlib1g-dev >/dev/null
  fi
}

# Rebuilds lib<Module>.a when a source file of it (or a library it imports) is newer.
build_lib() {
  local module=$1; shift
  local lib=$OUT/lib/lib$module.a
  mkdir -p "$OUT/lib"
  if [ -f "$lib" ] && [ -z "$(find "Sources/$module" "$@" -newer "$lib" -print -quit 2>/dev/null)" ]; then
    return
  fi
  log "building $module (swiftc -O $SANITIZE)"
  local start=$SECONDS
  local extra=()
  [ "$module" = City ] && extra=(-I "$OUT/lib" -I Sources/CZlib)
  [ "$module" = Planning ] && extra=(-I "$OUT/lib" -I Sources/CZlib)
  [ "$module" = Catalog ] || [ "$module" = APIInput ] && extra=(-I "$OUT/lib")
  local sources=()
  mapfile -t sources < <(find "Sources/$module" -name '*.swift' | sort)
  swiftc "${SWIFT_FLAGS[@]}" -O -enable-testing $SANITIZE "${extra[@]}" -module-name "$module" \
    -emit-module -emit-module-path "$OUT/lib/$module.swiftmodule" -emit-library -static -o "$lib" \
    "${sources[@]}" 2> >(grep -v -e 'warning:' >&2)
  log "built $module in $((SECONDS - start)) s"
}

# Builds an SwiftPM target of this package into $OUT/spm with the sanitizers on.
build_spm() {
  local target=$1
  log "building $target with SwiftPM (scratch path $OUT/spm, $SANITIZE)"
  local start=$SECONDS
  swift build --scratch-path "$OUT/spm" --target "$target" \
    -Xswiftc "$SANITIZE" -Xswiftc -enable-testing 2>&1 | grep -v -e 'warning:' | tail -n 3 >&2
  log "built $target in $((SECONDS - start)) s"
}

# The clang module flags SwiftPM used to compile `target` (so its C dependencies import again).
spm_module_flags() {
  local target=$1
  grep -A8 "^  \"C.$target-$(uname -m)-unknown-linux-gnu-debug.module\":" "$OUT/spm/debug.yaml" \
    | grep -m1 '^ *args:' | sed 's/^ *args: \[//; s/\]$//' | tr ',' '\n' | sed 's/^"//; s/"$//' \
    | awk 'previous == "-Xcc" { print "-Xcc"; print; previous = ""; next } { previous = $0 }'
}

build_target() {
  local target=$1
  local binary=$OUT/bin/$target
  mkdir -p "$OUT/bin"
  local support=(Fuzz/Support/FuzzSupport.swift)
  local start
  case "$target" in
    sdp|rtp|h264|h265|sps|mp4)
      build_lib Media
      support+=(Fuzz/Support/Media/*.swift)
      start=$SECONDS
      swiftc "${SWIFT_FLAGS[@]}" -O $SANITIZE -I "$OUT/lib" -L "$OUT/lib" -lMedia \
        "${support[@]}" "Fuzz/Targets/$target.swift" -o "$binary" 2> >(grep -v 'warning:' >&2)
      ;;
    osm|pbf|geojson|offence-csv)
      need_zlib
      build_lib Randomness
      build_lib City "$OUT/lib/libRandomness.a"
      local libs=(-lCity -lRandomness)
      if [ "$target" = offence-csv ]; then build_lib Planning "$OUT/lib/libCity.a"; libs=(-lPlanning -lCity -lRandomness); fi
      start=$SECONDS
      swiftc "${SWIFT_FLAGS[@]}" -O $SANITIZE -I "$OUT/lib" -I Sources/CZlib -L "$OUT/lib" "${libs[@]}" -lz \
        "${support[@]}" "Fuzz/Targets/$target.swift" -o "$binary" 2> >(grep -v 'warning:' >&2)
      ;;
    rtsp|tar|json)
      # APIInput reads through Catalog, which seals secrets with AulaSecurity (swift-crypto):
      # SwiftPM builds that chain, as it does RTSP's SwiftNIO.
      local module=RTSP; [ "$target" = tar ] && module=AulaSecurity; [ "$target" = json ] && module=APIInput
      build_spm "$module"
      local debug=$OUT/spm/debug
      local flags=() objects=()
      mapfile -t flags < <(spm_module_flags "$module")
      # Every object SwiftPM built in this scratch path: the target and its dependencies.
      mapfile -d '' objects < <(find -L "$debug" -path '*.build/*' -name '*.o' -print0)
      start=$SECONDS
      swiftc "${SWIFT_FLAGS[@]}" -Onone $SANITIZE -I "$debug/Modules" "${flags[@]}" \
        "${support[@]}" "Fuzz/Targets/$target.swift" "${objects[@]}" -lstdc++ -o "$binary" \
        2> >(grep -v 'warning:' >&2)
      ;;
  esac
  log "linked $target in $((SECONDS - start)) s"
}

run_target() {
  local target=$1 seconds=$2
  local corpus=$OUT/corpus/$target artifacts=$OUT/artifacts/$target logfile=$OUT/logs/$target.log
  mkdir -p "$corpus" "$artifacts" "$OUT/logs"
  local before
  before=$(find "$artifacts" -type f | wc -l)
  log "running $target for $seconds s"
  local status=0
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: the default 2 GB; leaks are not
  # what we look for (Swift frees by reference counting), so LeakSanitizer stays off.
  "$OUT/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "Fuzz/Corpus/$target" \
    >"$logfile" 2>&1 || status=$?
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logfile" | grep -o '[0-9]*$' | tail -n 1 || true)
  [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$logfile" | tail -n 1 | tr -d '#' || true)
  local crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  printf '%-12s %6s s %12s executions %3s crashes %6s corpus files\n' \
    "$target" "$seconds" "${runs:-?}" "$crashes" "$(find "$corpus" -type f | wc -l)" | tee -a "$OUT/summary.txt"
  if [ "$crashes" -gt 0 ]; then
    grep -m3 -e 'ERROR:' -e 'Fatal error' -e 'fuzz property' -e 'Test unit written' "$logfile" >&2 || true
    return 1
  fi
}

case "${1:-}" in
  --list)
    for t in "${TARGETS[@]}"; do printf '%-12s %s\n' "$t" "$(describe "$t")"; done
    exit 0
    ;;
  --make-seeds)
    # Without the sanitizers: a plain build of Media for the seed writer.
    mkdir -p "$OUT/seeds"
    mapfile -t sources < <(find Sources/Media -name '*.swift' | sort)
    swiftc "${SWIFT_FLAGS[@]}" -Onone -enable-testing -module-name Media -emit-module \
      -emit-module-path "$OUT/seeds/Media.swiftmodule" -emit-library -static -o "$OUT/seeds/libMedia.a" "${sources[@]}"
    swiftc "${SWIFT_FLAGS[@]}" -I "$OUT/seeds" -L "$OUT/seeds" -lMedia Fuzz/Support/FuzzSupport.swift \
      Fuzz/Support/Media/*.swift Fuzz/Tools/MakeSeeds.swift -o "$OUT/seeds/make-seeds"
    "$OUT/seeds/make-seeds" Fuzz/Corpus
    # Evidence packages come from AulaSecurity itself, signed; the tar target writes them.
    build_target tar
    mkdir -p Fuzz/Corpus/tar
    AULA_FUZZ_SEED_DIR=Fuzz/Corpus/tar "$OUT/bin/tar" -runs=0 Fuzz/Corpus/tar >/dev/null 2>&1
    exit 0
    ;;
esac

seconds=60
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${TARGETS[@]}")
for t in "${selected[@]}"; do
  describe "$t" >/dev/null || { log "unknown target '$t' (scripts/fuzz.sh --list)"; exit 2; }
done

mkdir -p "$OUT"
: >"$OUT/summary.txt"
failed=0
for t in "${selected[@]}"; do
  build_target "$t"
  run_target "$t" "$seconds" || failed=1
done
echo "summary (also in $OUT/summary.txt):"
cat "$OUT/summary.txt"
exit $failed

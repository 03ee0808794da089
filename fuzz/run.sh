#!/usr/bin/env bash
# Runs the fuzz targets one at a time, each for a bounded time, starting
# from the inputs kept in tests/data/fuzz/TARGET (seeds and past findings).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]    (default: 60 s, all)
#
# Needs a nightly toolchain (cargo-fuzz builds with sanitizer flags);
# installs cargo-fuzz when it is missing. Crashes land in
# fuzz/artifacts/TARGET; copy each into tests/data/fuzz/TARGET once fixed,
# so the normal `cargo test` replays it.
set -euo pipefail
cd "$(dirname "$0")"

secs=${1:-${PASSAGE_FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(article query quote)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    cp -n ../tests/data/fuzz/"$t"/* "corpus/$t/" 2>/dev/null || true
    echo "== fuzz $t for ${secs}s"
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=5 \
        -dict="$t.dict" -print_final_stats=1
done

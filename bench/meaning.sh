#!/usr/bin/env bash
# The dev relevance suite on the bench corpus with a static embedding model
# (issue 22's third design, `passage index --model DIR`) against the same
# binary without one, alternating query by query: P@1 and MRR@10 per kind,
# the search p50, and the full build's time and index size with each.
#
# Usage:  bench/meaning.sh [REPORT.md]
#
# Environment (besides bench/lib.sh's):
#   PASSAGE_BENCH_CORPUS  the bench corpus (default ../shared/bench/wiki)
#   PASSAGE_BENCH_MODEL   a Model2Vec model folder. By default potion-base-2M,
#                         as the crates.io package yantrikdb 0.23.4 ships it
#                         (Apache-2.0; the weights are MIT): cargo fetches
#                         the package into its registry, and the model is
#                         read from there. Nothing else is downloaded.
#
# Needs: cargo, python3, jq.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS=${PASSAGE_BENCH_CORPUS:-$BENCH_REPO/../shared/bench/wiki}
REPORT=${1:-/dev/stdout}
[[ -d $CORPUS ]] || die "no bench corpus at $CORPUS (set PASSAGE_BENCH_CORPUS)"
bench_need python3 jq
bench_tmp "$BENCH_REPO"
trap bench_exit EXIT

MODEL=${PASSAGE_BENCH_MODEL:-}
if [[ -z $MODEL ]]; then
    log "fetching the package yantrikdb 0.23.4 (it ships potion-base-2M)"
    # `cargo info` unpacks the package into the registry's sources.
    (cd "$TMP" && cargo info --quiet yantrikdb@0.23.4 >/dev/null)
    MODEL=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 4 -type d \
        -path '*yantrikdb-0.23.4/assets/potion-base-2M' | head -n 1)
    [[ -n $MODEL ]] || die "yantrikdb 0.23.4 holds no assets/potion-base-2M"
fi
[[ -f $MODEL/model.safetensors ]] || die "$MODEL: no model.safetensors"

bench_wait
bench_corpus_begin "$CORPUS"
bench_build

log "indexing the corpus without and with the model ($MODEL)"
build_s() { # INDEX ARGS...
    local idx=$1
    shift
    local t0 t1
    t0=$(date +%s.%N)
    "$BIN" index --full --corpus "$CORPUS" --index "$idx" "$@" >/dev/null
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
BUILD_WORDS=$(build_s "$TMP/idx-words")
BUILD_MODEL=$(build_s "$TMP/idx-model" --model "$MODEL")
SIZE_WORDS=$(du -sb "$TMP/idx-words" | cut -f1)
SIZE_MODEL=$(du -sb "$TMP/idx-model" | cut -f1)
# One warm-up pass, so both answer from the page cache.
python3 bench/relevance.py --passage "$BIN" --corpus "$CORPUS" --index "$TMP/idx-model" >/dev/null

log "running the suite (with the model, then the words alone as the baseline)"
python3 bench/relevance.py --passage "$BIN" --corpus "$CORPUS" --index "$TMP/idx-model" \
    --baseline "$BIN" --baseline-index "$TMP/idx-words" --repeat 3 --label "$(basename "$MODEL")" \
    --verbose --out "$TMP/meaning.json" >"$TMP/meaning.txt"
bench_corpus_end

bench_figure meaning "$(jq -c 'del(.passage.rows, .baseline.rows)' "$TMP/meaning.json")"
bench_figure_str model "$(basename "$MODEL")"
bench_figure build_s_words "$BUILD_WORDS"
bench_figure build_s_model "$BUILD_MODEL"
bench_figure index_bytes_words "$SIZE_WORDS"
bench_figure index_bytes_model "$SIZE_MODEL"
bench_write_results "suite=bench/relevance/dev.jsonl"

{
    echo "# bench/meaning.sh"
    echo
    echo "passage: $BUILT_FROM; model: $(basename "$MODEL")"
    echo
    echo "full build: ${BUILD_WORDS} s without, ${BUILD_MODEL} s with; index: $SIZE_WORDS bytes without, $SIZE_MODEL with"
    echo
    echo '```text'
    cat "$TMP/meaning.txt"
    echo '```'
} >"$REPORT"

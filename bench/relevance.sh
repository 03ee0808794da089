#!/usr/bin/env bash
# The dev relevance suite on the bench corpus (issue 13): P@1 and MRR@10 per
# kind of query, top-10 lists showing a text twice, and the search p50 beside
# a baseline build's from the same run.
#
# Usage:  bench/relevance.sh [REPORT.md]
#
# The suite is bench/relevance/dev.jsonl: 289 known-item queries over about
# 200 articles, of fifteen kinds (fact, question, typo, inflection,
# spelling, keyboard, topic, title, rare; and issue 22's paraphrase,
# remembered words, exact phrase, entity + attribute, section, lead), each
# written from a passage of the bench corpus the way a reader types it,
# with every equally good answer (found with rg). bench/relevance.py runs
# them through the real binary, and counts each at the rank of the first
# result that is or lists an answer, and again of the first that is one.
#
# Environment (besides bench/lib.sh's):
#   PASSAGE_BENCH_CORPUS   the bench corpus (default ../shared/bench/wiki)
#   PASSAGE_BENCH_BASE     git revision of the baseline (default 5e19da7: main
#                          before issue 20's new index format), built into
#                          target/bench-base. Issue 20's targets: relevance
#                          no lower than it, search p50 at most 0.6x its own
#
# Needs: cargo, python3, git.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS=${PASSAGE_BENCH_CORPUS:-$BENCH_REPO/../shared/bench/wiki}
BASE_REV=${PASSAGE_BENCH_BASE:-5e19da7}
REPORT=${1:-/dev/stdout}
[[ -d $CORPUS ]] || die "no bench corpus at $CORPUS (set PASSAGE_BENCH_CORPUS)"
bench_need python3 git
bench_tmp "$BENCH_REPO"
trap bench_exit EXIT
bench_wait
bench_corpus_begin "$CORPUS"
bench_build

log "building the baseline ($BASE_REV) into target/bench-base"
BASE_COMMIT=$(git rev-parse --verify --quiet "$BASE_REV^{commit}") || die "no git revision '$BASE_REV'"
mkdir "$TMP/base-src"
git archive "$BASE_COMMIT" | tar -x -C "$TMP/base-src"
CARGO_TARGET_DIR=$BENCH_REPO/target/bench-base \
    cargo build --release --locked --quiet --manifest-path "$TMP/base-src/Cargo.toml" >&2
cp target/bench-base/release/passage "$TMP/passage-base"

log "indexing the corpus with both"
"$BIN" index --corpus "$CORPUS" --index "$TMP/idx" >/dev/null
"$TMP/passage-base" index --corpus "$CORPUS" --index "$TMP/idx-base" >/dev/null
# One warm-up pass each, so both answer from the page cache.
python3 bench/relevance.py --passage "$BIN" --corpus "$CORPUS" --index "$TMP/idx" >/dev/null

log "running the suite (both binaries, alternating query by query)"
python3 bench/relevance.py --passage "$BIN" --corpus "$CORPUS" --index "$TMP/idx" \
    --baseline "$TMP/passage-base" --baseline-index "$TMP/idx-base" --repeat 5 \
    --verbose --out "$TMP/relevance.json" >"$TMP/relevance.txt"
bench_corpus_end

bench_figure relevance "$(jq -c 'del(.passage.rows, .baseline.rows)' "$TMP/relevance.json")"
bench_figure relevance_rows "$(jq -c '.passage.rows' "$TMP/relevance.json")"
bench_figure_str baseline "$(git rev-parse --short "$BASE_COMMIT")"
# What the baseline is and what is asked against it (bench/render.py shows
# both): issue 20's targets against main before it, unless another baseline
# was asked for.
if [[ $(git rev-parse --short=7 "$BASE_COMMIT") == 5e19da7 ]]; then
    bench_figure_str baseline_note "main before issue 20"
    bench_figure p50_target 0.6
    bench_figure relevance_no_lower true
else
    bench_figure_str baseline_note "PASSAGE_BENCH_BASE"
    bench_figure p50_target 1.2
    bench_figure relevance_no_lower false
fi
bench_write_results "suite=bench/relevance/dev.jsonl"

{
    echo "# bench/relevance.sh"
    echo
    echo "passage: $BUILT_FROM; baseline: $(git rev-parse --short "$BASE_COMMIT")"
    echo
    echo '```text'
    cat "$TMP/relevance.txt"
    echo '```'
} >"$REPORT"

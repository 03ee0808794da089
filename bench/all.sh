#!/usr/bin/env bash
# Run every benchmark, then write BENCHMARKS.md from the results: the one
# command behind the dashboard (issue 11).
#
# Usage:  bench/all.sh [REPORTS-DIR]
#
# Runs scale.sh, incremental.sh, cite.sh, check.sh, headings.sh, typos.sh, compare.sh, relevance.sh,
# meaning.sh, serve.sh, hostile.sh and growth.sh one after another (each writes bench/results/<date>-<commit>-<script>.json), then
# bench/render.py. Each script's full Markdown report goes into REPORTS-DIR
# (default: a fresh `mktemp -d`, printed at the end); those reports are for
# reading now, the results files are what is kept. Stops at the first
# failing script, so no half-set of results is rendered.
#
# About 40 minutes on 2 cores: 25 for the first eleven (hostile.sh is 5 of them,
# meaning.sh and serve.sh about 2 each),
# then about 15 for growth.sh (1x, 3x and 10x copies of the bench corpus; 10x
# is about 1 GB in a scratch folder and 10 of the 15 minutes; PASSAGE_GROWTH_SCALES="1 3"
# takes about 5). To stay near that, it runs fewer repetitions
# than the scripts' own defaults (BENCHMARKS.md says which); override any of
# these as usual:
#   PASSAGE_BENCH_BUILD_RUNS=3  full builds per tool in scale.sh's build table
#   PASSAGE_BENCH_RSS_BUILD_RUNS=1  full builds per tool timed for peak RSS
#                               (scale.sh's default is 3; in the history, the
#                               3 runs of one report differed by up to 10 %)
#   PASSAGE_BENCH_SCALING=0     scale.sh skips its subset table (+4 minutes)
#   PASSAGE_BENCH_RUNS=3        incremental.sh: runs of the full/incremental table
#   PASSAGE_BENCH_EDIT_RUNS=20  incremental.sh: edits timed for "edit -> search" (issue 20: 20)
#   PASSAGE_BENCH_ONLY="scale cite"  run only these scripts (then render)
#   PASSAGE_GROWTH_SCALES="1 3 10"  growth.sh's scales (see its header)
# and bench/lib.sh's PASSAGE_BENCH_REV, PASSAGE_BENCH_WAIT, PASSAGE_BENCH_RESULTS.
#
# Needs (checked before anything runs): cargo, python3, hyperfine >= 1.13,
# rg, jq, GNU time, tantivy-cli, and for serve.sh wrk and curl:
#   apt-get install -y hyperfine ripgrep jq time wrk curl && cargo install tantivy-cli

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCRIPTS=(scale incremental cite check headings typos compare relevance meaning serve hostile growth)
if [[ -n ${PASSAGE_BENCH_ONLY:-} ]]; then
    read -r -a SCRIPTS <<<"$PASSAGE_BENCH_ONLY"
    for s in "${SCRIPTS[@]}"; do
        [[ -x $BENCH_REPO/bench/$s.sh && $s != all ]] || die "PASSAGE_BENCH_ONLY: no bench/$s.sh"
    done
fi
bench_need cargo python3 hyperfine rg jq time timeout du awk pgrep flock
if [[ " ${SCRIPTS[*]} " == *" scale "* || " ${SCRIPTS[*]} " == *" serve "* ]]; then bench_need tantivy; fi
if [[ " ${SCRIPTS[*]} " == *" serve "* ]]; then bench_need wrk curl; fi
WIKI=${PASSAGE_BENCH_WIKI:-../shared/bench/wiki}
[[ -d $WIKI ]] || die "no bench corpus at $WIKI (set PASSAGE_BENCH_WIKI; see ../shared/bench/README.md)"

export PASSAGE_BENCH_BUILD_RUNS=${PASSAGE_BENCH_BUILD_RUNS:-3}
export PASSAGE_BENCH_RSS_BUILD_RUNS=${PASSAGE_BENCH_RSS_BUILD_RUNS:-1}
export PASSAGE_BENCH_SCALING=${PASSAGE_BENCH_SCALING:-0}
export PASSAGE_BENCH_RUNS=${PASSAGE_BENCH_RUNS:-3}
export PASSAGE_BENCH_EDIT_RUNS=${PASSAGE_BENCH_EDIT_RUNS:-20}
# The scripts name the bench corpus differently: scale.sh's is
# PASSAGE_BENCH_CORPUS, which for the others is the single-article folder.
export PASSAGE_BENCH_WIKI=$WIKI

REPORTS=${1:-$(mktemp -d "${TMPDIR:-/tmp}/passage-bench-reports.XXXXXX")}
mkdir -p "$REPORTS"
START=$(date +%s)
for s in "${SCRIPTS[@]}"; do
    log "---- bench/$s.sh ($(($(date +%s) - START)) s so far)"
    if [[ $s == scale || $s == hostile || $s == meaning || $s == serve ]]; then
        PASSAGE_BENCH_CORPUS=$WIKI "$BENCH_REPO/bench/$s.sh" "$REPORTS/$s.md"
    else
        "$BENCH_REPO/bench/$s.sh" "$REPORTS/$s.md"
    fi
done
python3 "$BENCH_REPO/bench/render.py"
log "done in $(($(date +%s) - START)) s; Markdown reports in $REPORTS"

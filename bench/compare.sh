#!/usr/bin/env bash
# Reproducible benchmark: passage vs ripgrep (rg) on the single article
# corpus/iran-syria-relations.txt.
#
# Usage:  bench/compare.sh [OUTPUT.md]
#
# Writes its results (hyperfine exports, peak RSS, machine, commit, tool
# versions) to bench/results/<date>-<commit>-compare.json. Also prints a
# Markdown section (machine, exact commands, hyperfine tables, passage/rg
# ratios, peak RSS) to stdout, or writes it to OUTPUT.md.
# Progress and hyperfine's own output go to stderr.
#
# Inputs: only this repository, plus the optional $PASSAGE_BENCH_CORPUS
# (a corpus folder holding iran-syria-relations.txt; default: corpus/).
# The corpus is only ever read: the index and all scratch files live in a
# fresh temporary directory, and the script fails if the corpus changed.
#
# Also reads the variables of bench/lib.sh ($PASSAGE_BENCH_REV, ...).
#
# Needs: cargo, hyperfine (>= 1.13 for -N), rg, jq, /usr/bin/time (GNU, -v).
#
# Each table is ONE hyperfine run, so the commands in it share the same
# machine conditions; on noisy machines only the ratios are meaningful.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${1:-}
CORPUS=${PASSAGE_BENCH_CORPUS:-corpus}
ARTICLE_NAME=iran-syria-relations.txt
ARTICLE=$CORPUS/$ARTICLE_NAME
WARMUP=3

bench_need cargo hyperfine rg jq time
[[ -f $ARTICLE ]] || die "no article at $ARTICLE"

bench_tmp "$CORPUS"
bench_corpus_begin "$CORPUS"
bench_build

IDX=$TMP/idx
log "building the index once in $IDX"
"$BIN" index --corpus "$CORPUS" --index "$IDX" >&2

# ---------------------------------------------------------------- commands
INDEX_CMD="$BIN index --corpus $CORPUS --index $IDX"
INDEX_RG="rg -i counterweight $ARTICLE"

# name | passage command | rg command
QUERIES=(
    "two words: golden counterweight"
    "$BIN search --color never golden counterweight --corpus $CORPUS --index $IDX"
    "rg -i 'golden counterweight' $ARTICLE"
    "common word: war"
    "$BIN search --color never war --corpus $CORPUS --index $IDX"
    "rg -i war $ARTICLE"
    "phrase: \"civil war\""
    "$BIN search --color never '\"civil war\"' --corpus $CORPUS --index $IDX"
    "rg -i 'civil war' $ARTICLE"
)

# Every command must succeed (exit 0 = something matched) before timing it.
check() { eval "$1" >/dev/null || die "command failed: $1"; }
check "$INDEX_CMD"
check "$INDEX_RG"
INDEX_CMDS=("passage index" "$INDEX_CMD" "rg scan" "$INDEX_RG")
# name, command pairs; the names ("passage Q", "rg Q") key the results.
SEARCH_CMDS=()
for ((i = 0; i < ${#QUERIES[@]}; i += 3)); do
    check "${QUERIES[i + 1]}"
    check "${QUERIES[i + 2]}"
    SEARCH_CMDS+=("passage ${QUERIES[i]}" "${QUERIES[i + 1]}" "rg ${QUERIES[i]}" "${QUERIES[i + 2]}")
done

# ---------------------------------------------------------------- timing
bench_wait
log "table 1: index build (one hyperfine run)"
bench_hf index INDEX_CMDS 2 --warmup "$WARMUP"

log "table 2: searches (one hyperfine run)"
bench_hf search SEARCH_CMDS 2 --warmup "$WARMUP"

ms() { awk -v a="$1" 'BEGIN { printf "%.2f", a }'; }

ratio_row() { # label run passage-name rg-name
    local pm pmed rm rmed
    pm=$(bench_ms "$2" "$3" mean); pmed=$(bench_ms "$2" "$3" median)
    rm=$(bench_ms "$2" "$4" mean); rmed=$(bench_ms "$2" "$4" median)
    printf '| %s | %s | %s | %s | %s | **%s** | **%s** |\n' "$1" \
        "$(ms "$pm")" "$(ms "$rm")" "$(ms "$pmed")" "$(ms "$rmed")" \
        "$(ratio "$pm" "$rm")" "$(ratio "$pmed" "$rmed")"
}

# ---------------------------------------------------------------- peak RSS
RSS_RUNS=5
rss_row() { # label command words... -> a Markdown row
    local label=$1 v all
    shift
    IFS=$'\t' read -r _ v all < <(bench_rss "$label" "$RSS_RUNS" "" "$@")
    printf '| %s | %s | %s |\n' "$label" "$(awk -v k="$v" 'BEGIN { printf "%.1f", k / 1024 }')" "$all"
}
log "peak RSS ($RSS_RUNS runs each, /usr/bin/time -v)"
RSS_TABLE=$(
    echo '| Process | Median peak RSS [MiB] | All runs [KiB] |'
    echo '|:---|---:|:---|'
    rss_row "\`passage search --color never golden counterweight\`" \
        "$BIN" search --color never golden counterweight --corpus "$CORPUS" --index "$IDX"
    rss_row "\`rg -i 'golden counterweight'\`" rg -i 'golden counterweight' "$ARTICLE"
    rss_row "\`passage index\`" "$BIN" index --corpus "$CORPUS" --index "$IDX"
)

bench_corpus_end

# ---------------------------------------------------------------- report
CPU=$CPU_MODEL

report() {
    cat <<MD
### Machine

| | |
|:---|:---|
| Date (UTC) | $(date -u '+%Y-%m-%d %H:%M:%S') |
| CPU | $CPU |
| nproc | $(nproc) |
| Load average (1/5/15 min) | $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end |
| Kernel | $(uname -sr) |
| rustc | $(rustc --version) |
| ripgrep | $(rg_version) |
| hyperfine | $(hyperfine --version) |
| passage | $($BIN --version), built from $BUILT_FROM |
| Article | \`$ARTICLE\` ($(wc -c <"$ARTICLE") bytes, $(wc -l <"$ARTICLE") lines) |

Produced by \`bench/compare.sh\`; hyperfine options: \`${SHELL_OPT[*]} --warmup $WARMUP\`.
\`\$TMP\` is a fresh \`mktemp -d\` directory outside the corpus.

### Index build

ripgrep does no indexing: \`$INDEX_RG\` scans the article once and is
only a yardstick for "read this file and do something with it".

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --warmup $WARMUP CMD...\`):

\`\`\`sh
$(printf '%s\n' "$INDEX_CMD" "$INDEX_RG" | untmp)
\`\`\`

$(untmp <"$TMP/index.md")

| Ratio | passage mean [ms] | rg mean [ms] | passage median [ms] | rg median [ms] | passage / rg (mean) | passage / rg (median) |
|:---|---:|---:|---:|---:|---:|---:|
$(ratio_row "index build vs rg scan" index "passage index" "rg scan")

### Search (whole process, index already built)

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --warmup $WARMUP CMD...\`):

\`\`\`sh
$(for ((i = 1; i < ${#SEARCH_CMDS[@]}; i += 2)); do printf '%s\n' "${SEARCH_CMDS[i]}"; done | untmp)
\`\`\`

$(untmp <"$TMP/search.md")

| Query | passage mean [ms] | rg mean [ms] | passage median [ms] | rg median [ms] | passage / rg (mean) | passage / rg (median) |
|:---|---:|---:|---:|---:|---:|---:|
$(for ((i = 0; i < ${#QUERIES[@]}; i += 3)); do
    ratio_row "${QUERIES[i]}" search "passage ${QUERIES[i]}" "rg ${QUERIES[i]}"
done)

### Peak memory

\`/usr/bin/time -v\`, "Maximum resident set size", $RSS_RUNS runs each:

$RSS_TABLE
MD
}

bench_figure article.bytes "$(wc -c <"$ARTICLE")"
bench_figure_str article.path "$ARTICLE"
bench_write_results

if [[ -n $OUT ]]; then
    report >"$OUT"
    log "wrote $OUT"
else
    report
fi

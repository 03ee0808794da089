#!/usr/bin/env bash
# Reproducible benchmark: passage vs ripgrep (rg) on the single article
# corpus/iran-syria-relations.txt.
#
# Usage:  bench/compare.sh [OUTPUT.md]
#
# Prints a Markdown section (machine, exact commands, hyperfine tables,
# passage/rg ratios, peak RSS) to stdout, or writes it to OUTPUT.md.
# Progress and hyperfine's own output go to stderr.
#
# Inputs: only this repository, plus the optional $PASSAGE_BENCH_CORPUS
# (a corpus folder holding iran-syria-relations.txt; default: corpus/).
# The corpus is only ever read: the index and all scratch files live in a
# fresh temporary directory, and the script fails if the corpus changed.
#
# Needs: cargo, hyperfine (>= 1.13 for -N), rg, jq, /usr/bin/time (GNU, -v).
#
# Each table is ONE hyperfine run, so the commands in it share the same
# machine conditions; on noisy machines only the ratios are meaningful.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

OUT=${1:-}
CORPUS=${PASSAGE_BENCH_CORPUS:-corpus}
ARTICLE_NAME=iran-syria-relations.txt
ARTICLE=$CORPUS/$ARTICLE_NAME
BIN=target/release/passage
WARMUP=3

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 2; }

for tool in cargo hyperfine rg jq; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install -y time)"
[[ -f $ARTICLE ]] || die "no article at $ARTICLE"

# hyperfine -N (= --shell=none) appeared in 1.13; fall back to the shell.
if hyperfine --help 2>/dev/null | grep -q -- '-N, --shell=none\|^ *-N'; then
    SHELL_OPT=(-N)
else
    SHELL_OPT=()
    log "this hyperfine has no -N; commands run through the default shell"
fi

# Scratch space outside the corpus; removed on exit.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/passage-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
case "$(realpath "$TMP")/" in
    "$(realpath "$CORPUS")"/*) die "temporary directory $TMP is inside the corpus" ;;
esac

corpus_fingerprint() {
    find "$CORPUS" -printf '%P %s %T@\n' | LC_ALL=C sort
    find "$CORPUS" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
}
BEFORE=$(corpus_fingerprint)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

log "building passage (release)"
cargo build --release --locked --quiet >&2

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
SEARCH_CMDS=()
for ((i = 0; i < ${#QUERIES[@]}; i += 3)); do
    check "${QUERIES[i + 1]}"
    check "${QUERIES[i + 2]}"
    SEARCH_CMDS+=("${QUERIES[i + 1]}" "${QUERIES[i + 2]}")
done

# ---------------------------------------------------------------- timing
log "table 1: index build (one hyperfine run)"
hyperfine "${SHELL_OPT[@]}" --warmup "$WARMUP" --style basic \
    --export-markdown "$TMP/index.md" --export-json "$TMP/index.json" \
    "$INDEX_CMD" "$INDEX_RG" >&2

log "table 2: searches (one hyperfine run)"
hyperfine "${SHELL_OPT[@]}" --warmup "$WARMUP" --style basic \
    --export-markdown "$TMP/search.md" --export-json "$TMP/search.json" \
    "${SEARCH_CMDS[@]}" >&2

# Mean and median (ms) of a command in a hyperfine JSON export.
stat_ms() { # file command field
    jq -r --arg c "$2" --arg f "$3" \
        '.results[] | select(.command == $c) | .[$f] * 1000' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.2f", a }'; }

ratio_row() { # label file passage-cmd rg-cmd
    local pm pmed rm rmed
    pm=$(stat_ms "$2" "$3" mean); pmed=$(stat_ms "$2" "$3" median)
    rm=$(stat_ms "$2" "$4" mean); rmed=$(stat_ms "$2" "$4" median)
    printf '| %s | %s | %s | %s | %s | **%s** | **%s** |\n' "$1" \
        "$(ms "$pm")" "$(ms "$rm")" "$(ms "$pmed")" "$(ms "$rmed")" \
        "$(ratio "$pm" "$rm")" "$(ratio "$pmed" "$rmed")"
}

# ---------------------------------------------------------------- peak RSS
RSS_RUNS=5
peak_rss_kb() { # command words...
    local f=$TMP/time.txt
    /usr/bin/time -v -o "$f" "$@" >/dev/null 2>&1 || true
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$f"
}
rss_row() { # label command words...
    local label=$1 vals=() v
    shift
    for ((r = 0; r < RSS_RUNS; r++)); do vals+=("$(peak_rss_kb "$@")"); done
    v=$(printf '%s\n' "${vals[@]}" | sort -n | sed -n "$(((RSS_RUNS + 1) / 2))p")
    printf '| %s | %s | %s |\n' "$label" "$(awk -v k="$v" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "${vals[*]}"
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

AFTER=$(corpus_fingerprint)
[[ $BEFORE == "$AFTER" ]] || die "the corpus changed during the benchmark"

# ---------------------------------------------------------------- report
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT (with uncommitted changes)"
# The temporary path differs on every run; show it as $TMP.
untmp() { sed "s|$TMP|\$TMP|g"; }

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
| ripgrep | $(rg --version | head -n 1) |
| hyperfine | $(hyperfine --version) |
| passage | $($BIN --version) at commit $COMMIT |
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
$(ratio_row "index build vs rg scan" "$TMP/index.json" "$INDEX_CMD" "$INDEX_RG")

### Search (whole process, index already built)

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --warmup $WARMUP CMD...\`):

\`\`\`sh
$(printf '%s\n' "${SEARCH_CMDS[@]}" | untmp)
\`\`\`

$(untmp <"$TMP/search.md")

| Query | passage mean [ms] | rg mean [ms] | passage median [ms] | rg median [ms] | passage / rg (mean) | passage / rg (median) |
|:---|---:|---:|---:|---:|---:|---:|
$(for ((i = 0; i < ${#QUERIES[@]}; i += 3)); do
    ratio_row "${QUERIES[i]}" "$TMP/search.json" "${QUERIES[i + 1]}" "${QUERIES[i + 2]}"
done)

### Peak memory

\`/usr/bin/time -v\`, "Maximum resident set size", $RSS_RUNS runs each:

$RSS_TABLE
MD
}

if [[ -n $OUT ]]; then
    report >"$OUT"
    log "wrote $OUT"
else
    report
fi

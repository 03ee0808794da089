#!/usr/bin/env bash
# Reproducible benchmark of `passage cite` next to `passage search` and
# `rg -F` on the same quote, (a) on the single article
# corpus/iran-syria-relations.txt and (b) on the large Wikipedia bench corpus
# (6,507 articles, 102 MB; see ../shared/bench/README.md).
#
# Usage:  bench/cite.sh [OUTPUT.md]
#
# Writes its results (hyperfine exports, the index build's GNU time figures,
# peak RSS, machine, commit, tool versions) to
# bench/results/<date>-<commit>-cite.json. Also prints a Markdown section
# (machine, full index build on the bench corpus, exact commands, one
# hyperfine table per corpus, ratios, peak RSS) to stdout, or writes it to
# OUTPUT.md. Progress and hyperfine's own output go to stderr.
#
# Inputs, only ever read:
#   $PASSAGE_BENCH_CORPUS  folder holding iran-syria-relations.txt (default: corpus)
#   $PASSAGE_BENCH_WIKI    the bench corpus (default: ../shared/bench/wiki);
#                          it is never copied into the repository.
#   $PASSAGE_BENCH_REV     optional git revision (e.g. HEAD) to build from a
#                          `git archive` copy instead of the working tree, into
#                          target/bench-rev (useful while the tree is mid-edit).
#   and those of bench/lib.sh ($PASSAGE_BENCH_WAIT, $PASSAGE_BENCH_RESULTS, ...).
# Both indexes and all scratch files live in a fresh temporary directory, and
# the script fails if either corpus changed during the run.
#
# Needs: cargo, hyperfine (>= 1.13 for -N), rg, jq, GNU /usr/bin/time (-v),
# timeout, du, awk.
#
# Each table is ONE hyperfine run, so the commands in it share the same
# machine conditions; on noisy machines only the ratios are meaningful.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${1:-}
CORPUS=${PASSAGE_BENCH_CORPUS:-corpus}
WIKI=${PASSAGE_BENCH_WIKI:-../shared/bench/wiki}
ARTICLE=$CORPUS/iran-syria-relations.txt
WARMUP=3
INDEX_TIMEOUT=600 # seconds allowed for the full bench-corpus index build
RSS_RUNS=5

# ---------------------------------------------------------------- quotes
# Each exact quote is 10 words and stands verbatim in its corpus (rg -F finds
# it); `passage search` gets the same 10 words without punctuation.
ART_QUOTE='declared, "Iran is not prepared to lose this golden counterweight'
ART_WORDS='declared Iran is not prepared to lose this golden counterweight'
# One word changed: cite exits 1 and prints the closest passages.
ART_APPROX='declared, "Iran is not ready to lose this golden counterweight'

# A: rare words (AA_67/9377.txt, "History of Eritrea", § Kingdom of Aksum).
WIKI_RARE='The capital was later moved to Aksum in northern Ethiopia.'
WIKI_RARE_WORDS='The capital was later moved to Aksum in northern Ethiopia'
# B: common words only (AA_27/4285.txt, "Bodhidharma").
WIKI_COMMON='He was the third son of a great Indian king.'
WIKI_COMMON_WORDS='He was the third son of a great Indian king'
# Two words changed from A: not in the corpus, cite exits 1.
WIKI_APPROX='The capital was later moved to Axum in southern Ethiopia.'

bench_need cargo hyperfine rg jq time timeout du awk
[[ -f $ARTICLE ]] || die "no article at $ARTICLE"
[[ -d $WIKI ]] || die "no bench corpus at $WIKI (set PASSAGE_BENCH_WIKI; see ../shared/bench/README.md)"

for q in "$ART_QUOTE" "$ART_WORDS" "$ART_APPROX" "$WIKI_RARE" "$WIKI_RARE_WORDS" \
    "$WIKI_COMMON" "$WIKI_COMMON_WORDS" "$WIKI_APPROX"; do
    [[ $(wc -w <<<"$q") -eq 10 ]] || die "not 10 words: $q"
done

bench_tmp "$CORPUS" "$WIKI"
bench_corpus_begin "$CORPUS" "$WIKI"
bench_build

AIDX=$TMP/article-idx
WIDX=$TMP/idx
log "building the article index in $AIDX"
"$BIN" index --corpus "$CORPUS" --index "$AIDX" >&2 2>"$TMP/article-index.log"

# ---------------------------------------------------------------- full index build
# Load is recorded from here on: after the compile, before any measurement.
bench_wait
log "building the bench-corpus index once in $WIDX (timeout ${INDEX_TIMEOUT}s)"
set +e
timeout "$INDEX_TIMEOUT" /usr/bin/time -v -o "$TMP/wiki-index-time.txt" \
    "$BIN" index --corpus "$WIKI" --index "$WIDX" >"$TMP/wiki-index.out" 2>"$TMP/wiki-index.log"
INDEX_RC=$?
set -e
tv() { awk -F': ' -v k="$1" 'index($0, k) { print $2; exit }' "$TMP/wiki-index-time.txt"; }
if [[ $INDEX_RC -eq 124 ]]; then
    INDEX_STATUS="**timed out** after ${INDEX_TIMEOUT} s (killed by \`timeout\`)"
elif [[ $INDEX_RC -ne 0 ]]; then
    INDEX_STATUS="**failed** with exit status $INDEX_RC; last lines of stderr: \`$(tail -n 3 "$TMP/wiki-index.log" | tr '\n' ' ')\`"
else
    INDEX_STATUS=ok
fi
# passage's own summary line (its wording differs between versions).
INDEX_SUMMARY=$(cat "$TMP/wiki-index.out" "$TMP/wiki-index.log" | grep -v '(warning)' | grep -v '^ *$' | tail -n 1 || true)
INDEX_WARNINGS=$(grep -c '(warning)' "$TMP/wiki-index.log" || true)

# ---------------------------------------------------------------- commands
q() { printf "'%s'" "$1"; } # single-quote an argument for hyperfine -N / eval

# name | command | expected exit status
ART_CMDS=(
    "cite exact" "$BIN cite --color never $(q "$ART_QUOTE") --corpus $CORPUS --index $AIDX" 0
    "search same words" "$BIN search --color never $ART_WORDS --corpus $CORPUS --index $AIDX" 0
    "rg -F exact" "rg -F $(q "$ART_QUOTE") $ARTICLE" 0
    "cite approximate" "$BIN cite --color never $(q "$ART_APPROX") --corpus $CORPUS --index $AIDX" 1
)
WIKI_CMDS=(
    "A cite exact" "$BIN cite --color never $(q "$WIKI_RARE") --corpus $WIKI --index $WIDX" 0
    "A search same words" "$BIN search --color never $WIKI_RARE_WORDS --corpus $WIKI --index $WIDX" 0
    "A rg -F exact" "rg -F $(q "$WIKI_RARE") $WIKI" 0
    "B cite exact" "$BIN cite --color never $(q "$WIKI_COMMON") --corpus $WIKI --index $WIDX" 0
    "B search same words" "$BIN search --color never $WIKI_COMMON_WORDS --corpus $WIKI --index $WIDX" 0
    "B rg -F exact" "rg -F $(q "$WIKI_COMMON") $WIKI" 0
    "A' cite approximate" "$BIN cite --color never $(q "$WIKI_APPROX") --corpus $WIKI --index $WIDX" 1
)

# Every command must exit as expected before it is timed (hyperfine runs
# with -i because of the approximate cites, so it would not notice).
check() { # expected command
    local rc=0
    eval "$2" >"$TMP/check.out" 2>"$TMP/check.err" || rc=$?
    [[ $rc -eq $1 ]] || die "exit $rc (expected $1): $2 -- $(head -c 300 "$TMP/check.err")"
    if grep -q 'building it' "$TMP/check.err"; then die "index was rebuilt by: $2"; fi
}
hf_cmds() { # array-name -> fills HFC with name, command (no exit status)
    local -n a=$1
    HFC=()
    local i
    for ((i = 0; i < ${#a[@]}; i += 3)); do HFC+=("${a[i]}" "${a[i + 1]}"); done
}
cmd_list() { # array-name -> "# name" / command lines
    local -n a=$1
    local i
    for ((i = 0; i < ${#a[@]}; i += 3)); do printf '# %s\n%s\n' "${a[i]}" "${a[i + 1]}"; done
}

for ((i = 0; i < ${#ART_CMDS[@]}; i += 3)); do check "${ART_CMDS[i + 2]}" "${ART_CMDS[i + 1]}"; done
RG_ART_HITS=$(rg -F -c "$ART_QUOTE" "$ARTICLE")

HAVE_WIKI=0
if [[ $INDEX_STATUS == ok ]]; then
    HAVE_WIKI=1
    for ((i = 0; i < ${#WIKI_CMDS[@]}; i += 3)); do check "${WIKI_CMDS[i + 2]}" "${WIKI_CMDS[i + 1]}"; done
    RG_RARE_HITS=$(rg -F -l "$WIKI_RARE" "$WIKI" | tr '\n' ' ')
    RG_COMMON_HITS=$(rg -F -l "$WIKI_COMMON" "$WIKI" | tr '\n' ' ')
    CITE_RARE_OUT=$(eval "${WIKI_CMDS[1]}" | sed -n 1p)
    CITE_COMMON_OUT=$(eval "${WIKI_CMDS[10]}" | sed -n 1p)
fi
CITE_ART_OUT=$(eval "${ART_CMDS[1]}" | sed -n 1p)

# ---------------------------------------------------------------- timing
log "table 1: single article (one hyperfine run)"
hf_cmds ART_CMDS
bench_hf article HFC 2 -i --warmup "$WARMUP"

if [[ $HAVE_WIKI -eq 1 ]]; then
    log "table 2: bench corpus (one hyperfine run)"
    hf_cmds WIKI_CMDS
    bench_hf wiki HFC 2 -i --warmup "$WARMUP"
fi

ratio_row() { # label file cite-name search-name rg-name
    local cm cmed sm smed rm rmed
    cm=$(bench_ms "$2" "$3" mean); cmed=$(bench_ms "$2" "$3" median)
    sm=$(bench_ms "$2" "$4" mean); smed=$(bench_ms "$2" "$4" median)
    rm=$(bench_ms "$2" "$5" mean); rmed=$(bench_ms "$2" "$5" median)
    printf '| %s | %s | %s | %s | %s | %s | %s | **%s** | **%s** | **%s** | **%s** |\n' "$1" \
        "$cm" "$cmed" "$sm" "$smed" "$rm" "$rmed" \
        "$(ratio "$cm" "$sm")" "$(ratio "$cmed" "$smed")" \
        "$(ratio "$cm" "$rm")" "$(ratio "$cmed" "$rmed")"
}
RATIO_HEAD='| Quote | cite mean [ms] | cite median [ms] | search mean [ms] | search median [ms] | rg mean [ms] | rg median [ms] | cite / search (mean) | cite / search (median) | cite / rg (mean) | cite / rg (median) |
|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'

# ---------------------------------------------------------------- peak RSS
rss_row() { # label command words... -> a Markdown row
    local label=$1 v all
    shift
    IFS=$'\t' read -r _ v all < <(bench_rss "$label" "$RSS_RUNS" "" "$@")
    printf '| %s | %s | %s |\n' "$label" "$(awk -v k="$v" 'BEGIN { printf "%.1f", k / 1024 }')" "$all"
}
if [[ $HAVE_WIKI -eq 1 ]]; then
    log "peak RSS on the bench corpus ($RSS_RUNS runs each, /usr/bin/time -v)"
    RSS_TABLE=$(
        echo '| Process (bench corpus) | Median peak RSS [MiB] | All runs [KiB] |'
        echo '|:---|---:|:---|'
        rss_row "A cite exact" "$BIN" cite --color never "$WIKI_RARE" --corpus "$WIKI" --index "$WIDX"
        rss_row "A search same words" "$BIN" search --color never $WIKI_RARE_WORDS --corpus "$WIKI" --index "$WIDX"
        rss_row "A rg -F exact" rg -F "$WIKI_RARE" "$WIKI"
        rss_row "B cite exact" "$BIN" cite --color never "$WIKI_COMMON" --corpus "$WIKI" --index "$WIDX"
        rss_row "B search same words" "$BIN" search --color never $WIKI_COMMON_WORDS --corpus "$WIKI" --index "$WIDX"
        rss_row "A' cite approximate" "$BIN" cite --color never "$WIKI_APPROX" --corpus "$WIKI" --index "$WIDX"
    )
fi

bench_corpus_end

# ---------------------------------------------------------------- report
CPU=$CPU_MODEL
WIKI_FILES=$(find "$WIKI" -type f -name '*.txt' | wc -l)
WIKI_BYTES=$(find "$WIKI" -type f -name '*.txt' -printf '%s\n' | awk '{ s += $1 } END { print s }')

index_section() {
    echo "Command (once, not under hyperfine; warnings go to stderr):"
    echo
    echo '```sh'
    echo "timeout $INDEX_TIMEOUT /usr/bin/time -v \$TMP/passage index --corpus $WIKI --index \$TMP/idx"
    echo '```'
    echo
    echo "| | |"
    echo "|:---|:---|"
    echo "| Status | $INDEX_STATUS |"
    if [[ -s $TMP/wiki-index-time.txt ]]; then
        echo "| Wall time | $(tv 'Elapsed (wall clock) time') (m:ss) |"
        echo "| User / system CPU | $(tv 'User time') s / $(tv 'System time') s ($(tv 'Percent of CPU') of one core) |"
        echo "| Max RSS | $(tv 'Maximum resident set size') KiB ($(awk -v k="$(tv 'Maximum resident set size')" 'BEGIN { printf "%.1f", k / 1024 }') MiB) |"
    fi
    if [[ -d $WIDX ]]; then
        echo "| Index size | $(du -sb "$WIDX" | cut -f1) bytes (\`du -sh\`: $(du -sh "$WIDX" | cut -f1)) for $WIKI_BYTES bytes of text |"
    fi
    [[ -n $INDEX_SUMMARY ]] && echo "| passage says | \`$(untmp <<<"$INDEX_SUMMARY")\` |"
    echo "| Parser warnings | $INDEX_WARNINGS |"
}

report() {
    cat <<MD
### Machine

| | |
|:---|:---|
| Date (UTC) | $(date -u '+%Y-%m-%d %H:%M:%S') |
| CPU | $CPU |
| nproc | $(nproc) |
| Load average (1/5/15 min) | $LOAD_START at start (after the compile), $(cut -d' ' -f1-3 /proc/loadavg) at end |
| \`uptime\` at start | \`$(sed 's/^ *//' <<<"$UPTIME_START")\` |
| \`uptime\` at end | \`$(uptime | sed 's/^ *//')\` |
| Kernel | $(uname -sr) |
| rustc | $(rustc --version) |
| ripgrep | $(rg_version) |
| hyperfine | $(hyperfine --version) |
| passage | $("$BIN" --version), built from $BUILT_FROM |
| Article | \`$ARTICLE\` ($(wc -c <"$ARTICLE") bytes, $(wc -l <"$ARTICLE") lines) |
| Bench corpus | \`$WIKI\` ($WIKI_FILES files, $WIKI_BYTES bytes) |

Produced by \`bench/cite.sh\`; hyperfine options: \`${SHELL_OPT[*]} -i --warmup $WARMUP\`
(\`-i\` because an approximate cite exits 1; every command's exit status was
checked beforehand: 0 for exact cites, searches and rg, 1 for approximate cites).
\`\$TMP\` is a fresh \`mktemp -d\` directory outside both corpora; \`\$TMP/passage\`
is a copy of the release binary taken right after the build, so a concurrent
\`cargo build\` cannot change it mid-run.

### Full index build on the bench corpus

$(index_section)

### (a) Single article

Quote (10 words, $RG_ART_HITS line with \`rg -F\`): \`$ART_QUOTE\`.
Approximate quote (one word changed): \`$ART_APPROX\`.
First line of the exact cite: \`$(untmp <<<"$CITE_ART_OUT")\`.

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} -i --warmup $WARMUP -n NAME... CMD...\`):

\`\`\`sh
$(cmd_list ART_CMDS | untmp)
\`\`\`

$(untmp <"$TMP/article.md")

$RATIO_HEAD
$(ratio_row "exact" article "cite exact" "search same words" "rg -F exact")
$(ratio_row "approximate (cite exit 1) vs the exact search and rg" article "cite approximate" "search same words" "rg -F exact")

Approximate / exact cite (median): **$(ratio "$(bench_ms article "cite approximate" median)" "$(bench_ms article "cite exact" median)")**.
MD
    if [[ $HAVE_WIKI -eq 0 ]]; then
        echo
        echo "### (b) Bench corpus"
        echo
        echo "Not measured: the index build above did not succeed."
        return
    fi
    cat <<MD

### (b) Bench corpus

* A (rare words): \`$WIKI_RARE\`; \`rg -F -l\` finds it in \`$(echo $RG_RARE_HITS)\`.
  First line of the cite: \`$(untmp <<<"$CITE_RARE_OUT")\`.
* B (common words only): \`$WIKI_COMMON\`; \`rg -F -l\` finds it in \`$(echo $RG_COMMON_HITS)\`.
  First line of the cite: \`$(untmp <<<"$CITE_COMMON_OUT")\`.
* A' (approximate, two words changed from A): \`$WIKI_APPROX\`; cite exits 1.

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} -i --warmup $WARMUP -n NAME... CMD...\`):

\`\`\`sh
$(cmd_list WIKI_CMDS | untmp)
\`\`\`

$(untmp <"$TMP/wiki.md")

$RATIO_HEAD
$(ratio_row "A: rare words" wiki "A cite exact" "A search same words" "A rg -F exact")
$(ratio_row "B: common words" wiki "B cite exact" "B search same words" "B rg -F exact")
$(ratio_row "A' approximate (cite exit 1) vs A's search and rg" wiki "A' cite approximate" "A search same words" "A rg -F exact")

Approximate / exact cite (A' / A, median): **$(ratio "$(bench_ms wiki "A' cite approximate" median)" "$(bench_ms wiki "A cite exact" median)")**.

### Peak memory (bench corpus)

\`/usr/bin/time -v\`, "Maximum resident set size", $RSS_RUNS runs each:

$RSS_TABLE
MD
}

bench_figure corpus.files "$WIKI_FILES"
bench_figure corpus.bytes "$WIKI_BYTES"
bench_figure_str corpus.path "$WIKI"
bench_figure_str index.status "$INDEX_STATUS"
if [[ -s $TMP/wiki-index-time.txt ]]; then
    bench_figure index.rss_kib "$(tv 'Maximum resident set size')"
    bench_figure_str index.wall "$(tv 'Elapsed (wall clock) time')"
fi
if [[ -d $WIDX ]]; then bench_figure index_bytes.passage "$(du -sb "$WIDX" | cut -f1)"; fi
bench_write_results

if [[ -n $OUT ]]; then
    report >"$OUT"
    log "wrote $OUT"
else
    report
fi

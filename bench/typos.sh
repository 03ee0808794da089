#!/usr/bin/env bash
# Reproducible benchmark of the cost of typo tolerance (issue 5):
# `passage search Q` (typo tolerance on, the default) next to
# `passage search --no-typos Q`, for a correctly spelled query, two
# misspelled ones and one with an unfinished last word, (a) on the single
# article corpus/iran-syria-relations.txt and (b) on the Wikipedia bench corpus
# (6,507 articles, 102 MB; see ../shared/bench/README.md).
#
# Usage:  bench/typos.sh [OUTPUT.md]
#
# Writes its results (hyperfine exports, machine, commit, tool versions) to
# bench/results/<date>-<commit>-typos.json. Also prints a Markdown section
# (machine, exact commands, what each query returns, one hyperfine table per
# corpus, on/off ratios) to stdout, or writes it to OUTPUT.md. Progress and
# hyperfine's own output go to stderr.
#
# Inputs, only ever read:
#   $PASSAGE_BENCH_CORPUS  folder holding iran-syria-relations.txt (default: corpus)
#   $PASSAGE_BENCH_WIKI    the bench corpus (default: ../shared/bench/wiki);
#                          it is never copied.
#   $PASSAGE_BENCH_REV     optional git revision (e.g. HEAD) to build from a
#                          `git archive` copy instead of the working tree, into
#                          target/bench-rev (useful while the tree is mid-edit).
#   and those of bench/lib.sh ($PASSAGE_BENCH_WAIT, $PASSAGE_BENCH_RESULTS, ...).
# Both indexes live in a fresh `mktemp -d` directory (built once before the
# timing), and the script fails if either corpus changed during the run.
#
# Needs: cargo, hyperfine (>= 1.13 for -N), rg, jq, awk, timeout.
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
INDEX_TIMEOUT=600

# label | kind | query words (passed unquoted, i.e. as separate arguments)
QUERIES=(
    "hezbollah lebanon" "correctly spelled" "hezbollah lebanon"
    "hezbolah lebanon" "misspelled" "hezbolah lebanon"
    "Khomeni ideology" "misspelled" "Khomeni ideology"
    "nuclear weap" "unfinished last word" "nuclear weap"
)

bench_need cargo hyperfine rg jq awk timeout
[[ -f $ARTICLE ]] || die "no article at $ARTICLE"
[[ -d $WIKI ]] || die "no bench corpus at $WIKI (set PASSAGE_BENCH_WIKI; see ../shared/bench/README.md)"

bench_tmp "$CORPUS" "$WIKI"
bench_corpus_begin "$CORPUS" "$WIKI"
bench_build

AIDX=$TMP/article-idx
WIDX=$TMP/idx
log "building the article index in $AIDX"
"$BIN" index --corpus "$CORPUS" --index "$AIDX" >"$TMP/article-index.out" 2>&1
log "building the bench-corpus index in $WIDX (not timed here; see Issue 3/4)"
timeout "$INDEX_TIMEOUT" "$BIN" index --corpus "$WIKI" --index "$WIDX" >"$TMP/wiki-index.out" 2>&1 ||
    die "the bench-corpus index build failed: $(tail -n 3 "$TMP/wiki-index.out")"
WIKI_INDEX_SUMMARY=$(grep -v '(warning)' "$TMP/wiki-index.out" | grep -v '^ *$' | tail -n 1 || true)

# ---------------------------------------------------------------- commands
# name | command, for one corpus: on/off for every query, in query order.
build_cmds() { # array-name corpus index
    local -n a=$1
    a=()
    local i
    for ((i = 0; i < ${#QUERIES[@]}; i += 3)); do
        a+=("${QUERIES[i]} typos on" "$BIN search --color never ${QUERIES[i + 2]} --corpus $2 --index $3")
        a+=("${QUERIES[i]} typos off" "$BIN search --color never --no-typos ${QUERIES[i + 2]} --corpus $2 --index $3")
    done
}
build_cmds ART_CMDS "$CORPUS" "$AIDX"
build_cmds WIKI_CMDS "$WIKI" "$WIDX"

cmd_list() { # array-name -> "# name" / command lines
    local -n a=$1
    local i
    for ((i = 0; i < ${#a[@]}; i += 2)); do printf '# %s\n%s\n' "${a[i]}" "${a[i + 1]}"; done
}

# Run every command once: exit status, number of hits, first hit, and the
# first line passage writes to stderr (did-you-mean / searching for).
NEED_I=0
outcome_table() { # array-name
    local -n a=$1
    local i rc hits top note
    echo '| Command | exit | hits shown | first hit | stderr (first line) |'
    echo '|:---|---:|---:|:---|:---|'
    for ((i = 0; i < ${#a[@]}; i += 2)); do
        rc=0
        eval "${a[i + 1]}" >"$TMP/o.txt" 2>"$TMP/e.txt" || rc=$?
        [[ $rc -le 1 ]] || die "exit $rc: ${a[i + 1]} -- $(head -c 300 "$TMP/e.txt")"
        [[ $rc -eq 1 ]] && NEED_I=1
        if grep -q 'building it' "$TMP/e.txt"; then die "index was rebuilt by: ${a[i + 1]}"; fi
        hits=$(grep -cE '^[0-9]+\. ' "$TMP/o.txt" || true)
        top=$(grep -m1 -E '^[0-9]+\. ' "$TMP/o.txt" | sed -E 's/^ *[0-9]+\. //; s/  .*$//' | sed 's/|/\\|/g' || true)
        note=$(head -n 1 "$TMP/e.txt" | sed 's/|/\\|/g' | untmp)
        printf '| `%s` | %s | %s | %s | %s |\n' "${a[i]}" "$rc" "$hits" "${top:-–}" "${note:-–}"
    done
}
log "checking every command once"
ART_OUTCOMES=$(outcome_table ART_CMDS)
WIKI_OUTCOMES=$(outcome_table WIKI_CMDS)
# outcome_table ran in a subshell: find out again whether any command exits 1.
if grep -q '^| `[^`]*` | 1 |' <<<"$ART_OUTCOMES$WIKI_OUTCOMES"; then NEED_I=1; fi
HF_I=()
[[ $NEED_I -eq 1 ]] && HF_I=(-i)
HF_SHOWN="${SHELL_OPT[*]}${HF_I[*]:+ ${HF_I[*]}} --warmup $WARMUP" # for the report

# ---------------------------------------------------------------- timing
bench_wait
log "table 1: single article (one hyperfine run)"
bench_hf article ART_CMDS 2 ${HF_I[@]+"${HF_I[@]}"} --warmup "$WARMUP"
log "table 2: bench corpus (one hyperfine run)"
bench_hf wiki WIKI_CMDS 2 ${HF_I[@]+"${HF_I[@]}"} --warmup "$WARMUP"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
UPTIME_END=$(uptime)

bench_corpus_end

# ---------------------------------------------------------------- report
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }
ratio_table() { # hyperfine run
    local f=$1 i n onm onmed offm offmed oncpu offcpu
    echo '| Query | kind | on mean [ms] | on median [ms] | off mean [ms] | off median [ms] | on / off (mean) | on / off (median) | on − off (median) [ms] | on / off (CPU user+sys) |'
    echo '|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|'
    for ((i = 0; i < ${#QUERIES[@]}; i += 3)); do
        n=${QUERIES[i]}
        onm=$(bench_ms "$f" "$n typos on" mean); onmed=$(bench_ms "$f" "$n typos on" median)
        offm=$(bench_ms "$f" "$n typos off" mean); offmed=$(bench_ms "$f" "$n typos off" median)
        oncpu=$(bench_ms "$f" "$n typos on" cpu); offcpu=$(bench_ms "$f" "$n typos off" cpu)
        printf '| `%s` | %s | %s | %s | %s | %s | **%s** | **%s** | %s | %s (%s / %s ms) |\n' "$n" "${QUERIES[i + 1]}" \
            "$onm" "$onmed" "$offm" "$offmed" "$(ratio "$onm" "$offm")" "$(ratio "$onmed" "$offmed")" \
            "$(diff_ms "$onmed" "$offmed")" "$(ratio "$oncpu" "$offcpu")" "$oncpu" "$offcpu"
    done
}

CPU=$CPU_MODEL
WIKI_FILES=$(find "$WIKI" -type f -name '*.txt' | wc -l)
WIKI_BYTES=$(find "$WIKI" -type f -name '*.txt' -printf '%s\n' | awk '{ s += $1 } END { print s }')
if [[ $NEED_I -eq 1 ]]; then
    I_NOTE="\`-i\` because at least one search exits 1 (nothing matched; see the exit column)."
else
    I_NOTE="No \`-i\`: every search exits 0 (something matched), as checked above."
fi

report() {
    cat <<MD
### Machine

| | |
|:---|:---|
| Date (UTC) | $(date -u '+%Y-%m-%d %H:%M:%S') |
| CPU | $CPU |
| nproc | $(nproc) |
| Load average (1/5/15 min) | $LOAD_START at start (after the compile and both index builds), $LOAD_END at end |
| \`uptime\` at start | \`$(sed 's/^ *//' <<<"$UPTIME_START")\` |
| \`uptime\` at end | \`$(sed 's/^ *//' <<<"$UPTIME_END")\` |
| Kernel | $(uname -sr) |
| rustc | $(rustc --version) |
| hyperfine | $(hyperfine --version) |
| passage | $("$BIN" --version), built from $BUILT_FROM |
| Article | \`$ARTICLE\` ($(wc -c <"$ARTICLE") bytes) |
| Bench corpus | \`$WIKI\` ($WIKI_FILES files, $WIKI_BYTES bytes), index built once beforehand: \`$(untmp <<<"$WIKI_INDEX_SUMMARY")\` |

Produced by \`bench/typos.sh\`; hyperfine options: \`$HF_SHOWN\`.
$I_NOTE \`\$TMP\` is a fresh \`mktemp -d\` directory outside the repository and
both corpora; \`\$TMP/passage\` is a copy of the release binary taken right after the
build. Each query is passed as separate words, not quoted. All output goes to \`/dev/null\`.

### (a) Single article

What each command returns (one untimed run each; "hits shown" counts the numbered hits, at most 10):

$ART_OUTCOMES

Commands, one hyperfine run (\`hyperfine $HF_SHOWN -n NAME... CMD...\`):

\`\`\`sh
$(cmd_list ART_CMDS | untmp)
\`\`\`

$(untmp <"$TMP/article.md")

$(ratio_table article)

### (b) Bench corpus

What each command returns (one untimed run each):

$WIKI_OUTCOMES

Commands, one hyperfine run (\`hyperfine $HF_SHOWN -n NAME... CMD...\`):

\`\`\`sh
$(cmd_list WIKI_CMDS | untmp)
\`\`\`

$(untmp <"$TMP/wiki.md")

$(ratio_table wiki)
MD
}

bench_figure corpus.files "$WIKI_FILES"
bench_figure corpus.bytes "$WIKI_BYTES"
bench_figure_str corpus.path "$WIKI"
bench_write_results

if [[ -n $OUT ]]; then
    report >"$OUT"
    log "wrote $OUT"
else
    report
fi

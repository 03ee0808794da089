#!/usr/bin/env bash
# Reproducible scale benchmark of passage on the Wikipedia bench corpus
# (6,507 articles, 102.5 MB; see ../shared/bench/README.md) next to its peers:
# tantivy-cli 0.24 (`tantivy`, built on tantivy 0.24) and ripgrep (`rg`).
#
# Usage:  bench/scale.sh [OUTPUT.md]
#
# Writes its results (every hyperfine export, sizes, peak RSS, machine,
# commit, tool versions) to bench/results/<date>-<commit>-scale.json, which
# bench/render.py turns into BENCHMARKS.md's table. Also prints a Markdown
# section (machine, exact commands, one hyperfine table per measurement,
# ratios, targets met / not met) to stdout, or writes it to OUTPUT.md.
# Progress and hyperfine's own output go to stderr.
#
# Tables:
#   1. full index build: passage index --full  vs  tantivy index -t 2 (--runs 3)
#   2. index size (du -sb) of both, relative to the corpus bytes
#   3. peak RSS (/usr/bin/time -v) of passage index and passage search
#   4. search, whole process: passage vs rg -i vs tantivy search, 3 queries
#   5. cite of a 10-word quote vs passage search of the same words (and
#      rg -F of the quote, tantivy-cli's phrase query of its words)
#   6. scaling: build and search time at 1/8, 1/4, 1/2 and all of the corpus
#      (skipped with PASSAGE_BENCH_SCALING=0)
#
# Inputs, only ever read:
#   $PASSAGE_BENCH_CORPUS  the bench corpus (default: ../shared/bench/wiki);
#                          never copied into the repository.
#   $PASSAGE_BENCH_REV     optional git revision (e.g. HEAD) to build from a
#                          `git archive` copy instead of the working tree.
#   $PASSAGE_BENCH_BUILD_RUNS  hyperfine --runs for the build tables (default 3)
#   $PASSAGE_BENCH_SCALING     0 skips table 6 (about a third of the run time)
#   $PASSAGE_BENCH_RSS_BUILD_RUNS  full builds per tool timed for peak RSS (default 3)
#   and those of bench/lib.sh ($PASSAGE_BENCH_WAIT, $PASSAGE_BENCH_RESULTS, ...).
# Everything else lives in a fresh `mktemp -d` directory ($TMP): the private
# copy of the binary, the peers' inputs (an NDJSON of paragraphs made by the
# python3 script below, an empty tantivy-cli index with the TEXT|STORED
# schema), copies of the corpus subsets, and all indexes. The script fails if
# the corpus changed during the run (sizes, mtimes, sha256).
#
# Needs: cargo, hyperfine (>= 1.13 for -N and per-command --prepare), rg, jq,
# tantivy (tantivy-cli), python3, GNU /usr/bin/time (-v), du, awk, pgrep, flock.
#
# Each table is ONE hyperfine run, so the commands in it share the same
# machine conditions; on noisy machines only the ratios are meaningful.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${1:-}
WIKI=${PASSAGE_BENCH_CORPUS:-../shared/bench/wiki}
BUILD_RUNS=${PASSAGE_BENCH_BUILD_RUNS:-3}
SCALING=${PASSAGE_BENCH_SCALING:-1}
WARMUP=3       # search tables
RSS_RUNS=5     # peak RSS of searches
RSS_BUILD_RUNS=${PASSAGE_BENCH_RSS_BUILD_RUNS:-3} # peak RSS of full builds
TARGET_ARTICLES=6800000 # English Wikipedia, for the extrapolation

# Targets (brief of issue 6).
T_BUILD=1.0      # passage build / tantivy build (median)
T_SIZE=0.6       # passage index bytes / corpus bytes
T_RSS_INDEX=500  # MB (10^6 bytes)
T_RSS_SEARCH=50  # MB
T_VS_RG=10       # rg / passage (median)
T_VS_TANTIVY=1.0 # passage / tantivy (median)
T_CITE=1.5       # cite / search (median)

# Cite quotes: real 10-word sentences of the corpus (rg -F finds each once).
# A: rare words (AA_67/9377.txt, "History of Eritrea", § Kingdom of Aksum).
QUOTE_A='The capital was later moved to Aksum in northern Ethiopia.'
# B: common words only (AA_27/4285.txt, "Bodhidharma").
QUOTE_B='He was the third son of a great Indian king.'

bench_need cargo hyperfine rg jq tantivy python3 time du awk pgrep flock
[[ -d $WIKI ]] || die "no bench corpus at $WIKI (set PASSAGE_BENCH_CORPUS; see ../shared/bench/README.md)"
for q in "$QUOTE_A" "$QUOTE_B"; do
    [[ $(wc -w <<<"$q") -eq 10 ]] || die "not 10 words: $q"
done
# rg treats a stdout of /dev/null specially and does less work (`rg -i war`
# on the corpus: about 57 ms instead of 102 ms through `| cat`), so every
# command's output goes through a pipe (as in ../shared/bench/README.md).
PIPE=(--output=pipe)

bench_tmp "$WIKI"
bench_corpus_begin "$WIKI"
bench_build

# ---------------------------------------------------------------- peer inputs
# NDJSON for tantivy-cli and its empty index (bench/lib.sh).
NDJSON=$TMP/wiki.ndjson
log "converting the corpus to $NDJSON"
NDJSON_DOCS=$(bench_ndjson "$WIKI" "$NDJSON")
NDJSON_BYTES=$(stat -c %s "$NDJSON")

TEMPLATE=$TMP/tantivy-empty
log "creating the empty tantivy index $TEMPLATE"
bench_tantivy_template "$TEMPLATE"

# Corpus subsets for the scaling table: the first N of the article folders,
# copied (passage does not follow symlinked folders) into $TMP/sub-N.
mapfile -t FOLDERS < <(find "$WIKI" -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)
NF=${#FOLDERS[@]}
((NF >= 8)) || die "expected the corpus to hold at least 8 article folders, found $NF"
if [[ $SCALING == 0 ]]; then
    SCALE_N=("$NF")
    SCALE_LABEL=("all")
else
    SCALE_N=($((NF / 8)) $((NF / 4)) $((NF / 2)) "$NF")
    SCALE_LABEL=("1/8" "1/4" "1/2" "all")
fi
SCALE_DIR=()
for n in "${SCALE_N[@]}"; do
    if ((n == NF)); then
        SCALE_DIR+=("$WIKI")
    else
        mkdir "$TMP/sub-$n"
        cp -r "${FOLDERS[@]:0:n}" "$TMP/sub-$n/"
        SCALE_DIR+=("$TMP/sub-$n")
    fi
done
txt_files() { find "$1" -type f -name '*.txt' | wc -l; }
txt_bytes() { find "$1" -type f -name '*.txt' -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
CORPUS_FILES=$(txt_files "$WIKI")
CORPUS_BYTES=$(txt_bytes "$WIKI")

# ---------------------------------------------------------------- wait for others
bench_wait

# ---------------------------------------------------------------- indexes

# One passage index per subset (the last one is the full corpus); each build
# is timed once with /usr/bin/time -v for the scaling table.
IDX=()
for i in "${!SCALE_N[@]}"; do
    IDX+=("$TMP/idx-${SCALE_N[i]}")
    log "building the passage index of ${SCALE_LABEL[i]} (${SCALE_N[i]} folders) in ${IDX[i]}"
    bench_time_v "$TMP/idx-${SCALE_N[i]}.time" "$BIN" index --full --corpus "${SCALE_DIR[i]}" --index "${IDX[i]}" ||
        die "passage index failed: $(tail -n 3 "$TMP/idx-${SCALE_N[i]}.time.err")"
done
WIDX=${IDX[-1]}
INDEX_SUMMARY=$(cat "$TMP/idx-$NF.time.out" "$TMP/idx-$NF.time.err" | grep -v '(warning)' | grep -v '^ *$' | tail -n 1 || true)
# A copy of the full index kept current by `passage watch`: its searches
# skip the per-query stat of every corpus file (see the README), so the
# search table shows both ways of running passage.
WATCHED=$TMP/watched-idx
cp -a "$WIDX" "$WATCHED" # -a: keep the mtimes the damaged-index check compares
"$BIN" watch --corpus "$WIKI" --index "$WATCHED" >"$TMP/watch.log" 2>&1 &
WATCH_PID=$!
bench_on_exit "kill $WATCH_PID 2>/dev/null"
# Ready once it printed its first update (it watches before that update).
# Probing its lock with `flock -n` instead would hold the lock for an
# instant, and a watcher starting in that instant finds it taken and exits.
for _ in $(seq 300); do
    [[ -s $TMP/watch.log ]] && break
    kill -0 "$WATCH_PID" 2>/dev/null || break
    sleep 0.2
done
kill -0 "$WATCH_PID" 2>/dev/null && grep -q 'up to date\|updated' "$TMP/watch.log" ||
    die "passage watch did not start: $(head -c 300 "$TMP/watch.log")"
TIDX=$TMP/tantivy
log "building the tantivy index $TIDX"
cp -r "$TEMPLATE" "$TIDX"
bench_time_v "$TMP/tantivy.time" "$TANTIVY" index -i "$TIDX" -t 2 -f "$NDJSON" || die "tantivy index failed"
TANTIVY_DOCS=$(grep -o 'docstamp at [0-9]*' "$TMP/tantivy.time.out" | grep -o '[0-9]*$' || echo '?')

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; } # quote an argument for hyperfine -N / eval

# name | command | prepare   (the names key the results: bench/render.py reads them)
BUILD_CMDS=(
    "passage index" "$BIN index --full --corpus $WIKI --index $TMP/build-idx" "rm -rf $TMP/build-idx"
    "tantivy index" "$TANTIVY index -i $TMP/build-t -t 2 -f $NDJSON" "bash -c 'rm -rf $TMP/build-t && cp -r $TEMPLATE $TMP/build-t'"
)
# name | command
SEARCH_CMDS=(
    "passage hezbollah" "$BIN search --color never hezbollah --corpus $WIKI --index $WIDX"
    "rg hezbollah" "rg -i hezbollah $WIKI"
    "tantivy hezbollah" "$TANTIVY search -i $TIDX -q hezbollah"
    "passage war" "$BIN search --color never war --corpus $WIKI --index $WIDX"
    "rg war" "rg -i war $WIKI"
    "tantivy war" "$TANTIVY search -i $TIDX -q war"
    "passage civil war phrase" "$BIN search --color never '\"civil war\"' --corpus $WIKI --index $WIDX"
    "rg civil war phrase" "rg -i -F 'civil war' $WIKI"
    "tantivy civil war phrase" "$TANTIVY search -i $TIDX -q '\"civil war\"'"
    "watched hezbollah" "$BIN search --color never hezbollah --corpus $WIKI --index $WATCHED"
    "watched war" "$BIN search --color never war --corpus $WIKI --index $WATCHED"
    "watched civil war phrase" "$BIN search --color never '\"civil war\"' --corpus $WIKI --index $WATCHED"
)
CITE_CMDS=(
    "A cite" "$BIN cite --color never $(q "$QUOTE_A") --corpus $WIKI --index $WIDX"
    "A search" "$BIN search --color never ${QUOTE_A%.} --corpus $WIKI --index $WIDX"
    "B cite" "$BIN cite --color never $(q "$QUOTE_B") --corpus $WIKI --index $WIDX"
    "B search" "$BIN search --color never ${QUOTE_B%.} --corpus $WIKI --index $WIDX"
    "A rg" "rg -F $(q "$QUOTE_A") $WIKI"
    "A tantivy" "$TANTIVY search -i $TIDX -q $(q "\"${QUOTE_A%.}\"")"
    "B rg" "rg -F $(q "$QUOTE_B") $WIKI"
    "B tantivy" "$TANTIVY search -i $TIDX -q $(q "\"${QUOTE_B%.}\"")"
)
SCALE_BUILD_CMDS=()
SCALE_SEARCH_CMDS=()
for i in "${!SCALE_N[@]}"; do
    l=${SCALE_LABEL[i]}
    SCALE_BUILD_CMDS+=("build $l" "$BIN index --full --corpus ${SCALE_DIR[i]} --index $TMP/sbuild-${SCALE_N[i]}" "rm -rf $TMP/sbuild-${SCALE_N[i]}")
done
for i in "${!SCALE_N[@]}"; do
    SCALE_SEARCH_CMDS+=("war $(tr / : <<<"${SCALE_LABEL[i]}")" "$BIN search --color never war --corpus ${SCALE_DIR[i]} --index ${IDX[i]}")
done
for i in "${!SCALE_N[@]}"; do
    SCALE_SEARCH_CMDS+=("civil war $(tr / : <<<"${SCALE_LABEL[i]}")" "$BIN search --color never '\"civil war\"' --corpus ${SCALE_DIR[i]} --index ${IDX[i]}")
done

# Every search command must exit 0 (something matched) and must not rebuild
# the index, before it is timed.
check() { # command
    local rc=0
    eval "$1" >"$TMP/check.out" 2>"$TMP/check.err" || rc=$?
    [[ $rc -eq 0 ]] || die "exit $rc: $1 -- $(head -c 300 "$TMP/check.err")"
    if grep -q 'building it\|updat' "$TMP/check.err"; then die "index was touched by: $1 -- $(head -c 300 "$TMP/check.err")"; fi
}
for ((i = 1; i < ${#SEARCH_CMDS[@]}; i += 2)); do check "${SEARCH_CMDS[i]}"; done
for ((i = 1; i < ${#CITE_CMDS[@]}; i += 2)); do check "${CITE_CMDS[i]}"; done
for ((i = 1; i < ${#SCALE_SEARCH_CMDS[@]}; i += 2)); do check "${SCALE_SEARCH_CMDS[i]}"; done
[[ $(rg -F -c "$QUOTE_A" "$WIKI" | wc -l) -eq 1 ]] || die "quote A is not in exactly one file"
[[ $(rg -F -c "$QUOTE_B" "$WIKI" | wc -l) -eq 1 ]] || die "quote B is not in exactly one file"
# tantivy search exits 0 with no hits: its phrase queries must find the quotes.
for k in 11 15; do
    [[ $(eval "${CITE_CMDS[k]}" | wc -l) -ge 1 ]] || die "no hit for: ${CITE_CMDS[k]}"
done
# Output sizes, for the reader: lines printed by each command.
hits() { eval "$1" | wc -l; }

cmd_list() { # array-name stride -> "# name" / [prepare] / command lines
    local -n a=$1
    local s=$2 i
    for ((i = 0; i < ${#a[@]}; i += s)); do
        printf '# %s\n' "${a[i]}"
        ((s == 3)) && printf '#   --prepare %s\n' "${a[i + 2]}"
        printf '%s\n' "${a[i + 1]}"
    done
}

# ---------------------------------------------------------------- timing
log "table 1: full build (one hyperfine run, --runs $BUILD_RUNS)"
bench_hf build BUILD_CMDS 3 "${PIPE[@]}" --runs "$BUILD_RUNS"

log "table 4: searches (one hyperfine run)"
bench_hf search SEARCH_CMDS 2 "${PIPE[@]}" --warmup "$WARMUP"

log "table 5: cite vs search (one hyperfine run)"
bench_hf cite CITE_CMDS 2 "${PIPE[@]}" --warmup "$WARMUP"

if [[ $SCALING != 0 ]]; then
    log "table 6a: scaling, builds (one hyperfine run, --runs $BUILD_RUNS)"
    bench_hf sbuild SCALE_BUILD_CMDS 3 "${PIPE[@]}" --runs "$BUILD_RUNS"

    log "table 6b: scaling, searches (one hyperfine run)"
    bench_hf ssearch SCALE_SEARCH_CMDS 2 "${PIPE[@]}" --warmup "$WARMUP"
fi

# ---------------------------------------------------------------- peak RSS
log "peak RSS (/usr/bin/time -v)"
{
    bench_rss "passage index --full" "$RSS_BUILD_RUNS" "rm -rf $TMP/rss-idx" \
        "$BIN" index --full --corpus "$WIKI" --index "$TMP/rss-idx"
    bench_rss "tantivy index -t 2 (peer)" "$RSS_BUILD_RUNS" "rm -rf $TMP/rss-t; cp -r $TEMPLATE $TMP/rss-t" \
        "$TANTIVY" index -i "$TMP/rss-t" -t 2 -f "$NDJSON"
    bench_rss "passage search hezbollah" "$RSS_RUNS" "" "$BIN" search --color never hezbollah --corpus "$WIKI" --index "$WIDX"
    bench_rss "passage search war" "$RSS_RUNS" "" "$BIN" search --color never war --corpus "$WIKI" --index "$WIDX"
    bench_rss "passage search \"civil war\"" "$RSS_RUNS" "" "$BIN" search --color never '"civil war"' --corpus "$WIKI" --index "$WIDX"
    bench_rss "passage cite (quote A)" "$RSS_RUNS" "" "$BIN" cite --color never "$QUOTE_A" --corpus "$WIKI" --index "$WIDX"
    bench_rss "tantivy search war (peer)" "$RSS_RUNS" "" "$TANTIVY" search -i "$TIDX" -q war
    bench_rss "rg -i war (peer)" "$RSS_RUNS" "" rg -i war "$WIKI"
} >"$TMP/rss.tsv"
rm -rf "$TMP/rss-idx" "$TMP/rss-t"

bench_corpus_end
UPTIME_END=$(uptime)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- numbers
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
met() { if le "$1" "$2"; then echo met; else echo '**not met**'; fi; } # value <= target
met_ge() { if le "$2" "$1"; then echo met; else echo '**not met**'; fi; } # value >= target
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'; }   # KiB -> MB
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }         # KiB -> MiB
rss_kb() { awk -F'\t' -v l="$1" '$1 == l { print $2 }' "$TMP/rss.tsv"; }

P_SIZE=$(du -sb "$WIDX" | cut -f1)
T_SIZE_B=$(du -sb "$TIDX" | cut -f1)
T_SEGMENTS=$(find "$TIDX" -name '*.idx' | wc -l)
SIZE_RATIO=$(ratio "$P_SIZE" "$CORPUS_BYTES")
B_P=$(bench_ms build "passage index" median)
B_T=$(bench_ms build "tantivy index" median)
BUILD_RATIO=$(ratio "$B_P" "$B_T")
RSS_I=$(rss_kb "passage index --full")
RSS_S=$(for l in "passage search hezbollah" "passage search war" "passage search \"civil war\""; do rss_kb "$l"; done | sort -n | tail -n 1)

CPU=$CPU_MODEL

# Figures for the results file (bench/render.py reads these keys).
bench_figure corpus.files "$CORPUS_FILES"
bench_figure corpus.bytes "$CORPUS_BYTES"
bench_figure corpus.folders "$NF"
bench_figure_str corpus.path "$WIKI"
bench_figure index_bytes.passage "$P_SIZE"
bench_figure index_bytes.tantivy "$T_SIZE_B"
bench_figure tantivy.segments "$T_SEGMENTS"
bench_figure tantivy.ndjson_docs "$NDJSON_DOCS"
bench_figure tantivy.ndjson_bytes "$NDJSON_BYTES"
bench_figure_str passage.index_summary "$(untmp <<<"$INDEX_SUMMARY")"
bench_figure first_build.passage "$(jq -n --arg w "$(tv "$TMP/idx-$NF.time" 'Elapsed (wall clock) time')" \
    --arg u "$(tv "$TMP/idx-$NF.time" 'User time')" --arg s "$(tv "$TMP/idx-$NF.time" 'System time')" \
    '{wall: $w, user_s: ($u | tonumber), system_s: ($s | tonumber)}')"
bench_figure first_build.tantivy "$(jq -n --arg w "$(tv "$TMP/tantivy.time" 'Elapsed (wall clock) time')" \
    --arg u "$(tv "$TMP/tantivy.time" 'User time')" --arg s "$(tv "$TMP/tantivy.time" 'System time')" \
    '{wall: $w, user_s: ($u | tonumber), system_s: ($s | tonumber)}')"

search_ratio_rows() {
    local qn pn rn tn
    for qn in "hezbollah|rare word: hezbollah" "war|common word: war" "civil war phrase|phrase: \"civil war\""; do
        local key=${qn%%|*} label=${qn#*|}
        local pm pmed rm rmed tm tmed
        pm=$(bench_ms search "passage $key" mean); pmed=$(bench_ms search "passage $key" median)
        rm=$(bench_ms search "rg $key" mean); rmed=$(bench_ms search "rg $key" median)
        tm=$(bench_ms search "tantivy $key" mean); tmed=$(bench_ms search "tantivy $key" median)
        printf '| %s | %s | %s | %s | %s | %s | %s | **%s** | **%s** | **%s** | **%s** |\n' "$label" \
            "$pm" "$pmed" "$rm" "$rmed" "$tm" "$tmed" \
            "$(ratio "$rm" "$pm")" "$(ratio "$rmed" "$pmed")" "$(ratio "$pm" "$tm")" "$(ratio "$pmed" "$tmed")"
    done
}
watched_rows() {
    local key label wmed pmed rmed tmed
    for key in hezbollah war "civil war phrase"; do
        label=$key; [[ $key == "civil war phrase" ]] && label='"civil war"'
        wmed=$(bench_ms search "watched $key" median)
        pmed=$(bench_ms search "passage $key" median)
        rmed=$(bench_ms search "rg $key" median)
        tmed=$(bench_ms search "tantivy $key" median)
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$pmed" "$wmed" "$rmed" "$tmed" \
            "$(ratio "$rmed" "$wmed")" "$(ratio "$wmed" "$tmed")"
    done
}
target_rows() {
    local key label pmed rmed tmed r
    printf '| 1 | full build, passage / tantivy-cli (median) | <= %s | %s ms | %s ms | %s | %s |\n' \
        "$T_BUILD" "$B_P" "$B_T" "$BUILD_RATIO" "$(met "$BUILD_RATIO" "$T_BUILD")"
    printf '| 2 | index size / corpus bytes | <= %s | %s B | %s B (ratio %s) | %s | %s |\n' \
        "$T_SIZE" "$P_SIZE" "$T_SIZE_B" "$(ratio "$T_SIZE_B" "$CORPUS_BYTES")" "$SIZE_RATIO" "$(met "$SIZE_RATIO" "$T_SIZE")"
    printf '| 3a | peak RSS, passage index --full (median of %s) | <= %s MB | %s MB (%s MiB) | tantivy index -t 2: %s MB | | %s |\n' \
        "$RSS_BUILD_RUNS" "$T_RSS_INDEX" "$(mb "$RSS_I")" "$(mib "$RSS_I")" "$(mb "$(rss_kb "tantivy index -t 2 (peer)")")" \
        "$(met "$(mb "$RSS_I")" "$T_RSS_INDEX")"
    printf '| 3b | peak RSS, passage search (largest median of 3 queries) | <= %s MB | %s MB (%s MiB) | tantivy search war: %s MB | | %s |\n' \
        "$T_RSS_SEARCH" "$(mb "$RSS_S")" "$(mib "$RSS_S")" "$(mb "$(rss_kb "tantivy search war (peer)")")" \
        "$(met "$(mb "$RSS_S")" "$T_RSS_SEARCH")"
    for key in hezbollah war "civil war phrase"; do
        label=$key; [[ $key == "civil war phrase" ]] && label='"civil war"'
        pmed=$(bench_ms search "passage $key" median)
        rmed=$(bench_ms search "rg $key" median)
        tmed=$(bench_ms search "tantivy $key" median)
        r=$(ratio "$rmed" "$pmed")
        printf '| 4 | search %s: rg / passage (median) | >= %s | %s ms | rg %s ms | %s | %s |\n' \
            "$label" "$T_VS_RG" "$pmed" "$rmed" "$r" "$(met_ge "$r" "$T_VS_RG")"
        r=$(ratio "$pmed" "$tmed")
        printf '| 4 | search %s: passage / tantivy-cli (median) | <= %s | %s ms | tantivy %s ms | %s | %s |\n' \
            "$label" "$T_VS_TANTIVY" "$pmed" "$tmed" "$r" "$(met "$r" "$T_VS_TANTIVY")"
    done
    for k in A B; do
        local c s
        c=$(bench_ms cite "$k cite" median); s=$(bench_ms cite "$k search" median)
        r=$(ratio "$c" "$s")
        printf '| 5 | cite / search, quote %s (median) | <= %s | cite %s ms | search %s ms | %s | %s |\n' \
            "$k" "$T_CITE" "$c" "$s" "$r" "$(met "$r" "$T_CITE")"
    done
}

# scaling rows: label folders articles bytes build-median index-size rss build-wall war civil
SCALE_ROWS=()
for i in "${!SCALE_N[@]}"; do
    [[ $SCALING == 0 ]] && break
    l=${SCALE_LABEL[i]}
    n=${SCALE_N[i]}
    ll=$(tr / : <<<"$l")
    SCALE_ROWS+=("$l|$n|$(txt_files "${SCALE_DIR[i]}")|$(txt_bytes "${SCALE_DIR[i]}")|$(bench_ms sbuild "build $l" median)|$(du -sb "${IDX[i]}" | cut -f1)|$(tv "$TMP/idx-$n.time" 'Maximum resident set size')|$(bench_ms ssearch "war $ll" median)|$(bench_ms ssearch "civil war $ll" median)")
done
scale_table() {
    echo '| Subset | folders | articles | text bytes | build median [ms] | build ms / MB of text | index bytes | index / text | build peak RSS [MiB] (1 run) | search war median [ms] | search "civil war" median [ms] |'
    echo '|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
    local r
    for r in "${SCALE_ROWS[@]}"; do
        IFS='|' read -r l n a b t s rss w c <<<"$r"
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$l" "$n" "$a" "$b" "$t" \
            "$(awk -v t="$t" -v b="$b" 'BEGIN { printf "%.1f", t / (b / 1e6) }')" "$s" "$(ratio "$s" "$b")" \
            "$(mib "$rss")" "$w" "$c"
    done
}
extrapolation() {
    local l0 n0 a0 b0 t0 s0 r0 w0 c0 l1 n1 a1 b1 t1 s1 r1 w1 c1
    IFS='|' read -r l0 n0 a0 b0 t0 s0 r0 w0 c0 <<<"${SCALE_ROWS[0]}"
    IFS='|' read -r l1 n1 a1 b1 t1 s1 r1 w1 c1 <<<"${SCALE_ROWS[3]}"
    awk -v A="$TARGET_ARTICLES" -v a0="$a0" -v t0="$t0" -v s0="$s0" -v r0="$r0" -v w0="$w0" -v c0="$c0" \
        -v a1="$a1" -v t1="$t1" -v s1="$s1" -v r1="$r1" -v w1="$w1" -v c1="$c1" 'BEGIN {
        k = A / a1
        et = log(t1 / t0) / log(a1 / a0); es = log(s1 / s0) / log(a1 / a0); er = log(r1 / r0) / log(a1 / a0)
        ew = log(w1 / w0) / log(a1 / a0)
        sw = (w1 - w0) / (a1 - a0); sc = (c1 - c0) / (a1 - a0)
        printf "From 1/8 to all of the corpus (%.1fx the articles), build time grew as articles^%.2f, index size as articles^%.2f, build peak RSS as articles^%.2f and the `war` search time as articles^%.2f. ", a1 / a0, et, es, er, ew
        printf "Scaled linearly by %.0fx to %d articles (English Wikipedia, assuming articles like these), one full build on this 2-core machine would take about %.1f h (%.0f s x %.0f) and the index would need about %.0f GB (%.1f MB x %.0f). ", k, A, t1 / 1000 * k / 3600, t1 / 1000, k, s1 / 1e6 * k / 1000, s1 / 1e6, k
        printf "Extending the search times linearly in the article count (slope %.2f ms per 1000 articles for `war`, %.2f for `\"civil war\"`) gives about %.1f s and %.1f s per query at that size.", sw * 1000, sc * 1000, (w1 + sw * (A - a1)) / 1000, (c1 + sc * (A - a1)) / 1000
    }'
}

rss_table() {
    echo '| Process (bench corpus) | runs | median peak RSS [MiB] | [MB] | all runs [KiB] |'
    echo '|:---|---:|---:|---:|:---|'
    local label v all
    while IFS=$'\t' read -r label v all; do
        printf '| `%s` | %s | %s | %s | %s |\n' "$label" "$(wc -w <<<"$all")" "$(mib "$v")" "$(mb "$v")" "$all"
    done <"$TMP/rss.tsv"
}

# lines printed by each search command (not timed)
hit_rows() {
    local i
    for ((i = 0; i < ${#SEARCH_CMDS[@]}; i += 2)); do
        printf '| %s | %s |\n' "${SEARCH_CMDS[i]}" "$(hits "${SEARCH_CMDS[i + 1]}")"
    done
}
HIT_ROWS=$(hit_rows)
for ((i = 0; i < ${#SEARCH_CMDS[@]}; i += 2)); do
    bench_figure "lines.${SEARCH_CMDS[i]}" "$(hits "${SEARCH_CMDS[i + 1]}")"
done
QUOTE_A_AT=$(rg -F -l "$QUOTE_A" "$WIKI")
QUOTE_B_AT=$(rg -F -l "$QUOTE_B" "$WIKI")
CITE_A_OUT=$(eval "${CITE_CMDS[1]}" | sed -n 1p)
CITE_B_OUT=$(eval "${CITE_CMDS[5]}" | sed -n 1p)

# ---------------------------------------------------------------- report
report() {
    cat <<MD
### Machine

| | |
|:---|:---|
| Date (UTC) | $(date -u '+%Y-%m-%d %H:%M:%S') |
| CPU | $CPU |
| nproc | $(nproc) |
| Memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |
| Other benchmarks at start | $OTHERS_NOTE |
| Load average (1/5/15 min) | $LOAD_START at start (after the compile and the conversion), $LOAD_END at end |
| \`uptime\` at start | \`$(sed 's/^ *//' <<<"$UPTIME_START")\` |
| \`uptime\` at end | \`$(sed 's/^ *//' <<<"$UPTIME_END")\` |
| Kernel | $(uname -sr) |
| rustc | $(rustc --version) |
| passage | $("$BIN" --version) (tantivy 0.27), built from $BUILT_FROM |
| tantivy-cli | $("$TANTIVY" --version) = tantivy-cli 0.24.0, **built on tantivy 0.24**, not 0.27 |
| ripgrep | $(rg_version) |
| hyperfine | $(hyperfine --version) |
| Bench corpus | \`$WIKI\` ($CORPUS_FILES files in $NF folders, $CORPUS_BYTES bytes of text) |
| tantivy input | \`\$TMP/wiki.ndjson\`: $NDJSON_DOCS paragraphs, $NDJSON_BYTES bytes; tantivy-cli reports "docstamp at $TANTIVY_DOCS" (its opstamp after the commit) |
| passage's own count | \`$(untmp <<<"$INDEX_SUMMARY")\` |

Produced by \`bench/scale.sh\`. hyperfine options: \`${SHELL_OPT[*]} --output=pipe\`, plus
\`--runs $BUILD_RUNS\` (builds) or \`--warmup $WARMUP\` (searches). All output goes
through a pipe and is discarded: with \`/dev/null\` as stdout, rg does less work than it
does for a reader.
\`\$TMP\` is a fresh \`mktemp -d\` directory; \`\$TMP/passage\` is a copy of the release
binary. The tantivy-cli index has the three fields \`title\`, \`section\`, \`body\`, each
\`TEXT | STORED\` (default tokenizer, positions, lz4 docstore): made with \`tantivy new\`
(answers fed on stdin) and its \`en_stem\` tokenizer switched to \`default\` in meta.json.
\`tantivy index -f FILE\` reads the NDJSON as \`< FILE\` would, without needing a shell.

### Targets

| # | Target | Goal | passage | peer | ratio | |
|:---|:---|:---|---:|---:|---:|:---|
$(target_rows)

### 1. Full index build

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --output=pipe --runs $BUILD_RUNS -n NAME... --prepare P... CMD...\`):

\`\`\`sh
$(cmd_list BUILD_CMDS 3 | untmp)
\`\`\`

$(untmp <"$TMP/build.md")

| | passage median [ms] | tantivy median [ms] | passage / tantivy (mean) | passage / tantivy (median) |
|:---|---:|---:|---:|---:|
| full build | $B_P | $B_T | **$(ratio "$(bench_ms build "passage index" mean)" "$(bench_ms build "tantivy index" mean)")** | **$BUILD_RATIO** |

The first build of each, timed once with \`/usr/bin/time -v\` before the hyperfine run:
passage $(tv "$TMP/idx-$NF.time" 'Elapsed (wall clock) time') wall, $(tv "$TMP/idx-$NF.time" 'User time') s user + $(tv "$TMP/idx-$NF.time" 'System time') s system ($(tv "$TMP/idx-$NF.time" 'Percent of CPU') of one core);
tantivy $(tv "$TMP/tantivy.time" 'Elapsed (wall clock) time') wall, $(tv "$TMP/tantivy.time" 'User time') s user + $(tv "$TMP/tantivy.time" 'System time') s system ($(tv "$TMP/tantivy.time" 'Percent of CPU') of one core).

### 2. Index size

\`du -sb\` of the index folders used by the searches below:

| | bytes | / corpus text ($CORPUS_BYTES B) |
|:---|---:|---:|
| passage (\`\$TMP/idx-$NF\`) | $P_SIZE | **$SIZE_RATIO** |
| tantivy-cli, TEXT \| STORED, $T_SEGMENTS segment(s) (\`\$TMP/tantivy\`) | $T_SIZE_B | **$(ratio "$T_SIZE_B" "$CORPUS_BYTES")** |
| \`du -sb\` of the corpus folder itself | $(du -sb "$WIKI" | cut -f1) | $(ratio "$(du -sb "$WIKI" | cut -f1)" "$CORPUS_BYTES") |

passage / tantivy-cli: **$(ratio "$P_SIZE" "$T_SIZE_B")**.

### 3. Peak memory

\`/usr/bin/time -v\`, "Maximum resident set size" (1 MB = 10^6 bytes; each index build starts from an empty folder):

$(rss_table | untmp)

### 4. Search, whole process (index already built)

passage prints the 10 best passages with snippets. \`rg -i\` prints every matching line
(and \`war\` also matches inside words such as "toward"). \`tantivy search\` prints every
matching document as JSON (no top-k), so its time grows with the number of hits.

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --output=pipe --warmup $WARMUP -n NAME... CMD...\`):

\`\`\`sh
$(cmd_list SEARCH_CMDS 2 | untmp)
\`\`\`

$(untmp <"$TMP/search.md")

| Query | passage mean [ms] | passage median [ms] | rg mean [ms] | rg median [ms] | tantivy mean [ms] | tantivy median [ms] | rg / passage (mean) | rg / passage (median) | passage / tantivy (mean) | passage / tantivy (median) |
|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(search_ratio_rows)

With \`passage watch\` running on the index (the \`watched\` commands), a search trusts the
watcher and skips the stat of every corpus file; medians from the same hyperfine run:

| Query | passage median [ms] | passage, watched, median [ms] | rg median [ms] | tantivy median [ms] | rg / watched | watched / tantivy |
|:---|---:|---:|---:|---:|---:|---:|
$(watched_rows)

Lines printed by each command (\`| wc -l\`, not timed):

| Command | lines |
|:---|---:|
$HIT_ROWS

### 5. cite vs search of the same words

* A (rare words): \`$QUOTE_A\`, in \`$QUOTE_A_AT\`. First line of the cite: \`$(untmp <<<"$CITE_A_OUT")\`
* B (common words only): \`$QUOTE_B\`, in \`$QUOTE_B_AT\`. First line of the cite: \`$(untmp <<<"$CITE_B_OUT")\`

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --output=pipe --warmup $WARMUP -n NAME... CMD...\`):

\`\`\`sh
$(cmd_list CITE_CMDS 2 | untmp)
\`\`\`

$(untmp <"$TMP/cite.md")

\`rg -F\` prints the one matching line; \`tantivy search\` runs the quote's words as a
phrase query (without its final full stop) and prints the matching paragraphs as JSON.

| Quote | cite median [ms] | search median [ms] | cite / search (mean) | cite / search (median) |
|:---|---:|---:|---:|---:|
| A | $(bench_ms cite "A cite" median) | $(bench_ms cite "A search" median) | **$(ratio "$(bench_ms cite "A cite" mean)" "$(bench_ms cite "A search" mean)")** | **$(ratio "$(bench_ms cite "A cite" median)" "$(bench_ms cite "A search" median)")** |
| B | $(bench_ms cite "B cite" median) | $(bench_ms cite "B search" median) | **$(ratio "$(bench_ms cite "B cite" mean)" "$(bench_ms cite "B search" mean)")** | **$(ratio "$(bench_ms cite "B cite" median)" "$(bench_ms cite "B search" median)")** |

MD
    if [[ $SCALING == 0 ]]; then
        printf '\n### 6. Scaling\n\nSkipped (PASSAGE_BENCH_SCALING=0).\n'
        return
    fi
    cat <<MD

### 6. Scaling

Subsets are the first N of the $NF article folders in sorted order, copied into
\`\$TMP/sub-N\` (same file system); "all" is the corpus folder itself.

Builds, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --output=pipe --runs $BUILD_RUNS -n NAME... --prepare P... CMD...\`):

\`\`\`sh
$(cmd_list SCALE_BUILD_CMDS 3 | untmp)
\`\`\`

$(untmp <"$TMP/sbuild.md")

Searches, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --output=pipe --warmup $WARMUP -n NAME... CMD...\`):

\`\`\`sh
$(cmd_list SCALE_SEARCH_CMDS 2 | untmp)
\`\`\`

$(untmp <"$TMP/ssearch.md")

Summary (build and search medians from the two runs above; index size and peak RSS
from the first build of each subset, timed once with \`/usr/bin/time -v\`):

$(scale_table)

$(extrapolation)
MD
}

if [[ $SCALING != 0 ]]; then
    for r in "${SCALE_ROWS[@]}"; do
        IFS='|' read -r l n a b t sz rss w c <<<"$r"
        bench_figure "scaling.$l" "{\"folders\": $n, \"articles\": $a, \"bytes\": $b, \"index_bytes\": $sz, \"first_build_rss_kib\": $rss}"
    done
fi
bench_write_results "tantivy=$("$TANTIVY" --version) (tantivy-cli 0.24: built on tantivy 0.24, passage uses 0.27)"

if [[ -n $OUT ]]; then
    report >"$OUT"
    log "wrote $OUT"
else
    report
fi

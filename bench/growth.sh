#!/usr/bin/env bash
# How passage's costs grow with the corpus (issue 20, item 5): the bench
# corpus (6,507 Wikipedia articles, 102.5 MB; see ../shared/bench/README.md)
# copied 1, 3 and 10 times into a scratch folder, each scale indexed and
# searched from scratch.
#
# Usage:  bench/growth.sh [OUTPUT.md]
#
# Per scale, on a corpus of N copies of the bench corpus (each under its own
# top folder, $TMP/corpus-Nx/copy00/AA_00/..., copy01/AA_00/..., ...):
#   build      `passage index --full` once under GNU time -v: wall seconds,
#              CPU seconds, peak RSS
#   size       `du -sb` of the index, and its ratio to the corpus text bytes
#   stat walk  `passage index` with nothing changed (hyperfine): one stat
#              per corpus file, so it GROWS WITH THE CORPUS by design; a
#              search without a watcher does the same walk
#   search     p50 (and p90) of the queries of bench/relevance/dev.jsonl
#              (bench/relevance.py --repeat R: each query's time is the
#              median of R runs), without a watcher and with `passage watch`
#              running (then a search skips the walk); the suite's answers
#              are in copy00 only, which does not matter for timing
#   edit->search  append a paragraph naming a new word to one file, then time
#              the `passage search --no-typos` of that word, which must find
#              it (exit 0): without a watcher the search finds the file stale
#              and updates the index first; with one, it waits for the
#              watcher to apply the edit (the cookie handshake). E edits
#              each, every one in another file (and copy): median and max.
#   watcher    its peak RSS (VmHWM), read from /proc before it is stopped
#
# Writes ONE results file, bench/results/<date>-<commit>-growth.json (figure
# `growth.scales` and one `growth.<N>x` object per scale; the stat walks'
# hyperfine exports as `walk-<N>x`), read by bench/render.py for the
# "Growth" section of BENCHMARKS.md, and draws the chart bench/growth.svg
# from it (bench/growth_chart.py). Prints that section to stdout, or writes
# it to OUTPUT.md. Progress goes to stderr.
#
# Environment (besides bench/lib.sh's PASSAGE_BENCH_REV, _WAIT, _RESULTS,
# _NO_RESULTS):
#   PASSAGE_BENCH_WIKI       the bench corpus (default ../shared/bench/wiki),
#                            only ever read; the copies live in $TMP
#   PASSAGE_GROWTH_SCALES    scale factors, ascending (default "1 3 10"; a
#                            trial: "1"). 10x is about 1 GB of copies plus
#                            its index; each scale's copies are deleted
#                            before the next is made
#   PASSAGE_GROWTH_REPEAT    runs per dev-suite query (default 3)
#   PASSAGE_GROWTH_EDITS     edits timed per scale and mode (default 5)
#   PASSAGE_GROWTH_WALK_RUNS hyperfine --runs of the stat walk (default 5)
#   PASSAGE_GROWTH_SVG       where to draw the chart (default bench/growth.svg
#                            when the results file goes to bench/results,
#                            else growth.svg beside it; with
#                            PASSAGE_BENCH_NO_RESULTS=1 no chart unless set)
#
# Time on 2 cores: "1" alone about 1.5 minutes, "1 3" about 5; "1 3 10" about
# 15 (10x is about 10 of them: a full build of ~1 GB, then 2 x 160 x 3
# searches, those without a watcher walking 65,070 files each). Needs: cargo, python3, hyperfine (>= 1.13), jq, GNU
# /usr/bin/time, du, awk, pgrep, and about 3 GB free for $TMP at 10x.
#
# Copies, not hard links: a hard link shares its inode (an appended edit
# would reach the original) and changing a file's link count changes its
# ctime, which passage compares, in the shared corpus too.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${1:-}
WIKI=${PASSAGE_BENCH_WIKI:-../shared/bench/wiki}
read -r -a SCALES <<<"${PASSAGE_GROWTH_SCALES:-1 3 10}"
REPEAT=${PASSAGE_GROWTH_REPEAT:-3}
EDITS=${PASSAGE_GROWTH_EDITS:-5}
WALK_RUNS=${PASSAGE_GROWTH_WALK_RUNS:-5}
SUITE=$BENCH_REPO/bench/relevance/dev.jsonl
WARM_QUERIES=20 # dev-suite queries run once before each timed pass

# Targets (issue 20), largest scale against the smallest, meant for 10x vs 1x.
T_BUILD_PER_SCALE=1.1 # build time ratio <= 1.1 x the scale ratio (11x at 10x)
T_INDEX_SIZE=0.6      # index bytes / corpus bytes, at every scale
T_SEARCH_WATCHED=1.5  # search p50 with a watcher, largest / smallest

bench_need cargo python3 hyperfine jq time du awk pgrep
[[ -d $WIKI ]] || die "no bench corpus at $WIKI (set PASSAGE_BENCH_WIKI; see ../shared/bench/README.md)"
[[ -f $SUITE ]] || die "no dev suite at $SUITE"
((${#SCALES[@]} >= 1)) || die "PASSAGE_GROWTH_SCALES is empty"
prev=0
for s in "${SCALES[@]}"; do
    if ! [[ $s =~ ^[1-9][0-9]*$ ]] || ((s <= prev)); then
        die "PASSAGE_GROWTH_SCALES must be ascending positive integers: '${SCALES[*]}'"
    fi
    prev=$s
done
for v in REPEAT EDITS WALK_RUNS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "PASSAGE_GROWTH_$v must be a positive integer"
done

bench_tmp "$WIKI"
bench_corpus_begin "$WIKI"
bench_build

mapfile -t FOLDERS < <(find "$WIKI" -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)
((${#FOLDERS[@]} > 0)) || die "no article folders in $WIKI"
# Candidate files for the edits, spread over the corpus (paths relative to
# one copy); edit j of a scale goes to copy j mod N.
mapfile -t EDIT_FILES < <(cd "$WIKI" && find . -type f -name '*.txt' | LC_ALL=C sort |
    awk -v n="$((2 * EDITS))" '{ f[NR] = substr($0, 3) } END { for (j = 0; j < n; j++) print f[int((j + 0.5) * NR / n) + 1] }')
((${#EDIT_FILES[@]} == 2 * EDITS)) || die "could not pick $((2 * EDITS)) files to edit"
head -n "$WARM_QUERIES" "$SUITE" >"$TMP/warm.jsonl"
WIKI_BYTES=$(txt_bytes "$WIKI")

now() { printf '%s' "$EPOCHREALTIME"; }
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
# "h:mm:ss" or "m:ss.ss" (GNU time's elapsed) -> seconds
hms() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"; }
# JSON {runs_ms, median_ms, max_ms} of the numbers given
stats_json() {
    printf '%s\n' "$@" | jq -s '{runs_ms: ., median_ms: (sort | if length % 2 == 1 then .[length / 2 | floor]
        else (.[length / 2 - 1] + .[length / 2]) / 2 end | . * 10 | round / 10), max_ms: max}'
}

# dev_p50 CORPUS INDEX LABEL : warm up, then time the suite; JSON figures.
dev_p50() {
    python3 "$BENCH_REPO/bench/relevance.py" --passage "$BIN" --corpus "$1" --index "$2" \
        --suite "$TMP/warm.jsonl" >/dev/null || die "dev suite warm-up failed ($3)"
    python3 "$BENCH_REPO/bench/relevance.py" --passage "$BIN" --corpus "$1" --index "$2" \
        --repeat "$REPEAT" --label "$3" --out "$TMP/rel-$3.json" >"$TMP/rel-$3.txt" ||
        die "dev suite failed ($3)"
    jq -c --argjson r "$REPEAT" '.passage | [.rows[].ms] | sort as $t
        | {queries: length, repeat: $r, p50_ms: (if length % 2 == 1 then $t[length / 2 | floor]
              else ($t[length / 2 - 1] + $t[length / 2]) / 2 end | . * 10 | round / 10),
           p90_ms: $t[(length * 0.9 | ceil) - 1], max_ms: $t[-1]}' "$TMP/rel-$3.json"
}

# edit_searches CORPUS INDEX SCALE FIRST-SLOT : EDITS edits, each followed by
# a timed search for its new word; prints the times (ms), one a line.
edit_searches() {
    local c=$1 i=$2 s=$3 first=$4 j f word t0 rc
    for ((j = first; j < first + EDITS; j++)); do
        f=$c/copy$(printf '%02d' $((j % s)))/${EDIT_FILES[j]}
        [[ -f $f ]] || die "no file to edit: $f"
        word=zqgrowth${s}x$(printf '%02d' "$j")
        printf '\nA paragraph added for the growth benchmark names %s.\n' "$word" >>"$f"
        t0=$(now)
        rc=0
        "$BIN" search --color never --no-typos "$word" --corpus "$c" --index "$i" \
            >"$TMP/edit.out" 2>"$TMP/edit.err" || rc=$?
        ms_since "$t0"
        echo
        ((rc == 0)) || die "the search after editing $(untmp <<<"$f") did not find '$word' (exit $rc): $(head -c 300 "$TMP/edit.err")"
        if grep -q 'checking the corpus instead' "$TMP/edit.err"; then
            die "the search after editing $(untmp <<<"$f") did not trust the watcher: $(head -c 300 "$TMP/edit.err")"
        fi
        sleep 0.3
    done
}

# no_change CORPUS INDEX WHEN : `passage index --json` must report nothing changed.
no_change() {
    local j
    j=$("$BIN" index --json --corpus "$1" --index "$2" 2>/dev/null) || die "passage index failed ($3)"
    grep -q '"added":0,"updated":0,"removed":0,' <<<"$j" ||
        die "passage index found changes $3: $(head -c 300 <<<"$j")"
}

bench_wait

WATCH_PID=
# shellcheck disable=SC2016 # expanded when it runs, at exit
bench_on_exit '[[ -n $WATCH_PID ]] && kill "$WATCH_PID" 2>/dev/null'
SUMMARY=()
for s in "${SCALES[@]}"; do
    C=$TMP/corpus-${s}x
    I=$TMP/index-${s}x
    need_kb=$((s * WIKI_BYTES * 3 / 1024))
    free_kb=$(df -Pk "$TMP" | awk 'NR == 2 { print $4 }')
    ((free_kb > need_kb)) || die "${s}x needs about $((need_kb / 1024)) MiB free in $TMP, $((free_kb / 1024)) MiB are"

    log "${s}x: copying the bench corpus $s time(s) into $(untmp <<<"$C")"
    mkdir "$C"
    for ((k = 0; k < s; k++)); do
        mkdir "$C/copy$(printf '%02d' "$k")"
        cp -r "${FOLDERS[@]}" "$C/copy$(printf '%02d' "$k")/"
    done
    sync # no writeback of the copies during the build
    FILES=$(txt_files "$C")
    BYTES=$(txt_bytes "$C")

    log "${s}x: full build ($FILES files, $((BYTES / 1000000)) MB)"
    bench_time_v "$TMP/build-${s}x.time" "$BIN" index --full --corpus "$C" --index "$I" ||
        die "passage index --full failed at ${s}x: $(tail -n 3 "$TMP/build-${s}x.time.err")"
    BUILD=$(jq -n --arg w "$(hms "$(tv "$TMP/build-${s}x.time" 'Elapsed (wall clock) time')")" \
        --arg u "$(tv "$TMP/build-${s}x.time" 'User time')" --arg y "$(tv "$TMP/build-${s}x.time" 'System time')" \
        --arg r "$(tv "$TMP/build-${s}x.time" 'Maximum resident set size')" \
        '{wall_s: ($w | tonumber), user_s: ($u | tonumber), system_s: ($y | tonumber), rss_kib: ($r | tonumber)}')
    INDEX_SUMMARY=$(cat "$TMP/build-${s}x.time.out" "$TMP/build-${s}x.time.err" | grep -v '(warning)' | grep -v '^ *$' | tail -n 1 || true)
    INDEX_BYTES=$(du -sb "$I" | cut -f1)

    log "${s}x: stat walk (passage index, nothing changed; hyperfine --runs $WALK_RUNS)"
    no_change "$C" "$I" "right after the full build at ${s}x"
    # shellcheck disable=SC2034 # read by bench_hf through a nameref
    WALK_CMDS=("index, no change" "$BIN index --corpus $C --index $I")
    bench_hf "walk-${s}x" WALK_CMDS 2 --output=pipe --runs "$WALK_RUNS" --warmup 1
    WALK=$(jq -c '.results[0] | {median_ms: (.median * 1000), mean_ms: (.mean * 1000),
        min_ms: (.min * 1000), max_ms: (.max * 1000), runs: .runs}' "$TMP/hf-walk-${s}x.json")

    log "${s}x: dev suite without a watcher (--repeat $REPEAT)"
    P50_PLAIN=$(dev_p50 "$C" "$I" "plain-${s}x") && [[ -n $P50_PLAIN ]] || die "no search p50 without a watcher at ${s}x"

    log "${s}x: edit -> search without a watcher ($EDITS edits)"
    mapfile -t E_PLAIN < <(edit_searches "$C" "$I" "$s" 0)
    ((${#E_PLAIN[@]} == EDITS)) || die "edit -> search without a watcher failed at ${s}x"

    log "${s}x: starting passage watch"
    "$BIN" watch --corpus "$C" --index "$I" >"$TMP/watch-${s}x.log" 2>&1 &
    WATCH_PID=$!
    # Ready once it printed its first update (it watches before that update).
    for _ in $(seq 1500); do
        [[ -s $TMP/watch-${s}x.log ]] && break
        kill -0 "$WATCH_PID" 2>/dev/null || break
        sleep 0.2
    done
    if ! kill -0 "$WATCH_PID" 2>/dev/null || ! grep -q 'up to date\|updated' "$TMP/watch-${s}x.log"; then
        die "passage watch did not start at ${s}x: $(head -c 300 "$TMP/watch-${s}x.log")"
    fi

    log "${s}x: dev suite with the watcher (--repeat $REPEAT)"
    P50_WATCHED=$(dev_p50 "$C" "$I" "watched-${s}x") && [[ -n $P50_WATCHED ]] || die "no search p50 with the watcher at ${s}x"
    # relevance.py keeps no stderr: one more search must have trusted the
    # watcher (no word of it, nor of a stale corpus, on stderr beside the
    # count of matches), so the suite's searches did too.
    "$BIN" search --color never --no-update war --corpus "$C" --index "$I" >/dev/null 2>"$TMP/watched.err" ||
        die "a search with the watcher failed at ${s}x: $(head -c 300 "$TMP/watched.err")"
    if grep -qi 'watcher\|warning\|changed\|updat' "$TMP/watched.err"; then
        die "a search with the watcher said at ${s}x: $(head -c 300 "$TMP/watched.err")"
    fi
    log "${s}x: edit -> search with the watcher ($EDITS edits)"
    mapfile -t E_WATCHED < <(edit_searches "$C" "$I" "$s" "$EDITS")
    ((${#E_WATCHED[@]} == EDITS)) || die "edit -> search with the watcher failed at ${s}x"
    WATCH_RSS=$(awk '/^VmHWM:/ { print $2 }' "/proc/$WATCH_PID/status")
    kill "$WATCH_PID"
    wait "$WATCH_PID" 2>/dev/null || true
    WATCH_PID=
    # Its log: the start's update (and the corpus's problems it states), then
    # one line per update; anything else (an error) ends the benchmark.
    if grep -v '(warning)\|(file skipped)\|up to date\|updated' "$TMP/watch-${s}x.log" | grep -q .; then
        die "passage watch said at ${s}x: $(grep -v '(warning)\|(file skipped)\|up to date\|updated' "$TMP/watch-${s}x.log" | head -c 300)"
    fi
    no_change "$C" "$I" "after the edits at ${s}x (the searches or the watcher missed one)"

    bench_figure "growth.${s}x" "$(jq -n \
        --argjson scale "$s" --argjson files "$FILES" --argjson bytes "$BYTES" \
        --argjson build "$BUILD" --argjson index_bytes "$INDEX_BYTES" --argjson walk "$WALK" \
        --argjson plain "$P50_PLAIN" --argjson watched "$P50_WATCHED" \
        --argjson e_plain "$(stats_json "${E_PLAIN[@]}")" --argjson e_watched "$(stats_json "${E_WATCHED[@]}")" \
        --argjson watch_rss "$WATCH_RSS" --arg summary "$(untmp <<<"$INDEX_SUMMARY")" \
        '{scale: $scale, copies: $scale, corpus_files: $files, corpus_bytes: $bytes,
          build: $build, index_summary: $summary,
          index_bytes: $index_bytes, index_ratio: ($index_bytes / $bytes),
          stat_walk: $walk,
          search: {no_watcher: $plain, watcher: $watched},
          edit_search: {no_watcher: $e_plain, watcher: $e_watched},
          watcher_rss_kib: $watch_rss}')"
    SUMMARY+=("$(printf '%sx: %s files, %s MB; build %s s, %s MB RSS; index %s MB; walk %.0f ms; p50 %s / %s ms (watcher); edit->search %s / %s ms' \
        "$s" "$FILES" "$((BYTES / 1000000))" "$(jq -r .wall_s <<<"$BUILD")" "$(($(jq -r .rss_kib <<<"$BUILD") * 1024 / 1000000))" \
        "$((INDEX_BYTES / 1000000))" "$(jq -r .median_ms <<<"$WALK")" "$(jq -r .p50_ms <<<"$P50_PLAIN")" \
        "$(jq -r .p50_ms <<<"$P50_WATCHED")" "$(stats_json "${E_PLAIN[@]}" | jq -r .median_ms)" \
        "$(stats_json "${E_WATCHED[@]}" | jq -r .median_ms)")")
    log "${SUMMARY[-1]}"
    rm -rf "$C" "$I"
done

bench_corpus_end

bench_figure growth.scales "$(printf '%s\n' "${SCALES[@]}" | jq -sc .)"
bench_figure_str corpus.path "$WIKI"
bench_figure corpus.bytes "$WIKI_BYTES"
bench_figure growth.settings "$(jq -nc --argjson r "$REPEAT" --argjson e "$EDITS" --argjson w "$WALK_RUNS" \
    '{dev_suite: "bench/relevance/dev.jsonl", repeat: $r, edits: $e, walk_runs: $w, copies: "cp -r"}')"
bench_figure growth.targets "$(jq -nc --argjson b "$T_BUILD_PER_SCALE" --argjson i "$T_INDEX_SIZE" --argjson s "$T_SEARCH_WATCHED" \
    '{build_per_scale: $b, index_over_corpus: $i, search_watched: $s}')"

if [[ ${PASSAGE_BENCH_NO_RESULTS:-} == 1 ]]; then
    # A trial: the results file only in $TMP, for this report (and a chart
    # only where PASSAGE_GROWTH_SVG says).
    BENCH_RESULTS_DIR=$TMP/trial-results PASSAGE_BENCH_NO_RESULTS=0 bench_write_results "suite=bench/relevance/dev.jsonl"
    SVG=${PASSAGE_GROWTH_SVG:-}
else
    bench_write_results "suite=bench/relevance/dev.jsonl"
    if [[ $(realpath "$BENCH_RESULTS_DIR") == "$BENCH_REPO/bench/results" ]]; then
        SVG=${PASSAGE_GROWTH_SVG:-$BENCH_REPO/bench/growth.svg}
    else
        SVG=${PASSAGE_GROWTH_SVG:-$BENCH_RESULTS_DIR/growth.svg}
    fi
fi
if [[ -n $SVG ]]; then
    python3 "$BENCH_REPO/bench/growth_chart.py" "$BENCH_RESULTS_FILE" "$SVG"
fi

for l in "${SUMMARY[@]}"; do log "$l"; done
if [[ -n $OUT ]]; then
    python3 "$BENCH_REPO/bench/render.py" --growth "$BENCH_RESULTS_FILE" >"$OUT"
    log "wrote $OUT"
else
    python3 "$BENCH_REPO/bench/render.py" --growth "$BENCH_RESULTS_FILE"
fi

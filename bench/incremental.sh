#!/usr/bin/env bash
# Reproducible benchmark of the incremental index (issue 4): a full build
# (`passage index --full`), an incremental update after a one-paragraph edit,
# and a no-change run, on a temporary COPY of (a) the Wikipedia bench corpus
# (6,507 articles, 102 MB; see ../shared/bench/README.md) and (b) the single
# article corpus/iran-syria-relations.txt.
#
# Usage:  bench/incremental.sh [OUTPUT.md]
#
# Writes its results (hyperfine exports, machine, commit, tool versions) to
# bench/results/<date>-<commit>-incremental.json, read by bench/render.py.
# Also prints a Markdown section (machine, exact commands, one hyperfine table
# per corpus, ratios to the full build, the --json summary of one incremental
# and one no-change run) to stdout, or writes it to OUTPUT.md. Progress and
# hyperfine's own output go to stderr.
#
# A third hyperfine run (issue 14's "edit -> next search") times, on the bench
# corpus copy, `passage search` right after one file was edited, another file
# each run (`$TMP/edit-next.sh` appends a paragraph to it; the search
# finds the file stale and updates the index before it answers) next to the
# same search with nothing changed and `rg -i` of the same word over the copy.
#
# Inputs, only ever read (the benchmark edits a copy of each in a fresh
# `mktemp -d` directory outside the repository, deleted on exit):
#   $PASSAGE_BENCH_CORPUS  folder holding iran-syria-relations.txt (default: corpus)
#   $PASSAGE_BENCH_WIKI    the bench corpus (default: ../shared/bench/wiki)
#   $PASSAGE_BENCH_REV     optional git revision (e.g. HEAD) to build from a
#                          `git archive` copy instead of the working tree, into
#                          target/bench-rev (useful while the tree is mid-edit).
#   $PASSAGE_BENCH_RUNS    hyperfine --runs for the bench corpus (default 5;
#                          hyperfine has no per-command run count, and a full
#                          build takes ~20-30 s, so all three commands get it)
#   $PASSAGE_BENCH_ARTICLE_RUNS  --runs for the single article (default 30)
#   $PASSAGE_BENCH_EDIT_RUNS     --runs for "edit -> next search" (default 8)
#   and those of bench/lib.sh ($PASSAGE_BENCH_WAIT, $PASSAGE_BENCH_RESULTS, ...).
# The script fails if either source corpus changed during the run.
#
# Needs: cargo, hyperfine (>= 1.13 for -N; per-command --prepare), rg, jq,
# grep, sed, awk, du.
#
# The one-paragraph edit: before each incremental run, hyperfine's --prepare
# runs $TMP/toggle-*.sh, which swaps one word of one sentence back and forth
# (same length, so the file size does not change, with `sed -i`). The
# toggle script first asks the index, with `passage cite --no-update`, whether
# it holds the current wording of the sentence and not the other one, so every
# timed incremental run is proven to have indexed its edit (otherwise the next
# --prepare fails and hyperfine aborts). That check is not timed.
#
# Each table is ONE hyperfine run, so the commands in it share the same
# machine conditions; on noisy machines only the ratios are meaningful.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${1:-}
CORPUS=${PASSAGE_BENCH_CORPUS:-corpus}
WIKI=${PASSAGE_BENCH_WIKI:-../shared/bench/wiki}
RUNS=${PASSAGE_BENCH_RUNS:-5}
ART_RUNS=${PASSAGE_BENCH_ARTICLE_RUNS:-30}
EDIT_RUNS=${PASSAGE_BENCH_EDIT_RUNS:-8}
WARMUP=1
ART_WARMUP=3
EDIT_WARMUP=1
ARTICLE_NAME=iran-syria-relations.txt
ARTICLE=$CORPUS/$ARTICLE_NAME
EDIT_QUERY=hezbollah # the word searched after each edit

# The edited sentence in each corpus: one occurrence of A, none of B; each
# prepare swaps A <-> B (same length).
WIKI_FILE=AA_67/9377.txt # "History of Eritrea", § Kingdom of Aksum, ¶3
WIKI_A='Aksum in northern Ethiopia'
WIKI_B='Aksum in southern Ethiopia'
ART_A='Revolutionary Guard increased its' # § Syrian Civil War (2011–2024), ¶1
ART_B='Revolutionary Guard augmented its'

# Project targets (issue 4), as fractions of one full build.
TARGET_INCR=0.02
TARGET_NOCHANGE=0.01

# Target (issue 14): the median search right after an edit, at most this
# many times a search with nothing changed.
TARGET_EDIT_SEARCH=5

bench_need cargo hyperfine rg jq grep sed awk du
[[ -f $ARTICLE ]] || die "no article at $ARTICLE"
[[ -d $WIKI ]] || die "no bench corpus at $WIKI (set PASSAGE_BENCH_WIKI; see ../shared/bench/README.md)"
[[ -f $WIKI/$WIKI_FILE ]] || die "no $WIKI_FILE in $WIKI"
[[ $(rg -F -c "$WIKI_A" "$WIKI/$WIKI_FILE") == 1 && $(rg -F -c "$WIKI_B" "$WIKI" | wc -l) == 0 ]] ||
    die "'$WIKI_A' must stand once in $WIKI/$WIKI_FILE and '$WIKI_B' nowhere"
[[ $(rg -F -c "$ART_A" "$ARTICLE") == 1 && $(rg -F -c "$ART_B" "$ARTICLE" | wc -l) == 0 ]] ||
    die "'$ART_A' must stand once in $ARTICLE and '$ART_B' nowhere"

bench_tmp "$CORPUS" "$WIKI"
bench_corpus_begin "$CORPUS" "$WIKI"
bench_build

# ---------------------------------------------------------------- copies
# $TMP/wiki: copy of the bench corpus; $TMP/article: a folder holding only
# a copy of the article. Indexes: $TMP/wiki-idx, $TMP/article-idx.
log "copying the corpora into $TMP (outside the repository)"
cp -r "$WIKI" "$TMP/wiki"
mkdir "$TMP/article"
cp "$ARTICLE" "$TMP/article/$ARTICLE_NAME"
WC=$TMP/wiki WI=$TMP/wiki-idx
AC=$TMP/article AI=$TMP/article-idx

# toggle script: <name> <file> <A> <B> <corpus> <index>
make_toggle() {
    local s=$TMP/toggle-$1.sh
    cat >"$s" <<SH
#!/usr/bin/env bash
# --prepare step: swap '$3' <-> '$4' in one paragraph of $2.
set -euo pipefail
f='$2'
if grep -qF -- '$3' "\$f"; then from='$3' to='$4'; else from='$4' to='$3'; fi
# The previous run must have indexed the current wording (and not the other).
'$BIN' cite --no-update --color never "\$from" --corpus '$5' --index '$6' >/dev/null 2>&1 ||
    { echo "toggle: the index does not hold '\$from'" >&2; exit 1; }
if '$BIN' cite --no-update --color never "\$to" --corpus '$5' --index '$6' >/dev/null 2>&1; then
    echo "toggle: the index still holds '\$to'" >&2; exit 1
fi
sed -i "s/\$from/\$to/" "\$f"
grep -qF -- "\$to" "\$f"
echo "\$to" >>'$TMP/toggles-$1.log'
SH
    chmod +x "$s"
}
make_toggle wiki "$WC/$WIKI_FILE" "$WIKI_A" "$WIKI_B" "$WC" "$WI"

# edit-next script (table 3): each run edits another file of the copy, the
# k-th of a list spread over the corpus, by appending a paragraph naming
# zqedit<k>; it first checks (`search --no-update`) that the previous run's
# search indexed the previous edit.
find "$WC" -name '*.txt' | sort | awk 'NR % 500 == 1' >"$TMP/edit-files.txt"
cat >"$TMP/edit-next.sh" <<SH
#!/usr/bin/env bash
set -euo pipefail
k=\$(cat '$TMP/edit-k' 2>/dev/null || echo 0)
if ((k > 0)); then
    '$BIN' search --no-update --color never "zqedit\$((k - 1))" --corpus '$WC' --index '$WI' >/dev/null 2>&1 ||
        { echo "edit-next: the index does not hold zqedit\$((k - 1))" >&2; exit 1; }
fi
f=\$(sed -n "\$((k % \$(wc -l <'$TMP/edit-files.txt') + 1))p" '$TMP/edit-files.txt')
printf '\nAn edited paragraph names zqedit%s.\n' "\$k" >>"\$f"
echo \$((k + 1)) >'$TMP/edit-k'
SH
chmod +x "$TMP/edit-next.sh"
make_toggle article "$AC/$ARTICLE_NAME" "$ART_A" "$ART_B" "$AC" "$AI"

# commands: name | prepare | command
# name | command | prepare
WIKI_CMDS=(
    "a full build" "$BIN index --full --corpus $WC --index $WI" "true"
    "b incremental (one paragraph edited)" "$BIN index --corpus $WC --index $WI" "$TMP/toggle-wiki.sh"
    "c no change" "$BIN index --corpus $WC --index $WI" "true"
)
ART_CMDS=(
    "a full build" "$BIN index --full --corpus $AC --index $AI" "true"
    "b incremental (one paragraph edited)" "$BIN index --corpus $AC --index $AI" "$TMP/toggle-article.sh"
    "c no change" "$BIN index --corpus $AC --index $AI" "true"
)
# Run after the two tables above, on the index they left current.
EDIT_CMDS=(
    "search after an edit" "$BIN search --color never $EDIT_QUERY --corpus $WC --index $WI" "$TMP/edit-next.sh"
    "search no change" "$BIN search --color never $EDIT_QUERY --corpus $WC --index $WI" "true"
    "rg search" "rg -i $EDIT_QUERY $WC" "true"
)
cmd_list() { # array-name -> "# name", "# prepare: ...", command
    local -n a=$1
    local i
    for ((i = 0; i < ${#a[@]}; i += 3)); do
        printf '# %s (--prepare %s)\n%s\n' "${a[i]}" "${a[i + 2]}" "${a[i + 1]}"
    done
}

# The first (warm-up) full build needs no index; the toggles need one, which
# the full build's warm-up run creates before the incremental command starts.
bench_wait

log "table 1: bench corpus copy (one hyperfine run, --runs $RUNS --warmup $WARMUP)"
bench_hf wiki WIKI_CMDS 3 --runs "$RUNS" --warmup "$WARMUP"

log "table 2: single article copy (one hyperfine run, --runs $ART_RUNS --warmup $ART_WARMUP)"
bench_hf article ART_CMDS 3 --runs "$ART_RUNS" --warmup "$ART_WARMUP"

# Every search must find something and, with nothing changed, must not
# touch the index (so "search no change" is the plain search).
"$BIN" search --color never "$EDIT_QUERY" --corpus "$WC" --index "$WI" >/dev/null 2>"$TMP/edit-check.err" ||
    die "the search after the tables failed: $(head -c 300 "$TMP/edit-check.err")"
"$BIN" search --color never "$EDIT_QUERY" --corpus "$WC" --index "$WI" >/dev/null 2>"$TMP/edit-check.err"
if grep -qi 'updat\|building' "$TMP/edit-check.err"; then
    die "a search with nothing changed touched the index: $(head -c 300 "$TMP/edit-check.err")"
fi
log "table 3: edit -> next search on the bench corpus copy (--runs $EDIT_RUNS --warmup $EDIT_WARMUP)"
# --output=pipe: rg does less work when its stdout is /dev/null.
bench_hf edit EDIT_CMDS 3 --output=pipe --runs "$EDIT_RUNS" --warmup "$EDIT_WARMUP"
EDIT_MED=$(bench_ms edit "search after an edit" median)
NOCHANGE_MED=$(bench_ms edit "search no change" median)
EDIT_RATIO=$(ratio "$EDIT_MED" "$NOCHANGE_MED")

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
UPTIME_END=$(uptime)

# ---------------------------------------------------------------- --json proof
# After each hyperfine run: a no-change run, then one edit + incremental run,
# then another no-change run, all with --json (not timed).
json_proof() { # corpus index name -> sets J0 J1 J2 and the edited line
    local c=$1 i=$2 n=$3
    J0=$("$BIN" index --json --corpus "$c" --index "$i")
    "$TMP/toggle-$n.sh"
    J1=$("$BIN" index --json --corpus "$c" --index "$i")
    J2=$("$BIN" index --json --corpus "$c" --index "$i")
    grep -q '"added":0,"updated":1,"removed":0,' <<<"$J1" &&
        grep -q '"files_changed":1,' <<<"$J1" ||
        die "the $n incremental run did not report exactly 1 updated: $J1"
    for j in "$J0" "$J2"; do
        grep -q '"added":0,"updated":0,"removed":0,' <<<"$j" &&
            grep -q '"files_changed":0,' <<<"$j" ||
            die "the $n no-change run reported changes: $j"
    done
}
log "--json proof on the bench corpus copy"
json_proof "$WC" "$WI" wiki
WJ0=$J0 WJ1=$J1 WJ2=$J2
WIKI_NOW=$(tail -n 1 "$TMP/toggles-wiki.log")
WIKI_LINE=$(rg -n -o ".{0,40}$WIKI_NOW.{0,20}" "$WC/$WIKI_FILE")
WIKI_IDX_SIZE=$(du -sh "$WI" | cut -f1)
log "--json proof on the article copy"
json_proof "$AC" "$AI" article
AJ0=$J0 AJ1=$J1 AJ2=$J2
ART_NOW=$(tail -n 1 "$TMP/toggles-article.log")
ART_LINE=$(rg -n -o ".{0,40}$ART_NOW.{0,20}" "$AC/$ARTICLE_NAME")

WIKI_TOGGLES=$(wc -l <"$TMP/toggles-wiki.log")
ART_TOGGLES=$(wc -l <"$TMP/toggles-article.log")
EDITS_NEXT=$(cat "$TMP/edit-k")
[[ $WIKI_TOGGLES -eq $((WARMUP + RUNS + 1)) && $ART_TOGGLES -eq $((ART_WARMUP + ART_RUNS + 1)) &&
    $EDITS_NEXT -eq $((EDIT_WARMUP + EDIT_RUNS)) ]] ||
    die "unexpected number of edits: $WIKI_TOGGLES (bench corpus), $ART_TOGGLES (article), $EDITS_NEXT (edit -> search)"
# The last timed search must have indexed the last edit too.
"$BIN" search --no-update --color never "zqedit$((EDITS_NEXT - 1))" --corpus "$WC" --index "$WI" >/dev/null 2>&1 ||
    die "the last search after an edit did not index it (zqedit$((EDITS_NEXT - 1)))"

bench_corpus_end

# ---------------------------------------------------------------- report
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f %%", 100 * a / b }'; }
verdict() { # part whole target-fraction
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { if (a / b <= t) print "meets"; else print "**misses**" }'
}
ratio_table() { # hyperfine run
    local f=$1 s am amed acpu m med cpu
    am=$(bench_ms "$f" "a full build" mean); amed=$(bench_ms "$f" "a full build" median)
    acpu=$(bench_ms "$f" "a full build" cpu)
    echo '| Step | mean [ms] | median [ms] | CPU user+sys [ms] | / full build (mean) | / full build (median) | / full build (CPU) | target | median meets target? |'
    echo '|:---|---:|---:|---:|---:|---:|---:|---:|:---|'
    echo "| (a) full build | $am | $amed | $acpu | 100 % | 100 % | 100 % | | |"
    for s in "b incremental (one paragraph edited)" "c no change"; do
        m=$(bench_ms "$f" "$s" mean); med=$(bench_ms "$f" "$s" median); cpu=$(bench_ms "$f" "$s" cpu)
        if [[ $s == b* ]]; then
            printf '| (b) incremental, one paragraph edited '; t=$TARGET_INCR; tt='≤ 2 %'
        else
            printf '| (c) no change '; t=$TARGET_NOCHANGE; tt='≤ 1 %'
        fi
        echo "| $m | $med | $cpu | **$(pct "$m" "$am")** | **$(pct "$med" "$amed")** | $(pct "$cpu" "$acpu") | $tt | $(verdict "$med" "$amed" "$t") |"
    done
}

CPU=$CPU_MODEL
WIKI_FILES=$(find "$WIKI" -type f -name '*.txt' | wc -l)
WIKI_BYTES=$(find "$WIKI" -type f -name '*.txt' -printf '%s\n' | awk '{ s += $1 } END { print s }')

report() {
    cat <<MD
### Machine

| | |
|:---|:---|
| Date (UTC) | $(date -u '+%Y-%m-%d %H:%M:%S') |
| CPU | $CPU |
| nproc | $(nproc) |
| Load average (1/5/15 min) | $LOAD_START at start (after the compile and the copy), $LOAD_END at end |
| \`uptime\` at start | \`$(sed 's/^ *//' <<<"$UPTIME_START")\` |
| \`uptime\` at end | \`$(sed 's/^ *//' <<<"$UPTIME_END")\` |
| Kernel | $(uname -sr) |
| rustc | $(rustc --version) |
| hyperfine | $(hyperfine --version) |
| passage | $("$BIN" --version), built from $BUILT_FROM |
| Bench corpus | copy of \`$WIKI\` ($WIKI_FILES files, $WIKI_BYTES bytes) in \`\$TMP/wiki\` |
| Article | copy of \`$ARTICLE\` ($(wc -c <"$ARTICLE") bytes) alone in \`\$TMP/article\` |

Produced by \`bench/incremental.sh\`. \`\$TMP\` is a fresh \`mktemp -d\` directory
outside the repository; \`\$TMP/passage\` is a copy of the release binary taken right
after the build. Commands run in the order (a), (b), (c), each with its own
\`--prepare\`; (a)'s warm-up run creates the index that (b) and (c) update.

The edit before each (b) run, \`\$TMP/toggle-*.sh\` (not timed): swap one word of one
sentence with \`sed -i\` (same length, so the file size does not change), after checking
with \`passage cite --no-update\` that the index holds the current wording and not the
other one. Every (b) run was thus proven to have indexed its edit. The toggle ran
$WIKI_TOGGLES times on the bench corpus ($WARMUP warm-up + $RUNS runs of (b), plus 1
for the \`--json\` proof) and $ART_TOGGLES times on the article ($ART_WARMUP + $ART_RUNS + 1).

### (a) Bench corpus copy

Edited paragraph: \`\$TMP/wiki/$WIKI_FILE\` ("History of Eritrea", § Kingdom of Aksum, ¶3),
\`$WIKI_A\` ⇄ \`$WIKI_B\`.

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --runs $RUNS --warmup $WARMUP -n NAME... --prepare P... CMD...\`;
hyperfine has no per-command run count, so the full build gets $RUNS runs as well):

\`\`\`sh
$(cmd_list WIKI_CMDS | untmp)
\`\`\`

$(untmp <"$TMP/wiki.md")

$(ratio_table wiki)

Index size after the run: $WIKI_IDX_SIZE (\`du -sh\`).

\`--json\` of one more edit, not timed (no-change run, then \`toggle-wiki.sh\` + incremental run, then no-change run):

\`\`\`sh
\$ \$TMP/passage index --json --corpus \$TMP/wiki --index \$TMP/wiki-idx
$(untmp <<<"$WJ0")
\$ \$TMP/toggle-wiki.sh     # now line $(untmp <<<"$WIKI_LINE")
\$ \$TMP/passage index --json --corpus \$TMP/wiki --index \$TMP/wiki-idx
$(untmp <<<"$WJ1")
\$ \$TMP/passage index --json --corpus \$TMP/wiki --index \$TMP/wiki-idx
$(untmp <<<"$WJ2")
\`\`\`

### (b) Single article copy

Edited paragraph: \`\$TMP/article/$ARTICLE_NAME\` (§ Syrian Civil War (2011–2024), ¶1),
\`$ART_A\` ⇄ \`$ART_B\`.

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --runs $ART_RUNS --warmup $ART_WARMUP -n NAME... --prepare P... CMD...\`):

\`\`\`sh
$(cmd_list ART_CMDS | untmp)
\`\`\`

$(untmp <"$TMP/article.md")

$(ratio_table article)

The targets are meant for a large corpus. On one 18 KB article, every step mostly
costs process start-up, opening the index, and (for (a) and (b)) the commit.

\`--json\` of one more edit, not timed:

\`\`\`sh
\$ \$TMP/passage index --json --corpus \$TMP/article --index \$TMP/article-idx
$(untmp <<<"$AJ0")
\$ \$TMP/toggle-article.sh     # now line $(untmp <<<"$ART_LINE")
\$ \$TMP/passage index --json --corpus \$TMP/article --index \$TMP/article-idx
$(untmp <<<"$AJ1")
\$ \$TMP/passage index --json --corpus \$TMP/article --index \$TMP/article-idx
$(untmp <<<"$AJ2")
\`\`\`

### (c) Edit -> next search (bench corpus copy)

After the tables above, on the same copy and index: before each run of the first
command, \`edit-next.sh\` appends a paragraph to another file of the copy each time (one of
$(wc -l <"$TMP/edit-files.txt") spread over the corpus), so \`passage search\` finds one file changed and
updates the index before it answers (the next edit checks, with \`search --no-update\`, that it
did). The second command is the same search with nothing changed, the third \`rg -i\` of the
same word over the copy (rg has no index: an edit costs it nothing).

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} --output=pipe --runs $EDIT_RUNS --warmup $EDIT_WARMUP -n NAME... --prepare P... CMD...\`):

\`\`\`sh
$(cmd_list EDIT_CMDS | untmp)
\`\`\`

$(untmp <"$TMP/edit.md")

Search after an edit / search with nothing changed (medians): **$EDIT_RATIO** (target ≤ $TARGET_EDIT_SEARCH: $(verdict "$EDIT_MED" "$NOCHANGE_MED" "$TARGET_EDIT_SEARCH")).
MD
}

bench_figure corpus.files "$WIKI_FILES"
bench_figure corpus.bytes "$WIKI_BYTES"
bench_figure_str corpus.path "$WIKI"
bench_figure_str corpus.edited_file "$WIKI_FILE"
bench_figure index_bytes.passage "$(du -sb "$WI" | cut -f1)"
bench_figure edits.wiki "$WIKI_TOGGLES"
bench_figure edits.next "$EDITS_NEXT"
bench_figure_str json.wiki_incremental "$(untmp <<<"$WJ1")"
bench_write_results

if [[ -n $OUT ]]; then
    report >"$OUT"
    log "wrote $OUT"
else
    report
fi

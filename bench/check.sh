#!/usr/bin/env bash
# Reproducible benchmark of `passage check` (issue 15): one draft of about
# 5,000 words holding 40 quotations of the bench corpus, checked in one run,
# next to `passage cite` of one of its quotes. The issue's target: the
# check costs at most 40 cites (one per quotation).
#
# Usage:  bench/check.sh [OUTPUT.md]
#
# The draft is generated (deterministically) from the bench corpus: 40
# paragraphs of filler prose, each with one quotation. 30 quotations are
# 12-word spans copied from 30 articles spread over the corpus (exact), 5
# are such spans with one word changed (misquoted), 5 are made up (missing).
# The run fails unless check finds exactly 30 exact.
#
# Writes its results (hyperfine export, the draft's counts, machine, commit,
# tool versions) to bench/results/<date>-<commit>-check.json, and prints a
# Markdown section to stdout, or writes it to OUTPUT.md. Progress and
# hyperfine's own output go to stderr.
#
# Inputs, only ever read:
#   $PASSAGE_BENCH_WIKI    the bench corpus (default: ../shared/bench/wiki);
#                          it is never copied into the repository.
#   $PASSAGE_BENCH_INDEX   an index of it already built (by this version of
#                          passage, with the same --corpus spelling, from the
#                          repository root) to reuse; by default one is built
#                          in $TMP. The run fails if a command had to update it.
#   and those of bench/lib.sh ($PASSAGE_BENCH_REV, $PASSAGE_BENCH_WAIT, ...).
#
# Needs: cargo, python3, hyperfine (>= 1.13 for -N), jq, GNU /usr/bin/time.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${1:-}
WIKI=${PASSAGE_BENCH_WIKI:-../shared/bench/wiki}
WARMUP=2
RUNS=${PASSAGE_BENCH_CHECK_RUNS:-10}
TARGET=40 # check / cite (issue 15)

bench_need cargo python3 hyperfine jq time
[[ -d $WIKI ]] || die "no bench corpus at $WIKI (set PASSAGE_BENCH_WIKI; see ../shared/bench/README.md)"

bench_tmp "$WIKI"
bench_corpus_begin "$WIKI"
bench_build

# ---------------------------------------------------------------- draft
log "writing the draft from $WIKI"
python3 - "$WIKI" "$TMP" <<'PY'
import json, os, sys

wiki, tmp = sys.argv[1], sys.argv[2]
files = sorted(
    os.path.join(d, f) for d, _, fs in os.walk(wiki) for f in fs if f.endswith(".txt")
)
# Characters that Markdown or quotation finding would read as syntax, and
# ellipses (which cite reads as "any words"): a span holding one is passed.
BAD = set('"“”„«»[]*_`<>#\\…')

def span(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith(("=", "*", "-")) or len(line) < 200:
                continue
            words = line.split()
            for start in range(3, len(words) - 12):
                cut = words[start:start + 12]
                if any(c in BAD for w in cut for c in w) or any("..." in w for w in cut):
                    continue
                return " ".join(cut)
    return None

quotes = []
i = 0
step = max(1, len(files) // 60)
while len(quotes) < 35 and i < len(files):
    q = span(files[i])
    if q:
        quotes.append(q)
    i += step
if len(quotes) < 35:
    sys.exit("bench/check.sh: fewer than 35 usable paragraphs in the corpus")
exact = quotes[:30]
misquoted = []
for q in quotes[30:35]:
    w = q.split()
    w[6] = "purple" if w[6].lower() != "purple" else "orange"
    misquoted.append(" ".join(w))
missing = [
    "the seventeen lanterns of the quiet harbour sang to the departing whales",
    "a committee of owls declared the marmalade treaty void on every second Tuesday",
    "nobody expected the glass orchestra to tour the salt flats before breakfast",
    "her umbrella collection outgrew the museum and moved into the lighthouse basement",
    "the ministry of small puzzles approved forty new riddles for the winter almanac",
]
filler = (
    "The evidence for this claim is mixed, and historians still weigh the sources "
    "against each other with some care. Some accounts stress the long view, others the "
    "moment itself, and the disagreement shapes how the period is taught today. "
    "Later writers returned to the question with new archives, new methods and, at "
    "times, new motives of their own, so that each generation read the record anew. "
    "What follows draws on the published record and on the accounts collected in the "
    "article itself, which the reader may consult for the wider context of every claim "
    "made here and for the sources behind it. "
)
kinds = ["exact"] * 30 + ["misquoted"] * 5 + ["missing"] * 5
texts = exact + misquoted + missing
# Interleave: a misquote or a missing quote after every sixth exact one.
order = []
e, o = 0, 30
for n in range(40):
    if n % 4 == 3 and o < 40:
        order.append(o); o += 1
    elif e < 30:
        order.append(e); e += 1
    else:
        order.append(o); o += 1
paras = []
for n, k in enumerate(order):
    paras.append(f"{filler}As one source put it, \"{texts[k]}\", a line worth checking ({n + 1}).")
draft = "# A draft with forty quotations\n\n" + "\n\n".join(paras) + "\n"
with open(os.path.join(tmp, "draft.md"), "w", encoding="utf-8") as f:
    f.write(draft)
with open(os.path.join(tmp, "draft.json"), "w", encoding="utf-8") as f:
    json.dump({
        "words": len(draft.split()),
        "quotations": len(order),
        "expected": {k: kinds.count(k) for k in ("exact", "misquoted", "missing")},
        "cite_exact": exact[0],
        "cite_misquoted": misquoted[0],
    }, f)
PY
DRAFT=$TMP/draft.md
DRAFT_WORDS=$(jq -r .words "$TMP/draft.json")
QUOTE_EXACT=$(jq -r .cite_exact "$TMP/draft.json")
QUOTE_MIS=$(jq -r .cite_misquoted "$TMP/draft.json")

# ---------------------------------------------------------------- index
if [[ -n ${PASSAGE_BENCH_INDEX:-} ]]; then
    IDX=$PASSAGE_BENCH_INDEX
    [[ -d $IDX ]] || die "PASSAGE_BENCH_INDEX=$IDX is not a folder"
    log "reusing the index $IDX"
    INDEX_NOTE="reused (\`PASSAGE_BENCH_INDEX=$IDX\`)"
else
    IDX=$TMP/idx
    log "building the bench-corpus index in $IDX"
    "$BIN" index --corpus "$WIKI" --index "$IDX" >"$TMP/index.out" 2>"$TMP/index.log"
    INDEX_NOTE="built for this run in \`\$TMP/idx\`"
fi
bench_wait

# ---------------------------------------------------------------- commands
q() { printf "'%s'" "$1"; }
CMDS=(
    "check draft (40 quotations)" "$BIN check --color never $DRAFT --corpus $WIKI --index $IDX" 1
    "cite one exact quote" "$BIN cite --color never $(q "$QUOTE_EXACT") --corpus $WIKI --index $IDX" 0
    "cite one misquote" "$BIN cite --color never $(q "$QUOTE_MIS") --corpus $WIKI --index $IDX" 1
)
for ((i = 0; i < ${#CMDS[@]}; i += 3)); do
    rc=0
    eval "${CMDS[i + 1]}" >"$TMP/out.txt" 2>"$TMP/err.txt" || rc=$?
    [[ $rc -eq ${CMDS[i + 2]} ]] || die "exit $rc (expected ${CMDS[i + 2]}): ${CMDS[i + 1]} -- $(head -c 300 "$TMP/err.txt")"
    if grep -q 'building it' "$TMP/err.txt"; then die "the index was (re)built by: ${CMDS[i + 1]}"; fi
    # The index keys files by the --corpus path it was built with: another
    # spelling of the same folder re-indexes everything, once, here.
    if grep -q 'index updated' "$TMP/err.txt"; then
        die "the index was updated by: ${CMDS[i + 1]} (build PASSAGE_BENCH_INDEX with --corpus $WIKI, run from $BENCH_REPO)"
    fi
done
"$BIN" check --json "$DRAFT" --corpus "$WIKI" --index "$IDX" >"$TMP/check.json" || true
SUMMARY=$(jq -c .summary "$TMP/check.json")
[[ $(jq .summary.exact "$TMP/check.json") -eq 30 ]] ||
    die "check found $(jq .summary.exact "$TMP/check.json") exact quotations, not 30: $SUMMARY"
SUMMARY_LINE=$("$BIN" check --color never "$DRAFT" --corpus "$WIKI" --index "$IDX" 2>/dev/null | tail -n 1 || true)

# ---------------------------------------------------------------- timing
HFC=()
for ((i = 0; i < ${#CMDS[@]}; i += 3)); do HFC+=("${CMDS[i]}" "${CMDS[i + 1]}"); done
log "timing (one hyperfine run)"
bench_hf check HFC 2 -i --warmup "$WARMUP" --runs "$RUNS"

bench_corpus_end

CHECK_MS=$(bench_ms check "check draft (40 quotations)" median)
CITE_MS=$(bench_ms check "cite one exact quote" median)
MIS_MS=$(bench_ms check "cite one misquote" median)
RATIO=$(ratio "$CHECK_MS" "$CITE_MS")
RATIO_MIS=$(ratio "$CHECK_MS" "$MIS_MS")
MET=$(awk -v r="$RATIO" -v t="$TARGET" 'BEGIN { print (r <= t) ? "met" : "**not met**" }')

bench_figure draft.words "$DRAFT_WORDS"
bench_figure draft.quotations 40
bench_figure draft.summary "$SUMMARY"
bench_figure_str draft.quote_exact "$QUOTE_EXACT"
bench_figure_str draft.quote_misquoted "$QUOTE_MIS"
bench_figure check_over_cite "$RATIO"
bench_figure check_over_cite_misquote "$RATIO_MIS"
bench_figure target_check_over_cite "$TARGET"
bench_figure_str index.note "$INDEX_NOTE"
bench_write_results

report() {
    cat <<MD
### Machine

| | |
|:---|:---|
| Date (UTC) | $(date -u '+%Y-%m-%d %H:%M:%S') |
| CPU | $CPU_MODEL |
| nproc | $(nproc) |
| Load average (1/5/15 min) | $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end |
| passage | $("$BIN" --version), built from $BUILT_FROM |
| hyperfine | $(hyperfine --version) |
| Bench corpus | \`$WIKI\`; index $INDEX_NOTE |

### \`passage check\` of a 40-quotation draft vs one \`cite\`

The draft: $DRAFT_WORDS words, 40 quotations (30 copied from 30 articles, 5 with one word
changed, 5 made up). check says: \`$SUMMARY_LINE\`.

Commands, one hyperfine run (\`hyperfine ${SHELL_OPT[*]} -i --warmup $WARMUP --runs $RUNS\`):

\`\`\`sh
$(for ((i = 0; i < ${#CMDS[@]}; i += 3)); do printf '# %s\n%s\n' "${CMDS[i]}" "${CMDS[i + 1]}"; done | untmp)
\`\`\`

$(untmp <"$TMP/check.md")

check / cite of one exact quote (medians): **${RATIO}×** (target: at most ${TARGET}×, $MET);
check / cite of one misquote: **${RATIO_MIS}×**.
MD
}

if [[ -n $OUT ]]; then
    report >"$OUT"
    log "wrote $OUT"
else
    report
fi

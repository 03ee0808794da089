#!/usr/bin/env bash
# Issue 14's long-article target: a file of 100,000 `== Heading ==`
# sections indexes, lists and updates in at most 3x the time of a file of
# the same size with 100 headings (where quadratic work would show).
#
# Usage:  bench/headings.sh [OUTPUT.md]
#
# Generates both files (python3, a fixed seed: the same 8.5 MB of
# sentences, cut into 100,000 sections of one paragraph, or into 100 of
# 1,330) in a fresh `mktemp -d`, and times in one hyperfine run, for each:
#   index   a full build (`passage index --full`);
#   list    `passage search --list-sections`;
#   update  `passage index` after a one-word edit near the top (same length,
#           so every later passage keeps its bytes; swapped back and forth by
#           --prepare).
# Peak RSS of each full build too. Writes bench/results/<date>-<commit>-headings.json.
#
# Needs: cargo, python3, hyperfine, jq, GNU time.

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${1:-}
RUNS=${PASSAGE_BENCH_HEADINGS_RUNS:-3}
TARGET=3

bench_need cargo python3 hyperfine jq time
bench_tmp
bench_build

log "writing the two files"
python3 - "$TMP" <<'PY'
import os, random, sys
tmp = sys.argv[1]
random.seed(14)
words = ("alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega river "
         "mountain city empire war treaty king queen harbour").split()
def para(i):
    return " ".join(random.choice(words) for _ in range(8)) + f" number {i}."
paras = [para(i) for i in range(100_000)]
many = ["= Many =\n\nThe lead paragraph.\n"] + [
    f"\n== Heading {i} ==\n\n{p}\n" for i, p in enumerate(paras)
]
many = "".join(many)
# The same size with 100 headings: more paragraphs of the same kind.
few = ["= Few =\n\nThe lead paragraph.\n"]
size, i, h = len(few[0]), 0, 0
while size < len(many):
    if i % 1330 == 0 and h < 100:
        few.append(f"\n== Heading {h} ==\n")
        size += len(few[-1])
        h += 1
    p = f"\n{paras[i % len(paras)] if i < len(paras) else para(i)}\n"
    few.append(p)
    size += len(p)
    i += 1
for name, text in (("many", many), ("few", "".join(few))):
    os.makedirs(f"{tmp}/{name}")
    with open(f"{tmp}/{name}/{name}.txt", "w") as f:
        f.write(text)
PY
for k in few many; do
    # The edit: "number 7." <-> "number 8." in the 8th paragraph (the first
    # of each, as written above: unique, same length).
    cat >"$TMP/toggle-$k.sh" <<SH
#!/usr/bin/env bash
set -euo pipefail
f='$TMP/$k/$k.txt'
if [[ -e '$TMP/$k.swapped' ]]; then
    sed -i '0,/number 8\\.\$/s//number 7./' "\$f"; rm '$TMP/$k.swapped'
else
    sed -i '0,/number 7\\.\$/s//number 8./' "\$f"; touch '$TMP/$k.swapped'
fi
SH
    chmod +x "$TMP/toggle-$k.sh"
    "$BIN" index --corpus "$TMP/$k" --index "$TMP/$k-idx" >/dev/null
done
bench_figure bytes.many "$(stat -c %s "$TMP/many/many.txt")"
bench_figure bytes.few "$(stat -c %s "$TMP/few/few.txt")"
bench_figure headings.many "$(grep -c '^== ' "$TMP/many/many.txt")"
bench_figure headings.few "$(grep -c '^== ' "$TMP/few/few.txt")"

CMDS=()
for k in few many; do
    CMDS+=("$k index" "$BIN index --full --corpus $TMP/$k --index $TMP/$k-idx" "true")
    CMDS+=("$k list" "$BIN search --list-sections --corpus $TMP/$k --index $TMP/$k-idx" "true")
    CMDS+=("$k update" "$BIN index --corpus $TMP/$k --index $TMP/$k-idx" "$TMP/toggle-$k.sh")
done
bench_wait
log "timing (one hyperfine run, --runs $RUNS)"
bench_hf headings CMDS 3 --output=pipe --runs "$RUNS" --warmup 1
for k in few many; do
    bench_rss "passage index --full $k" 1 "" "$BIN" index --full --corpus "$TMP/$k" --index "$TMP/$k-idx" >/dev/null
done

LINES=()
for w in index list update; do
    f=$(bench_ms headings "few $w" median)
    m=$(bench_ms headings "many $w" median)
    r=$(ratio "$m" "$f")
    bench_figure "ratio.$w" "$r"
    LINES+=("| $w | $f ms | $m ms | ${r}× | $(awk -v r="$r" -v t="$TARGET" 'BEGIN { print (r <= t) ? "met" : "**not met**" }') |")
done
bench_figure target "$TARGET"
bench_write_results

report() {
    cat <<MD
### A file of 100,000 headings vs one of 100 headings, the same size

| | 100 headings | 100,000 headings | ratio | target ≤ ${TARGET}× |
|:---|---:|---:|---:|:---|
$(printf '%s\n' "${LINES[@]}")

$(untmp <"$TMP/headings.md")
MD
}
if [[ -n $OUT ]]; then report >"$OUT"; else report; fi

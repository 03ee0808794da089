# shellcheck shell=bash
# Shared by the five bench/*.sh scripts (source it; do not run it).
#
# Why one file: every benchmark needs the same careful steps, and each script
# used to carry its own copy of them: find the repository, refuse to start
# without its tools, wait until no other benchmark shares the cores, time a
# private copy of the release binary (a concurrent `cargo build` must not swap
# it mid-run), prove the corpus was only read (sizes, mtimes, sha256), and
# record the machine, commit and tool versions beside the figures.
#
# Results: every hyperfine run goes through `bench_hf`, which keeps its
# `--export-json` (plus each command's full command line); other figures
# (sizes, peak RSS from GNU time -v, counts) go through `bench_figure` and
# `bench_rss`. `bench_write_results` puts all of it into ONE file,
#   bench/results/<UTC date>T<HHMM>Z-<short commit>-<script>.json
# which bench/render.py reads to write BENCHMARKS.md. Those files are the
# history: they are committed, never edited.
#
# Environment, shared by all scripts:
#   PASSAGE_BENCH_REV      build this git revision (from `git archive`, into
#                          target/bench-rev) instead of the working tree
#   PASSAGE_BENCH_WAIT     seconds to wait for other benchmarks (default 1200)
#   PASSAGE_BENCH_RESULTS  folder for the results JSON (default bench/results)
#   PASSAGE_BENCH_NO_RESULTS=1  write no results JSON (a trial run)

BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$BENCH_REPO" || exit 2

BENCH_SCRIPT=$(basename "$0" .sh)
BENCH_RESULTS_DIR=${PASSAGE_BENCH_RESULTS:-$BENCH_REPO/bench/results}
BENCH_TABLES=() # names of the hyperfine runs, in order

log() { printf '[bench %s] %s\n' "$BENCH_SCRIPT" "$*" >&2; }
die() {
    printf '[bench %s] error: %s\n' "$BENCH_SCRIPT" "$*" >&2
    exit 2
}

# bench_need TOOL... : stop at once, naming the package, if a tool is missing.
# `time` means GNU /usr/bin/time (the shell keyword has no -v); `tantivy`
# also looks in ~/.cargo/bin and sets $TANTIVY.
bench_need() {
    local t
    for t in "$@"; do
        case $t in
            time)
                [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1 ||
                    die "GNU /usr/bin/time is missing (apt-get install -y time)"
                ;;
            tantivy)
                TANTIVY=$(command -v tantivy || echo "$HOME/.cargo/bin/tantivy")
                [[ -x $TANTIVY ]] || die "tantivy-cli is not installed (cargo install tantivy-cli)"
                ;;
            hyperfine | rg | jq)
                command -v "$t" >/dev/null ||
                    die "'$t' is not installed (apt-get install -y hyperfine ripgrep jq time)"
                ;;
            *) command -v "$t" >/dev/null || die "'$t' is not installed" ;;
        esac
    done
    if [[ " $* " == *" hyperfine "* ]]; then
        # -N (= --shell=none) appeared in hyperfine 1.13: without it every
        # command would pay for a shell, which is most of a 5 ms search.
        hyperfine --help 2>/dev/null | grep -q -- '--shell=none\|^ *-N' ||
            die "hyperfine $(hyperfine --version) has no -N; 1.13 or newer is needed"
        SHELL_OPT=(-N)
    fi
}

# bench_tmp : a fresh scratch folder $TMP outside the repository and every
# folder given, removed on exit (with anything registered by bench_on_exit).
BENCH_EXIT=()
bench_on_exit() { BENCH_EXIT+=("$1"); }
bench_exit() {
    local c
    for c in "${BENCH_EXIT[@]}"; do eval "$c" || true; done
    [[ -n ${TMP:-} ]] && rm -rf "$TMP"
}
bench_tmp() { # folder-that-must-not-contain-TMP...
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/passage-$BENCH_SCRIPT-bench.XXXXXX")
    trap bench_exit EXIT
    local c
    for c in "$BENCH_REPO" "$@"; do
        case "$(realpath "$TMP")/" in
            "$(realpath "$c")"/*) die "temporary directory $TMP is inside $c" ;;
        esac
    done
}
# The temporary path differs on every run; reports and results show it as $TMP.
untmp() { sed "s|$TMP|\$TMP|g"; }

# bench_fingerprint DIR... : sizes, mtimes and sha256 of every file. Taking
# it also reads the corpus into the page cache before anything is timed.
bench_fingerprint() {
    local d
    for d in "$@"; do
        find "$d" -printf '%P %s %T@\n' | LC_ALL=C sort
        find "$d" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    done
}
bench_corpus_begin() { # DIR...
    BENCH_CORPORA=("$@")
    log "fingerprinting ${*} (this also reads it into the page cache)"
    BENCH_BEFORE=$(bench_fingerprint "$@")
}
bench_corpus_end() {
    [[ $BENCH_BEFORE == "$(bench_fingerprint "${BENCH_CORPORA[@]}")" ]] ||
        die "a source corpus changed during the benchmark"
}
txt_files() { find "$1" -type f -name '*.txt' | wc -l; }
txt_bytes() { find "$1" -type f -name '*.txt' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# bench_wait : wait (up to $PASSAGE_BENCH_WAIT s) while another hyperfine or
# bench script runs; two benchmarks on 2 cores would disturb each other.
# bench/all.sh runs the scripts one after another and is not "another".
bench_others() {
    {
        pgrep -a hyperfine || true
        pgrep -fa 'bench/[A-Za-z0-9_-]+\.sh' | grep -v "bench/$BENCH_SCRIPT\.sh\|bench/all\.sh" || true
    } | grep -v "^$$ " || true
}
bench_wait() {
    local max=${PASSAGE_BENCH_WAIT:-1200} waited=0
    while [[ -n $(bench_others) ]] && ((waited < max)); do
        ((waited == 0)) && log "other benchmarks are running; waiting (up to ${max}s): $(bench_others | sed -n 1p | cut -c1-160)"
        sleep 20
        waited=$((waited + 20))
    done
    if [[ -n $(bench_others) ]]; then
        OTHERS_NOTE="other benchmarks were still running after waiting ${waited} s: $(bench_others | sed -n 1p | cut -c1-120)"
    else
        OTHERS_NOTE="none (waited ${waited} s)"
    fi
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    UPTIME_START=$(uptime)
}

# bench_build : build the release binary and time a private copy, $BIN.
# Sets BUILT_FROM (for reports), BENCH_COMMIT (full hash) and BENCH_DIRTY
# (true when src/ or Cargo.* differ from that commit: the figures are then
# not the commit's).
bench_build() {
    BIN=$TMP/passage
    local rev=${PASSAGE_BENCH_REV:-}
    BENCH_DIRTY=false
    if [[ -n $rev ]]; then
        BENCH_COMMIT=$(git rev-parse --verify --quiet "$rev^{commit}") || die "no git revision '$rev'"
        log "building passage (release) from git archive of $rev ($BENCH_COMMIT)"
        mkdir "$TMP/src"
        git archive "$BENCH_COMMIT" | tar -x -C "$TMP/src"
        CARGO_TARGET_DIR=$BENCH_REPO/target/bench-rev \
            cargo build --release --locked --quiet --manifest-path "$TMP/src/Cargo.toml" >&2
        cp target/bench-rev/release/passage "$BIN"
        BUILT_FROM="\`git archive $rev\` = commit $(git rev-parse --short "$BENCH_COMMIT") (PASSAGE_BENCH_REV; working tree not used)"
    else
        log "building passage (release) from the working tree"
        cargo build --release --locked --quiet >&2
        cp target/release/passage "$BIN"
        BENCH_COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
        BUILT_FROM="working tree at commit ${BENCH_COMMIT:0:7}"
        if ! git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null; then
            BENCH_DIRTY=true
            BUILT_FROM="$BUILT_FROM (with uncommitted changes in src/ or Cargo.*)"
        fi
    fi
}

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_KB=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)

# bench_hf TABLE ARRAY STRIDE [hyperfine options...] : one hyperfine run of
# the commands in ARRAY (name, command[, prepare] every STRIDE entries).
# Names must be unique: they key the results. Writes $TMP/TABLE.md (for the
# Markdown reports) and $TMP/hf-TABLE.json: hyperfine's export, each result
# given its command line and prepare command ($TMP spelled "$TMP"), its run
# count and the exit codes seen. The per-run `times` are kept up to 30 runs;
# a 5 ms search gets hundreds, which would make a results file of 200 KB.
bench_hf() {
    local table=$1 stride=$3
    local -n cmds=$2
    shift 3
    local args=() meta=() i
    for ((i = 0; i < ${#cmds[@]}; i += stride)); do args+=(-n "${cmds[i]}"); done
    if ((stride == 3)); then
        for ((i = 0; i < ${#cmds[@]}; i += stride)); do args+=(--prepare "${cmds[i + 2]}"); done
    fi
    for ((i = 0; i < ${#cmds[@]}; i += stride)); do args+=("${cmds[i + 1]}"); done
    log "hyperfine run '$table' (${#BENCH_TABLES[@]} before it)"
    hyperfine "${SHELL_OPT[@]}" --style basic "$@" \
        --export-markdown "$TMP/$table.md" --export-json "$TMP/hf-$table.raw.json" "${args[@]}" >&2
    for ((i = 0; i < ${#cmds[@]}; i += stride)); do
        meta+=("${cmds[i + 1]}")
        if ((stride == 3)); then meta+=("${cmds[i + 2]}"); else meta+=(""); fi
    done
    printf '%s\n' "$(printf '%s' "$*" | untmp)" >"$TMP/hf-$table.opts"
    jq -n '$ARGS.positional' --args "${meta[@]}" | untmp >"$TMP/hf-$table.meta.json"
    jq -n --slurpfile m "$TMP/hf-$table.meta.json" --slurpfile hf "$TMP/hf-$table.raw.json" \
        --rawfile opts "$TMP/hf-$table.opts" '
        $m[0] as $m
        | $hf[0] | .options = ($opts | rtrimstr("\n"))
        | .results |= [to_entries[] | .value + {command_line: $m[2 * .key]}
            + (if $m[2 * .key + 1] == "" then {} else {prepare: $m[2 * .key + 1]} end)
            | .runs = (.times | length) | .exit_codes_seen = (.exit_codes | unique)
            | del(.exit_codes) | if .runs > 30 then del(.times) else . end]' \
        >"$TMP/hf-$table.json"
    BENCH_TABLES+=("$table")
}

# bench_ms TABLE NAME mean|median|cpu : milliseconds, from bench_hf's export
# (cpu = mean user + mean system time).
bench_ms() {
    jq -r --arg n "$2" --arg w "$3" '
        [.results[] | select(.command == $n)] | if length != 1 then error("no single result \($n)") else .[0] end
        | (if $w == "cpu" then .user + .system else .[$w] end) * 1000 | . * 100 | round / 100' \
        "$TMP/hf-$1.json" || die "no result '$2' in hyperfine run '$1'"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# bench_figure KEY JSON-VALUE : a figure that is not a hyperfine time.
bench_figure() {
    jq -cn --arg k "$1" --argjson v "$2" '{key: $k, value: $v}' >>"$TMP/figures.jsonl" ||
        die "bad figure $1=$2"
}
bench_figure_str() { bench_figure "$1" "$(jq -n --arg s "$2" '$s')"; }

# bench_time_v FILE CMD... : run once under GNU time -v (output to FILE,
# the command's own output to FILE.out and FILE.err).
bench_time_v() {
    local f=$1
    shift
    /usr/bin/time -v -o "$f" "$@" >"$f.out" 2>"$f.err"
}
tv() { awk -F': ' -v k="$2" 'index($0, k) { print $2; exit }' "$1"; }

# bench_rss LABEL RUNS PREPARE CMD... : peak RSS (KiB, GNU time -v) of RUNS
# runs; PREPARE ("" for none) is eval'ed before each. Records the figure
# rss.LABEL = {median_kib, runs_kib} and prints "LABEL<TAB>median<TAB>runs".
bench_rss() {
    local label=$1 runs=$2 prep=$3 vals=() v r f=$TMP/rss.txt
    shift 3
    for ((r = 0; r < runs; r++)); do
        [[ -n $prep ]] && eval "$prep"
        /usr/bin/time -v -o "$f" "$@" >/dev/null 2>&1 || true
        vals+=("$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$f")")
    done
    v=$(printf '%s\n' "${vals[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
    bench_figure "rss.$label" "{\"median_kib\": $v, \"runs_kib\": [$(
        IFS=,
        echo "${vals[*]}"
    )]}"
    printf '%s\t%s\t%s\n' "$label" "$v" "${vals[*]}"
}

# rg 13 prints "error: broken pipe" and exits 2 when `| head -n 1` closes
# its stdout before the rest of --version is written (seen under load), and
# with pipefail that ended a whole run; sed reads to the end.
rg_version() { rg --version | sed -n 1p; }

# bench_write_results [TOOL=VERSION...] : the results file of this run.
bench_write_results() {
    LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
    if [[ ${PASSAGE_BENCH_NO_RESULTS:-} == 1 ]]; then
        log "PASSAGE_BENCH_NO_RESULTS=1: no results file written"
        return
    fi
    mkdir -p "$BENCH_RESULTS_DIR"
    local now tools=() t out
    now=$(date -u '+%Y-%m-%dT%H:%M:%SZ')
    out=$BENCH_RESULTS_DIR/$(date -u -d "$now" '+%Y-%m-%dT%H%MZ')-${BENCH_COMMIT:0:7}-$BENCH_SCRIPT.json
    tools+=("passage=$("$BIN" --version)" "rustc=$(rustc --version)")
    if command -v hyperfine >/dev/null; then tools+=("hyperfine=$(hyperfine --version)"); fi
    if command -v rg >/dev/null; then tools+=("rg=$(rg_version)"); fi
    tools+=("jq=$(jq --version)" "$@")
    [[ -f $TMP/figures.jsonl ]] || : >"$TMP/figures.jsonl"
    local tables=()
    for t in "${BENCH_TABLES[@]}"; do tables+=("$TMP/hf-$t.json"); done
    jq -n '$ARGS.positional' --args "${tools[@]}" >"$TMP/tools.json"
    jq -n --slurpfile tools "$TMP/tools.json" --slurpfile figs "$TMP/figures.jsonl" \
        --arg script "$BENCH_SCRIPT" --arg date "$now" --arg commit "$BENCH_COMMIT" \
        --argjson dirty "$BENCH_DIRTY" --arg built "$BUILT_FROM" \
        --argjson nproc "$(nproc)" --arg cpu "$CPU_MODEL" --argjson mem "$MEM_KB" \
        --arg kernel "$(uname -sr)" --arg load_start "${LOAD_START:-}" --arg load_end "$LOAD_END" \
        --arg others "${OTHERS_NOTE:-not checked}" \
        '{
            schema: 1, script: $script, date: $date,
            commit: $commit, commit_short: $commit[0:7], dirty: $dirty, built_from: $built,
            machine: {nproc: $nproc, cpu: $cpu, memory_kib: $mem, kernel: $kernel,
                      load_start: $load_start, load_end: $load_end, other_benchmarks: $others},
            tools: ($tools[0] | map(capture("^(?<k>[^=]+)=(?<v>.*)$") | {(.k): .v}) | add),
            figures: ($figs | map({(.key): .value}) | add // {}),
            hyperfine: {}
        }' >"$TMP/results.json"
    local name i=0
    for name in "${BENCH_TABLES[@]}"; do
        jq --arg n "$name" --slurpfile t "${tables[i]}" '.hyperfine[$n] = $t[0]' \
            "$TMP/results.json" >"$TMP/results.next" && mv "$TMP/results.next" "$TMP/results.json"
        i=$((i + 1))
    done
    untmp <"$TMP/results.json" | jq . >"$out"
    log "wrote ${out#"$BENCH_REPO"/} ($(stat -c %s "$out") bytes)"
    BENCH_RESULTS_FILE=$out
}

# bench_ndjson CORPUS OUT : NDJSON for tantivy-cli: one document per paragraph (blank-line-separated
# block), {"title": the `= T =` line, "section": the last `==X==` heading
# above it ("" before the first), "body": the paragraph}.
# Prints how many documents it wrote.
bench_ndjson() {
    python3 - "$1" "$2" <<'PY'
import json, os, re, sys

root, out = sys.argv[1], sys.argv[2]
HEADING = re.compile(r"^(={2,})\s*(.*?)\s*\1\s*$")
TITLE = re.compile(r"^=\s*([^=].*?)\s*=\s*$")
paths = []
for d, subdirs, names in os.walk(root):
    subdirs.sort()
    paths += [os.path.join(d, n) for n in names if n.endswith(".txt")]
paths.sort()
docs = 0
with open(out, "w", encoding="utf-8") as w:
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        title, section, para = "", "", []

        def flush():
            global docs
            if para:
                w.write(json.dumps({"title": title, "section": section,
                                    "body": "\n".join(para)}, ensure_ascii=False))
                w.write("\n")
                docs += 1
                para.clear()

        for line in lines:
            line = line.rstrip("\r")
            if not line.strip():
                flush()
            elif not title and TITLE.match(line):
                title = TITLE.match(line).group(1)
            elif HEADING.match(line):
                flush()
                section = HEADING.match(line).group(2)
            else:
                para.append(line)
        flush()
print(docs)
PY
}

# bench_tantivy_template DIR : an empty tantivy-cli index with all three fields TEXT | STORED. `tantivy new` is
# interactive: feed its prompts (name, type, stored, fast, indexed, tokenized,
# freqs, positions, another field?), then switch its en_stem tokenizer to
# tantivy's default one, which is what TEXT means.
bench_tantivy_template() {
    local TEMPLATE=$1
    printf '%s\n' title Text Y N Y Y Y Y Y section Text Y N Y Y Y Y Y body Text Y N Y Y Y Y N |
        "$TANTIVY" new -i "$TEMPLATE" >/dev/null
    sed -i 's/"tokenizer": "en_stem"/"tokenizer": "default"/' "$TEMPLATE/meta.json"
    [[ $(grep -c '"tokenizer": "default"' "$TEMPLATE/meta.json") -eq 3 ]] || die "unexpected tantivy schema"
    [[ $(grep -c '"record": "position"' "$TEMPLATE/meta.json") -eq 3 ]] || die "unexpected tantivy schema"
    [[ $(grep -c '"stored": true' "$TEMPLATE/meta.json") -eq 3 ]] || die "unexpected tantivy schema"
}

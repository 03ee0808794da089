#!/usr/bin/env bash
# passage serve under load (issue 24): 64 concurrent clients (wrk, 2
# threads) for 60 s over a mix of the dev suite's queries, cites and shows,
# while a file of a copy of the bench corpus is edited every second. After
# each edit a request for the edit's marker is sent (curl): an answer
# without it is stale. Counts errors (non-2xx, socket errors), stale
# answers, the latency percentiles, the throughput and the server's peak
# RSS.
#
# Usage:  bench/serve.sh [REPORT.md]
#
# Environment (besides bench/lib.sh's):
#   PASSAGE_BENCH_CORPUS   the bench corpus (default ../shared/bench/wiki)
#   PASSAGE_BENCH_SECONDS  how long the load runs (default 60)
#   PASSAGE_BENCH_CLIENTS  concurrent connections (default 64)
#
# Before the load: `passage search hezbollah` through the server (the CLI's
# fast path), beside the same command alone (a copy of the index, no
# server) and tantivy-cli 0.24's `search -q hezbollah` over the same
# corpus, one hyperfine run, process start included; and whether the two
# passage commands print the same.
#
# Needs: cargo, python3, jq, wrk, curl, hyperfine, tantivy-cli
# (apt-get install -y wrk curl hyperfine; cargo install tantivy-cli).

set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS=${PASSAGE_BENCH_CORPUS:-$BENCH_REPO/../shared/bench/wiki}
SECONDS_LOAD=${PASSAGE_BENCH_SECONDS:-60}
CLIENTS=${PASSAGE_BENCH_CLIENTS:-64}
REPORT=${1:-/dev/stdout}
[[ -d $CORPUS ]] || die "no bench corpus at $CORPUS (set PASSAGE_BENCH_CORPUS)"
bench_need python3 jq wrk curl hyperfine tantivy
bench_tmp "$BENCH_REPO"
trap bench_exit EXIT
bench_wait
bench_build

# A copy: the edits must not touch the shared corpus.
log "copying the corpus"
cp -r "$CORPUS" "$TMP/wiki"
"$BIN" index --corpus "$TMP/wiki" --index "$TMP/idx" >/dev/null
cp -a "$TMP/idx" "$TMP/idx-alone" # -a: the mtimes the damaged-index check compares
log "tantivy-cli's index of the corpus"
bench_ndjson "$TMP/wiki" "$TMP/wiki.ndjson" >/dev/null
bench_tantivy_template "$TMP/tantivy"
"$TANTIVY" index -i "$TMP/tantivy" -t 2 <"$TMP/wiki.ndjson" >/dev/null 2>&1

log "starting the server"
"$BIN" serve --corpus "$TMP/wiki" --index "$TMP/idx" --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER=$!
bench_on_exit "kill $SERVER 2>/dev/null || true"
for _ in $(seq 100); do
    [[ -s $TMP/serve.out ]] && break
    sleep 0.1
done
ADDR=$(sed -n 's|^listening on http://||p' "$TMP/serve.out")
[[ -n $ADDR ]] || die "the server did not start: $(cat "$TMP/serve.err")"

# The CLI's fast path, before any edit.
FAST=(
    tantivy-cli "$TANTIVY search -i $TMP/tantivy -q hezbollah"
    passage-through-server "$BIN search --corpus $TMP/wiki --index $TMP/idx hezbollah"
    passage-alone "$BIN search --corpus $TMP/wiki --index $TMP/idx-alone hezbollah"
)
bench_hf fastpath FAST 2 --warmup 5 --runs 50 --output=pipe
FAST_MS=$(bench_ms fastpath passage-through-server median)
ALONE_MS=$(bench_ms fastpath passage-alone median)
TANTIVY_MS=$(bench_ms fastpath tantivy-cli median)
"$BIN" search --corpus "$TMP/wiki" --index "$TMP/idx" hezbollah >"$TMP/through.out" 2>"$TMP/through.err"
"$BIN" search --corpus "$TMP/wiki" --index "$TMP/idx-alone" hezbollah >"$TMP/alone.out" 2>"$TMP/alone.err"
if cmp -s "$TMP/through.out" "$TMP/alone.out" && cmp -s "$TMP/through.err" "$TMP/alone.err"; then
    SAME=true
else
    SAME=false
fi
FORWARDED=$(curl -s "http://$ADDR/api/status" | jq '.forwarded')
((FORWARDED > 50)) || die "the searches did not go through the server ($FORWARDED forwarded)"

# The request mix: each dev query as a search, every fourth as a cite of
# its words, and the shows of the IDs the first searches find.
python3 - "$BENCH_REPO/bench/relevance/dev.jsonl" "$ADDR" >"$TMP/paths.txt" <<'PY'
import json, sys, urllib.parse, urllib.request
queries = [json.loads(l)["query"] for l in open(sys.argv[1]) if l.strip()]
addr = sys.argv[2]
paths = []
for i, q in enumerate(queries):
    paths.append("/api/search?q=" + urllib.parse.quote(q))
    if i % 4 == 0:
        paths.append("/api/cite?q=" + urllib.parse.quote(q))
for q in queries[:40]:
    with urllib.request.urlopen(f"http://{addr}/api/search?n=1&q=" + urllib.parse.quote(q)) as r:
        hits = json.load(r)["hits"]
    if hits:
        paths.append("/api/show/" + hits[0]["id"])
print("\n".join(paths))
PY
log "$(wc -l <"$TMP/paths.txt") request paths"

cat >"$TMP/mix.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %.3f %.3f %.3f %.3f\n",
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests / (summary.duration / 1e6)))
end
LUA

# Peak RSS of the server: the kernel's high-water mark (VmHWM, read at the
# end), and its parts at the highest of samples taken every 100 ms (a spike
# between samples is in the mark, not in the parts): the heap (anonymous)
# and the mapped files (the index, the binary).
(
    peak=0
    while kill -0 "$SERVER" 2>/dev/null; do
        read -r rss anon file < <(awk '/^(VmRSS|RssAnon|RssFile):/ { printf "%s ", $2 } END { print "" }' \
            "/proc/$SERVER/status" 2>/dev/null || echo "0 0 0")
        if ((${rss:-0} > peak)); then
            peak=$rss
            echo "$rss $anon $file" >"$TMP/peak_rss_kib"
        fi
        sleep 0.1
    done
) &

# The editor: one file of its own (so that no show of the mix is of a
# passage it removes), a new marker every second; each edit's marker
# searched for at once (sent after the edit was written: it must be found).
EDITED=$TMP/wiki/zz_bench_edits.txt
(
    for n in $(seq "$SECONDS_LOAD"); do
        marker="zqmark$n"
        printf '= Edited =\n\nThe marker %s stands here.\n' "$marker" >"$EDITED"
        total=$(curl -s "http://$ADDR/api/search?q=$marker" | jq '.total')
        if [[ $total == 0 || -z $total ]]; then echo stale; else echo fresh; fi
        sleep 1
    done
) >"$TMP/edits.txt" &
EDITOR=$!

log "load: $CLIENTS clients for ${SECONDS_LOAD}s, a file edited every second"
PATHS=$TMP/paths.txt wrk -t2 -c"$CLIENTS" -d"${SECONDS_LOAD}s" --timeout 10s -s "$TMP/mix.lua" "http://$ADDR" >"$TMP/wrk.txt"
wait "$EDITOR" || true
HWM_KIB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER/status")
kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true

read -r REQUESTS E_CONNECT E_READ E_WRITE E_STATUS E_TIMEOUT P50 P99 MAX RPS < <(sed -n 's/^RESULT //p' "$TMP/wrk.txt")
ERRORS=$((E_CONNECT + E_READ + E_WRITE + E_STATUS + E_TIMEOUT))
STALE=$(grep -c stale "$TMP/edits.txt" || true)
EDITS=$(wc -l <"$TMP/edits.txt")
read -r SAMPLED_MB PEAK_ANON_MB PEAK_FILE_MB < <(awk '{ printf "%.1f %.1f %.1f\n", $1 / 1024, $2 / 1024, $3 / 1024 }' "$TMP/peak_rss_kib")
PEAK_MB=$(awk -v k="$HWM_KIB" 'BEGIN { printf "%.1f", k / 1024 }')

bench_figure requests "$REQUESTS"
bench_figure errors "$ERRORS"
bench_figure stale "$STALE"
bench_figure edits "$EDITS"
bench_figure p50_ms "$P50"
bench_figure p99_ms "$P99"
bench_figure max_ms "$MAX"
bench_figure requests_per_s "$RPS"
bench_figure peak_rss_mb "$PEAK_MB"
bench_figure peak_rss_sampled_mb "$SAMPLED_MB"
bench_figure peak_rss_anon_mb "$PEAK_ANON_MB"
bench_figure peak_rss_file_mb "$PEAK_FILE_MB"
bench_figure clients "$CLIENTS"
bench_figure seconds "$SECONDS_LOAD"
bench_figure fast_path_ms "$FAST_MS"
bench_figure alone_ms "$ALONE_MS"
bench_figure tantivy_ms "$TANTIVY_MS"
bench_figure fast_vs_tantivy "$(ratio "$FAST_MS" "$TANTIVY_MS")"
bench_figure fast_path_same "$SAME"
bench_write_results "wrk=$(wrk --version 2>&1 | head -n 1)"

{
    echo "# bench/serve.sh"
    echo
    echo "passage: $BUILT_FROM; $CLIENTS clients, ${SECONDS_LOAD}s, a file edited every second"
    echo
    echo "| requests | errors | stale answers (of $EDITS edits) | p50 | p99 | max | requests/s | peak RSS |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "| $REQUESTS | $ERRORS | $STALE | $P50 ms | $P99 ms | $MAX ms | $RPS | $PEAK_MB MB (highest sample $SAMPLED_MB: heap $PEAK_ANON_MB, mapped files $PEAK_FILE_MB) |"
    echo
    echo "\`passage search hezbollah\`, median of 50 runs, process start included (tantivy-cli 0.24 is built on tantivy 0.24):"
    echo
    echo "| through the server | alone | tantivy-cli \`search -q hezbollah\` | through the server / tantivy-cli | same output |"
    echo "|---|---|---|---|---|"
    echo "| $FAST_MS ms | $ALONE_MS ms | $TANTIVY_MS ms | $(ratio "$FAST_MS" "$TANTIVY_MS")× | $SAME |"
} >"$REPORT"

#!/usr/bin/env python3
"""Known-item relevance on the bench corpus: P@1 and MRR@10 per kind of query.

Each line of the suite (bench/relevance/dev.jsonl) is a query written from a
passage of the bench corpus the way a reader types it, with every equally
good answer (file relative to the corpus, line, document kind). Every query
is run through the real binary (`passage search --json -n 10`); a result
counts at the rank of the first result shown that is an answer. When the
output groups documents (each result carries those listed under it in `also`;
earlier, each hit carried `group`, the rank of the result it was shown under),
a result is a group: its leader or one of the documents
listed under it.

Also counted: top-10 lists that show the same text twice (two results whose
shown documents overlap in the file), and the wall time of each search (p50).

With --baseline BIN --baseline-index DIR, every query is also run through
a second binary (its own index of the same corpus), the two alternating query
by query so that both see the same machine, and the baseline's figures are
reported beside the others (the p50 ratio is the speed target's measure).

usage: relevance.py --passage BIN --corpus DIR --index DIR [--suite FILE]
                    [--baseline BIN --baseline-index DIR] [--repeat N]
                    [--label NAME] [--out results.json] [--verbose]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

DEPTH = 10
KINDS = ["fact", "question", "typo", "inflection", "spelling", "keyboard", "topic", "title", "rare",
         # issue 22's kinds
         "paraphrase", "remembered", "phrase", "entity", "section", "lead"]


def run(binary, corpus, index, query):
    cmd = [binary, "search", "--json", "-n", str(DEPTH), "--no-update",
           "--corpus", corpus, "--index", index, "--", query]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    ms = (time.perf_counter() - t0) * 1000
    if p.returncode not in (0, 1):
        sys.exit(f"relevance: {query!r}: exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout), ms


def key(corpus, hit):
    """(file relative to the corpus, first line, kind): how the suite names a document."""
    rel = os.path.relpath(hit["file"], corpus)
    return (rel, hit["line_start"], hit["kind"])


def results_of(hits):
    """The results as shown: a list of groups, each a list of hits (leader first)."""
    if hits and "also" in hits[0]:
        # Each result carries the documents listed under it.
        return [[h] + h["also"] for h in hits][:DEPTH]
    if hits and "group" in hits[0]:
        groups = {}
        for h in hits:
            groups.setdefault(h["group"], []).append(h)
        return [groups[g] for g in sorted(groups)][:DEPTH]
    return [[h] for h in hits][:DEPTH]


def overlaps(a, b):
    return a["file"] == b["file"] and a["byte_start"] < b["byte_end"] and b["byte_start"] < a["byte_end"]


def evaluate(runs, cases, corpus, label, verbose):
    """Figures of one binary: runs[i] is (output, ms) of cases[i]."""
    per_kind = {k: [] for k in KINDS}
    # The rank counting only the passage shown first in each result (not
    # the ones listed under it).
    per_kind_exact = {k: [] for k in KINDS}
    times, dup_lists, rows = [], 0, []
    for c, (out, ms) in zip(cases, runs):
        times.append(ms)
        answers = {(x["file"], x["line"], x["doc"]) for x in c["answers"]}
        shown = results_of(out["hits"])
        rank = None
        for i, group in enumerate(shown):
            if any(key(corpus, h) in answers for h in group):
                rank = i + 1
                break
        exact_rank = None
        for i, group in enumerate(shown):
            if key(corpus, group[0]) in answers:
                exact_rank = i + 1
                break
        leaders = [g[0] for g in shown]
        dup = any(overlaps(x, y) for i, x in enumerate(leaders) for y in leaders[i + 1:])
        dup_lists += dup
        per_kind.setdefault(c["kind"], []).append(rank)
        per_kind_exact.setdefault(c["kind"], []).append(exact_rank)
        rows.append({"kind": c["kind"], "query": c["query"], "rank": rank, "exact_rank": exact_rank,
                     "dup": dup, "ms": round(ms, 1)})
        if verbose and rank != 1:
            top = shown[0][0] if shown else None
            where = f"{top['article']} > {' > '.join(top['section'])} ({top['kind']})" if top else "-"
            print(f"  [{c['kind']}] {c['query']!r}: rank {rank}; first: {where}")

    def figures(ranks):
        n = len(ranks)
        p1 = sum(1 for r in ranks if r == 1) / n if n else 0.0
        mrr = sum(1.0 / r for r in ranks if r) / n if n else 0.0
        return n, p1, mrr

    summary = {"label": label, "queries": len(cases),
               "articles": len({c["answers"][0]["file"] for c in cases}), "kinds": {}}
    kinds = KINDS + sorted(k for k in per_kind if k not in KINDS)
    for k in kinds:
        n, p1, mrr = figures(per_kind[k])
        if n == 0:
            continue
        _, p1x, mrrx = figures(per_kind_exact[k])
        summary["kinds"][k] = {"n": n, "p_at_1": round(p1, 3), "mrr_at_10": round(mrr, 3),
                               "p_at_1_exact": round(p1x, 3), "mrr_at_10_exact": round(mrrx, 3)}
        print(f"relevance[{k}]: {n} queries, P@1 {p1:.3f}, MRR@10 {mrr:.3f}; "
              f"first shown only: P@1 {p1x:.3f}, MRR@10 {mrrx:.3f}")
    _, p1x, mrrx = figures([r for k in kinds for r in per_kind_exact[k]])
    summary.update({"p_at_1_exact": round(p1x, 3), "mrr_at_10_exact": round(mrrx, 3)})
    n, p1, mrr = figures([r for k in kinds for r in per_kind[k]])
    p50 = statistics.median(times)
    summary.update({"p_at_1": round(p1, 3), "mrr_at_10": round(mrr, 3),
                    "duplicate_lists": dup_lists, "p50_ms": round(p50, 1), "rows": rows})
    print(f"relevance ({label}): {n} queries over {summary['articles']} articles, "
          f"P@1 {p1:.3f}, MRR@10 {mrr:.3f}; {dup_lists} top-10 lists show a text twice; "
          f"p50 {p50:.1f} ms")
    return summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--passage", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--baseline-index")
    ap.add_argument("--suite", default=os.path.join(os.path.dirname(__file__), "relevance", "dev.jsonl"))
    ap.add_argument("--label", default="passage")
    ap.add_argument("--out")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="runs per query, timed as their median")
    a = ap.parse_args()
    if bool(a.baseline) != bool(a.baseline_index):
        sys.exit("relevance: --baseline and --baseline-index go together")
    corpus = a.corpus.rstrip("/")
    cases = [json.loads(l) for l in open(a.suite) if l.strip()]
    def timed(binary, index, query):
        # The median of `--repeat` runs: one run of a 40 ms search is noise.
        outs = [run(binary, corpus, index, query) for _ in range(a.repeat)]
        return outs[0][0], statistics.median(ms for _, ms in outs)

    runs, base_runs = [], []
    for i, c in enumerate(cases):
        if a.baseline and i % 2:
            base_runs.append(timed(a.baseline, a.baseline_index, c["query"]))
        runs.append(timed(a.passage, a.index, c["query"]))
        if a.baseline and not i % 2:
            base_runs.append(timed(a.baseline, a.baseline_index, c["query"]))
    out = {"passage": evaluate(runs, cases, corpus, a.label, a.verbose)}
    if a.baseline:
        out["baseline"] = evaluate(base_runs, cases, corpus, "baseline", False)
        ratio = out["passage"]["p50_ms"] / out["baseline"]["p50_ms"]
        out["p50_ratio"] = round(ratio, 3)
        print(f"relevance: p50 {ratio:.2f}x the baseline's, same run")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()

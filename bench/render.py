#!/usr/bin/env python3
"""Write BENCHMARKS.md from the newest results under bench/results/.

Why a renderer: BENCHMARKS.md used to be every run's Markdown appended by
hand, so nobody could tell how fast passage is today (issue 11). Now the
scripts only write results JSON (bench/lib.sh's bench_write_results), which
is also the history, and this file turns the newest result of each script
into one table. The table is never edited by hand: rerun this instead.

Usage:
    bench/render.py                 # writes BENCHMARKS.md
    bench/render.py --check         # exit 1 if BENCHMARKS.md is not what it would write
    bench/render.py --results DIR --out FILE
    bench/render.py --growth FILE   # print only the Growth section of one growth results file

Python 3 standard library only. Every figure in the table comes from a
results file; the file's name is printed beside it, so a reader can check.
"""

import argparse
import glob
import json
import math
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The targets: issue 20's (a lean index), and issue 14's where 20 sets none.
TARGET_BUILD = 1.0  # passage / tantivy-cli
TARGET_SIZE = 0.6  # index bytes / corpus text bytes
TARGET_SEARCH = 0.1  # passage / rg -i, without a watcher (issue 14)
TARGET_WATCHED = 1.5  # passage with a watcher / tantivy-cli, `hezbollah`
TARGET_EDIT = 2.0  # search after an edit / search with nothing changed: median
TARGET_EDIT_MAX = 4.0  # ... and the slowest edit
TARGET_RSS_INDEX = 300  # MB (10^6 bytes)
TARGET_RSS_SEARCH = 40  # MB
TARGET_LIST_SECTIONS = 2.0  # --list-sections, 100,000 headings / 100

QUERIES = [("hezbollah", "`hezbollah`"), ("war", "`war`"), ("civil war phrase", '`"civil war"`')]


def die(msg):
    """Bad input: one line on stderr, exit 2 (as passage itself does)."""
    print(f"render.py: {msg}", file=sys.stderr)
    sys.exit(2)


class Missing(Exception):
    """A figure the table needs is not in the results file."""


def load(results_dir):
    """The newest results file of each script: {script: (path, data)}."""
    newest = {}
    for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as e:
                die(f"{path}: not JSON: {e}")
        script = data.get("script")
        if not script or "date" not in data:
            die(f"{path}: no script or date (not a bench results file)")
        key = (data["date"], os.path.basename(path))
        if script not in newest or key > newest[script][0]:
            newest[script] = (key, path, data)
    return {s: (p, d) for s, (_, p, d) in newest.items()}


def result(data, run, name):
    """One command's hyperfine result (times in seconds)."""
    try:
        for r in data["hyperfine"][run]["results"]:
            if r["command"] == name:
                return r
    except KeyError:
        pass
    raise Missing(f"hyperfine run {run!r}, command {name!r}")


def median_ms(data, run, name):
    return result(data, run, name)["median"] * 1000


def max_ms(data, run, name):
    """The slowest run, when hyperfine's per-run times were kept."""
    times = result(data, run, name).get("times")
    return max(times) * 1000 if times else None


def figure(data, key):
    try:
        return data["figures"][key]
    except KeyError:
        raise Missing(f"figure {key!r}") from None


def runs_of(data, run, name):
    return result(data, run, name).get("runs") or len(result(data, run, name).get("times", []))


def fmt_ms(v):
    if v >= 1000:
        return f"{v:,.0f} ms"
    if v >= 100:
        return f"{v:.0f} ms"
    if v >= 10:
        return f"{v:.1f} ms"
    return f"{v:.2f} ms"


def fmt_mb_bytes(b):
    return f"{b / 1e6:,.1f} MB"


def fmt_rss(kib):
    return f"{kib * 1024 / 1e6:.1f} MB"


def fmt_ratio(a, b):
    return f"{a / b:.2f}×"


def verdict(ok):
    return "met" if ok else "**not met**"


def machine_line(path, data):
    m = data["machine"]
    dirty = " **with uncommitted changes in src/ or Cargo.\\***" if data.get("dirty") else ""
    return (
        f"`{data['commit_short']}`{dirty}, {data['date'].replace('T', ' ').replace('Z', ' UTC')}, "
        f"{m['nproc']} × {m['cpu']}, {m['memory_kib'] / 1048576:.1f} GiB RAM, {m['kernel']}; "
        f"load {m['load_start'] or '?'} at start, {m['load_end']} at end "
        f"([{os.path.basename(path)}](bench/results/{os.path.basename(path)}))"
    )


def dashboard_rows(scale, incr):
    """Rows: measure, passage, rg, tantivy-cli, passage/rg, passage/tantivy, target, verdict, source."""
    rows = []
    S, I = "S", "I"

    def safe(build):
        try:
            rows.extend(build())
        except Missing as e:
            rows.append(("(row not rendered)", f"missing: {e}", "", "", "", "", "", "", ""))

    if scale is not None:
        d = scale

        def build_row():
            p = median_ms(d, "build", "passage index")
            t = median_ms(d, "build", "tantivy index")
            n = runs_of(d, "build", "passage index")
            return [
                (
                    f"full build (`index --full`, median of {n})",
                    fmt_ms(p), "—", fmt_ms(t), "—", fmt_ratio(p, t),
                    f"≤ {TARGET_BUILD:.1f}× tantivy-cli", verdict(p / t <= TARGET_BUILD), S,
                )
            ]

        def size_row():
            p = figure(d, "index_bytes.passage")
            t = figure(d, "index_bytes.tantivy")
            c = figure(d, "corpus.bytes")
            return [
                (
                    "index size (`du -sb`)",
                    fmt_mb_bytes(p), f"{fmt_mb_bytes(c)} (the corpus text itself)", fmt_mb_bytes(t),
                    fmt_ratio(p, c), fmt_ratio(p, t),
                    f"≤ {TARGET_SIZE:.1f}× corpus", verdict(p / c <= TARGET_SIZE), S,
                )
            ]

        def rss_rows():
            pi = figure(d, "rss.passage index --full")
            ti = figure(d, "rss.tantivy index -t 2 (peer)")
            searches = [figure(d, f"rss.passage search {q}") for q in ("hezbollah", "war", '"civil war"')]
            ps = max(s["median_kib"] for s in searches)
            rs = figure(d, "rss.rg -i war (peer)")
            ts = figure(d, "rss.tantivy search war (peer)")
            pi_mb = pi["median_kib"] * 1024 / 1e6
            ps_mb = ps * 1024 / 1e6
            return [
                (
                    f"peak RSS, full build (median of {len(pi['runs_kib'])})",
                    fmt_rss(pi["median_kib"]), "—", fmt_rss(ti["median_kib"]),
                    "—", fmt_ratio(pi["median_kib"], ti["median_kib"]),
                    f"≤ {TARGET_RSS_INDEX} MB", verdict(pi_mb <= TARGET_RSS_INDEX), S,
                ),
                (
                    f"peak RSS, search (largest median of the 3 queries, {len(searches[0]['runs_kib'])} runs each; peers: `war`)",
                    fmt_rss(ps), fmt_rss(rs["median_kib"]), fmt_rss(ts["median_kib"]),
                    fmt_ratio(ps, rs["median_kib"]), fmt_ratio(ps, ts["median_kib"]),
                    f"≤ {TARGET_RSS_SEARCH} MB", verdict(ps_mb <= TARGET_RSS_SEARCH), S,
                ),
            ]

        def search_rows(kind):
            out = []
            for key, label in QUERIES:
                p = median_ms(d, "search", f"{kind} {key}")
                r = median_ms(d, "search", f"rg {key}")
                t = median_ms(d, "search", f"tantivy {key}")
                if kind == "passage":
                    measure = f"search {label}, no watcher"
                    target, ok = f"≤ {TARGET_SEARCH:.1f}× rg (issue 14)", verdict(p / r <= TARGET_SEARCH)
                elif key == "hezbollah":
                    measure = f"search {label}, `passage watch` running"
                    target, ok = f"≤ {TARGET_WATCHED}× tantivy-cli", verdict(p / t <= TARGET_WATCHED)
                else:
                    measure = f"search {label}, `passage watch` running"
                    target, ok = "—", ""
                out.append((measure, fmt_ms(p), fmt_ms(r), fmt_ms(t), fmt_ratio(p, r), fmt_ratio(p, t), target, ok, S))
            return out

        def cite_rows():
            out = []
            for k, what in (("A", "rare words"), ("B", "common words")):
                c = median_ms(d, "cite", f"{k} cite")
                s = median_ms(d, "cite", f"{k} search")
                r = median_ms(d, "cite", f"{k} rg")
                t = median_ms(d, "cite", f"{k} tantivy")
                out.append((
                    f"cite of 10-word quote {k} ({what}); peers: `rg -F`, phrase query",
                    fmt_ms(c), fmt_ms(r), fmt_ms(t), fmt_ratio(c, r), fmt_ratio(c, t),
                    f"cite / search: {c / s:.2f}× (issue 6: ≤ 1.5×)", verdict(c / s <= 1.5), S,
                ))
                out.append((
                    f"search of quote {k}'s words (same run)",
                    fmt_ms(s), fmt_ms(r), fmt_ms(t), fmt_ratio(s, r), fmt_ratio(s, t), "—", "", S,
                ))
            return out

        safe(build_row)
        safe(size_row)
        safe(rss_rows)
        safe(lambda: search_rows("passage"))
        safe(lambda: search_rows("watched"))

    if incr is not None:

        def edit_rows():
            e = median_ms(incr, "edit", "search after an edit")
            n = median_ms(incr, "edit", "search no change")
            r = median_ms(incr, "edit", "rg search")
            runs = runs_of(incr, "edit", "search after an edit")
            slowest = max_ms(incr, "edit", "search after an edit")
            worst = f", slowest {slowest / n:.2f}× (≤ {TARGET_EDIT_MAX:.0f}×)" if slowest is not None else ""
            ok = e / n <= TARGET_EDIT and (slowest is None or slowest / n <= TARGET_EDIT_MAX)
            return [
                (
                    f"one file edited, then a search (`hezbollah`, median of {runs} edits, each in another file)",
                    fmt_ms(e), fmt_ms(r), "— (no incremental update: a full build)", fmt_ratio(e, r), "—",
                    f"≤ {TARGET_EDIT:.0f}× no-change search: {e / n:.2f}×{worst}", verdict(ok), I,
                ),
                ("the same search, nothing changed (same run)", fmt_ms(n), fmt_ms(r), "—", fmt_ratio(n, r), "—", "—", "", I),
            ]

        safe(edit_rows)

    if scale is not None:
        safe(cite_rows)
    return rows


def other_lines(results):
    """One line per script that is not in the table, with its newest file."""
    out = []
    summaries = {
        "cite": lambda d: "cite / search of the same words, bench corpus (medians): "
        + ", ".join(
            f"{k} {median_ms(d, 'wiki', f'{k} cite exact') / median_ms(d, 'wiki', f'{k} search same words'):.2f}×"
            for k in ("A", "B")
        ),
        "typos": lambda d: "typo tolerance on / off, bench corpus (medians): "
        + ", ".join(
            f"`{q}` {median_ms(d, 'wiki', f'{q} typos on') / median_ms(d, 'wiki', f'{q} typos off'):.2f}×"
            for q in ("hezbollah lebanon", "hezbolah lebanon", "Khomeni ideology", "nuclear weap")
        ),
        "compare": lambda d: "single article, passage / rg -i (medians): "
        + ", ".join(
            f"{q} {median_ms(d, 'search', f'passage {q}') / median_ms(d, 'search', f'rg {q}'):.2f}×"
            for q in ("two words: golden counterweight", "common word: war", 'phrase: "civil war"')
        ),
        "meaning": lambda d: (
            lambda f, m: f"dev suite with the model {f['model']} / without, same binary and run: "
            f"P@1 {m['passage']['p_at_1']:.3f} / {m['baseline']['p_at_1']:.3f}, "
            f"MRR@10 {m['passage']['mrr_at_10']:.3f} / {m['baseline']['mrr_at_10']:.3f}, "
            f"search p50 {m['p50_ratio']:.2f}×; full build {f['build_s_model']:.1f} s / {f['build_s_words']:.1f} s, "
            f"index {f['index_bytes_model'] / 1e6:.1f} MB / {f['index_bytes_words'] / 1e6:.1f} MB"
        )(d["figures"], d["figures"]["meaning"]),
        "serve": lambda d: (
            lambda f: f"passage serve, bench corpus copy, {f['clients']} clients for {f['seconds']} s over the dev suite's "
            f"searches, cites and shows, a file edited every second: {f['errors']} errors, {f['stale']} stale answers "
            f"of {f['edits']} edits, p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, {f['requests_per_s']:.0f} requests/s, "
            f"peak RSS {f['peak_rss_mb']:.1f} MB"
            + (
                (
                    f" (the kernel's high-water mark; highest 100 ms sample {f['peak_rss_sampled_mb']:.1f} MB: "
                    if "peak_rss_sampled_mb" in f
                    else " ("
                )
                + f"heap {f['peak_rss_anon_mb']:.1f} MB, mapped files {f['peak_rss_file_mb']:.1f} MB)"
                if "peak_rss_anon_mb" in f
                else ""
            )
            + " (targets: 0, 0, ≤ 5 ms, ≤ 50 ms, ≤ 150 MB)"
            + (
                f"; `passage search hezbollah` through the server {f['fast_path_ms']:.2f} ms, alone {f['alone_ms']:.2f} ms, "
                f"tantivy-cli 0.24 `search -q hezbollah` {f['tantivy_ms']:.2f} ms (medians, one run): "
                f"{f['fast_vs_tantivy']:.2f}× tantivy-cli (target ≤ 0.5×), output "
                + ("the same as alone" if f["fast_path_same"] else "NOT the same as alone")
                if "fast_path_ms" in f
                else ""
            )
        )(d["figures"]),
        "incremental": lambda d: "bench corpus copy, incremental update after a one-paragraph edit / full build "
        f"(medians): {median_ms(d, 'wiki', 'b incremental (one paragraph edited)') / median_ms(d, 'wiki', 'a full build') * 100:.2f} %, "
        f"no-change run: {median_ms(d, 'wiki', 'c no change') / median_ms(d, 'wiki', 'a full build') * 100:.2f} %",
    }
    for script in sorted(results):
        if script in ("scale", "hostile", "relevance", "check", "headings", "growth"):
            continue
        path, d = results[script]
        name = os.path.basename(path)
        try:
            summary = summaries[script](d) if script in summaries else ""
        except Missing as e:
            summary = f"(summary missing: {e})"
        out.append(
            f"* `bench/{script}.sh`, [{name}](bench/results/{name}) "
            f"(`{d['commit_short']}`{', uncommitted changes' if d.get('dirty') else ''}): {summary}"
        )
    return out


def hostile_lines(path, data):
    """The "Hostile inputs" section: bench/hostile.sh's cases against issue 12's targets."""
    name = os.path.basename(path)
    try:
        t = figure(data, "targets")
        cases = figure(data, "cases")
        lines = [
            "## Hostile inputs",
            "",
            f"`bench/hostile.sh` at {machine_line(path, data)}. Each case is one `passage` process on the",
            "bench corpus (or, for the last two, on a generated corpus of tiny paragraphs), timed with GNU",
            f"`time -v`: wall seconds (median of the runs) and peak RSS. Target (issue 12): every case",
            f"≤ {t['seconds']} s and ≤ {t['rss_mb']} MB, with the exit status expected (2 for a refusal);",
            "the cases of issue 21 (ellipses, one huge paragraph, repeated filters, large drafts): ≤ 10 s.",
            "",
            "| case | exit | seconds | peak RSS | runs | target | |",
            "|:---|:---|---:|---:|---:|:---|:---|",
        ]
        for key in cases:
            c = figure(data, f"case.{key}")
            mb = c["rss_kib_median"] * 1024 / 1e6
            exits_ok = all(e in c["expected_exits"] for e in c["exits"])
            target_s = c.get("target_seconds", t["seconds"])
            ok = c["seconds_median"] <= target_s and mb <= t["rss_mb"] and exits_ok
            exits = ",".join(str(e) for e in sorted(set(c["exits"])))
            if not exits_ok:
                exits += f" (expected {'/'.join(str(e) for e in c['expected_exits'])})"
            lines.append(
                f"| {c['what']} | {exits} | {c['seconds_median']:.2f} s | {mb:.1f} MB | {len(c['seconds_runs'])} "
                f"| ≤ {target_s} s, ≤ {t['rss_mb']} MB | {verdict(ok)} |"
            )
        cite = median_ms(data, "cite", "cite of the")
        search = median_ms(data, "cite", "search of the")
        lines.append(
            f"| `cite \"of the\"` / `search '\"of the\"'` (hyperfine medians, {runs_of(data, 'cite', 'cite of the')} runs) "
            f"| | {fmt_ms(cite)} / {fmt_ms(search)} | | | ≤ {t['cite_over_search']}× | "
            f"{cite / search:.2f}× {verdict(cite / search <= t['cite_over_search'])} |"
        )
        idx = [figure(data, f"index.{c}") for c in ("wiki", "tiny")]
        lines += [
            "",
            f"Index builds (once each, not targets): bench corpus {idx[0]['seconds']:.1f} s, "
            f"{fmt_rss(idx[0]['rss_kib'])}; tiny paragraphs {idx[1]['seconds']:.1f} s, {fmt_rss(idx[1]['rss_kib'])} "
            f"(`{idx[1]['summary']}`). Source: [{name}](bench/results/{name}); the cases and what each",
            "showed are in RELIABILITY.md.",
            "",
        ]
        # Older results files have no huge-paragraph builds.
        big = [(c, data["figures"].get(f"index.{c}")) for c in ("tiny", "para10", "para60")]
        if all(b for _, b in big):
            what = {"tiny": "3,000,000 tiny paragraphs", "para10": "one 10 MB paragraph",
                    "para60": "one 60 MB paragraph"}
            lines += [
                f"Peak RSS indexing one file within the 64 MiB limit (issue 20: ≤ {TARGET_RSS_INDEX} MB):",
                "",
                "| file | build | peak RSS | |",
                "|:---|---:|---:|:---|",
            ]
            for c, b in big:
                mb = b["rss_kib"] * 1024 / 1e6
                lines.append(f"| {what[c]} | {b['seconds']:.1f} s | {fmt_rss(b['rss_kib'])} | "
                             f"{verdict(mb <= TARGET_RSS_INDEX)} |")
            lines.append("")
        return lines
    except (Missing, KeyError, TypeError) as e:
        return ["## Hostile inputs", "", f"(not rendered: missing {e} in {name})", ""]


def options(data, run):
    try:
        return data["hyperfine"][run].get("options", "")
    except KeyError:
        return "?"


def relevance_lines(path, data):
    """The dev suite's table: per kind, passage beside the baseline of the same run."""
    rel = figure(data, "relevance")
    now, base = rel["passage"], rel.get("baseline")
    name = os.path.basename(path)
    figures = data.get("figures", {})
    # Older results compared with main before issue 13, asking p50 <= 1.2x.
    note = figures.get("baseline_note", "main before issue 13")
    p50_target = figures.get("p50_target", 1.2)
    no_lower = figures.get("relevance_no_lower", False)
    lines = [
        "## Relevance (issue 13)",
        "",
        f"`bench/relevance.sh` at {machine_line(path, data)}: the dev suite `bench/relevance/dev.jsonl`,",
        f"{now['queries']} known-item queries over {now['articles']} articles of the bench corpus, each with every",
        "equally good answer; a result counts at the rank of the first shown result that is (or lists) an",
        "answer (\"first shown only\": that is an answer itself, not a passage listed under it).",
        f"Baseline: `{figure(data, 'baseline')}` ({note}), same run, alternating",
        f"query by query. Results: [{name}](bench/results/{name}).",
        "",
        "| kind | queries | P@1 | MRR@10 | P@1, first shown only | baseline P@1 | baseline MRR@10 | target | |",
        "|:---|---:|---:|---:|---:|---:|---:|:---|:---|",
    ]
    nan = float("nan")
    for kind, k in now["kinds"].items():
        b = (base["kinds"].get(kind) or {}) if base else {}
        ok = k["p_at_1"] >= 0.75
        lines.append(
            f"| {kind} | {k['n']} | {k['p_at_1']:.3f} | {k['mrr_at_10']:.3f} | "
            f"{k.get('p_at_1_exact', nan):.3f} | "
            f"{b.get('p_at_1', nan):.3f} | {b.get('mrr_at_10', nan):.3f} | "
            f"P@1 ≥ 0.75 | {verdict(ok)} |"
        )
    ok = now["p_at_1"] >= 0.90 and now["mrr_at_10"] >= 0.93
    lines.append(
        f"| **all** | {now['queries']} | **{now['p_at_1']:.3f}** | **{now['mrr_at_10']:.3f}** | "
        f"{now.get('p_at_1_exact', nan):.3f} | "
        f"{base['p_at_1'] if base else float('nan'):.3f} | {base['mrr_at_10'] if base else float('nan'):.3f} | "
        f"P@1 ≥ 0.90, MRR@10 ≥ 0.93 | {verdict(ok)} |"
    )
    if base and no_lower:
        ok = now["p_at_1"] >= base["p_at_1"] and now["mrr_at_10"] >= base["mrr_at_10"]
        lines.append(
            f"| **all**, against the baseline | | {now['p_at_1']:.3f} | {now['mrr_at_10']:.3f} | | "
            f"{base['p_at_1']:.3f} | {base['mrr_at_10']:.3f} | no lower than the baseline | {verdict(ok)} |"
        )
    dup_base = base["duplicate_lists"] if base else "?"
    lines.append(
        f"| top-10 lists showing a text twice | | {now['duplicate_lists']} | | | {dup_base} | | 0 | "
        f"{verdict(now['duplicate_lists'] == 0)} |"
    )
    if base:
        r = rel["p50_ratio"]
        lines.append(
            f"| search p50 over the suite | | {now['p50_ms']:.1f} ms | | | {base['p50_ms']:.1f} ms | | "
            f"≤ {p50_target}× baseline ({r:.2f}×) | {verdict(r <= p50_target)} |"
        )
    return lines + [""]


def check_lines(path, data):
    """The "Checking a draft" section: bench/check.sh against issue 15's target."""
    try:
        check = median_ms(data, "check", "check draft (40 quotations)")
        cite = median_ms(data, "check", "cite one exact quote")
        mis = median_ms(data, "check", "cite one misquote")
        target = figure(data, "target_check_over_cite")
        words = figure(data, "draft.words")
        summary = figure(data, "draft.summary")
    except Missing as e:
        return ["## Checking a draft", "", f"(`bench/check.sh` results incomplete: {e})", ""]
    return [
        "## Checking a draft",
        "",
        f"`bench/check.sh` at {machine_line(path, data)}: `passage check` of a {words:,}-word draft",
        f"with 40 quotations of the bench corpus ({summary['exact']} exact, {summary['misquoted']} misquoted,",
        f"{summary['missing']} missing), against `passage cite` of one of its quotes (hyperfine medians,",
        f"{runs_of(data, 'check', 'check draft (40 quotations)')} runs each, one hyperfine run).",
        "",
        "| Command | median | check / this | target (issue 15) | |",
        "|:---|---:|---:|:---|:---|",
        f"| check, 40 quotations | {fmt_ms(check)} | | | |",
        f"| cite, one exact quote | {fmt_ms(cite)} | {check / cite:.2f}× | ≤ {target}× | {verdict(check / cite <= target)} |",
        f"| cite, one misquote | {fmt_ms(mis)} | {check / mis:.2f}× | | |",
        "",
    ]


def headings_lines(path, data):
    """The long-article target: bench/headings.sh."""
    try:
        rows = []
        for w, what in (("index", "full build"), ("list", "`--list-sections`"), ("update", "update after a one-word edit")):
            f = median_ms(data, "headings", f"few {w}")
            m = median_ms(data, "headings", f"many {w}")
            limit = TARGET_LIST_SECTIONS if w == "list" else 3
            rows.append(f"| {what} | {fmt_ms(f)} | {fmt_ms(m)} | {m / f:.2f}× | ≤ {limit:g}× | {verdict(m / f <= limit)} |")
        few_rss = figure(data, "rss.passage index --full few")["median_kib"]
        many_rss = figure(data, "rss.passage index --full many")["median_kib"]
        size = figure(data, "bytes.many")
    except Missing as e:
        return ["## A long article", "", f"(`bench/headings.sh` results incomplete: {e})", ""]
    return [
        "## A long article",
        "",
        f"`bench/headings.sh` at {machine_line(path, data)}: one file of {size / 1e6:.1f} MB cut into",
        "100,000 `== Heading ==` sections of one paragraph, beside one of the same size with 100 headings",
        f"(hyperfine medians, {runs_of(data, 'headings', 'few index')} runs each, one hyperfine run).",
        "",
        "| | 100 headings | 100,000 headings | ratio | target (issue 20 for the list, 14 for the rest) | |",
        "|:---|---:|---:|---:|:---|:---|",
        *rows,
        f"| peak RSS, full build | {fmt_rss(few_rss)} | {fmt_rss(many_rss)} | | ≤ {TARGET_RSS_INDEX} MB | {verdict(max(few_rss, many_rss) * 1024 / 1e6 <= TARGET_RSS_INDEX)} |",
        "",
    ]


def growth_kind(ratio, scale_ratio):
    """How a figure grows, from its exponent: ratio = scale_ratio ** k."""
    if ratio <= 0 or scale_ratio <= 1:
        return ""
    k = math.log(ratio) / math.log(scale_ratio)
    if k < 0.15:
        what = "flat"
    elif k < 0.75:
        what = "sublinear"
    elif k <= 1.15:
        what = "≈ linear"
    else:
        what = "superlinear"
    return f"{what} (∝ scale^{k:.2f})"


def growth_lines(path, data, chart=None):
    """The "Growth" section: bench/growth.sh's scales, and the largest against the smallest.

    chart: the path of bench/growth.svg as seen from the page (checked to
    exist and to name this results file), or None to leave the image out.
    """
    name = os.path.basename(path)
    try:
        scales = figure(data, "growth.scales")
        g = {s: figure(data, f"growth.{s}x") for s in scales}
        t = figure(data, "growth.targets")
        st = figure(data, "growth.settings")
        lines = [
            "## Growth (issue 20)",
            "",
            f"`bench/growth.sh` at {machine_line(path, data)}.",
            "",
            f"Scales {', '.join(f'{s}×' for s in scales)}: that many copies of the bench corpus (`cp -r`, each under its",
            "own top folder) in a scratch folder, each scale built and searched from scratch. Search p50",
            f"(and p90): the {g[scales[0]]['search']['no_watcher']['queries']} queries of the dev suite, each timed as the median of "
            f"{st['repeat']} runs (their",
            "answers are in the first copy only: this times, it does not judge). Edit → search: a paragraph",
            "appended to one file (another file and copy each time), then the search of its new word, which",
            f"must find it: median / slowest of {st['edits']} edits. Stat walk: `passage index` with nothing changed",
            f"(hyperfine, median of {st['walk_runs']} runs).",
            "",
            "| scale | corpus | full build | index (× corpus) | peak RSS, build | stat walk | search p50 / p90, no watcher "
            "| search p50 / p90, `watch` running | edit → search, no watcher | edit → search, `watch` running | peak RSS, `watch` |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in scales:
            x = g[s]
            sn, sw = x["search"]["no_watcher"], x["search"]["watcher"]
            en, ew = x["edit_search"]["no_watcher"], x["edit_search"]["watcher"]
            lines.append(
                f"| {s}× | {x['corpus_files']:,} files, {fmt_mb_bytes(x['corpus_bytes'])} | {x['build']['wall_s']:.1f} s "
                f"| {fmt_mb_bytes(x['index_bytes'])} ({x['index_ratio']:.2f}×) | {fmt_rss(x['build']['rss_kib'])} "
                f"| {fmt_ms(x['stat_walk']['median_ms'])} | {fmt_ms(sn['p50_ms'])} / {fmt_ms(sn['p90_ms'])} "
                f"| {fmt_ms(sw['p50_ms'])} / {fmt_ms(sw['p90_ms'])} | {fmt_ms(en['median_ms'])} / {fmt_ms(en['max_ms'])} "
                f"| {fmt_ms(ew['median_ms'])} / {fmt_ms(ew['max_ms'])} | {fmt_rss(x['watcher_rss_kib'])} |"
            )
        lines.append("")
        lo, hi = scales[0], scales[-1]
        a, b = g[lo], g[hi]
        k = hi / lo
        if len(scales) > 1:
            meant = lo == 1 and hi == 10
            lines += [
                f"The {hi}× corpus against the {lo}×"
                + ("" if meant else " (the targets are meant for 10× against 1×: shown, not judged)")
                + f"; a stat walk is one `stat` per corpus file, {b['corpus_files'] / a['corpus_files']:.1f}× as many here:",
                "",
                f"| measure | {lo}× | {hi}× | {hi}× / {lo}× | how it grows | target (issue 20) | |",
                "|:---|---:|---:|---:|:---|:---|:---|",
            ]

            def row(measure, va, vb, fmt, target="—", ok=None, note=""):
                r = vb / va
                kind = growth_kind(r, k) + (f"; {note}" if note else "")
                judged = verdict(ok) if (ok is not None and meant) else ""
                lines.append(f"| {measure} | {fmt(va)} | {fmt(vb)} | **{r:.2f}×** | {kind} | {target} | {judged} |")

            sec = lambda v: f"{v:.1f} s"  # noqa: E731
            rb = b["build"]["wall_s"] / a["build"]["wall_s"]
            row("full build, wall time", a["build"]["wall_s"], b["build"]["wall_s"], sec,
                f"≤ {t['build_per_scale'] * k:g}×", rb <= t["build_per_scale"] * k)
            row("full build, CPU (user + sys)", a["build"]["user_s"] + a["build"]["system_s"],
                b["build"]["user_s"] + b["build"]["system_s"], sec)
            row("index size", a["index_bytes"], b["index_bytes"], fmt_mb_bytes,
                f"index ≤ {t['index_over_corpus']}× corpus: {b['index_ratio']:.2f}× at {hi}×",
                max(x["index_ratio"] for x in g.values()) <= t["index_over_corpus"])
            row("peak RSS, full build", a["build"]["rss_kib"], b["build"]["rss_kib"], fmt_rss)
            row("stat walk (`index`, nothing changed)", a["stat_walk"]["median_ms"], b["stat_walk"]["median_ms"],
                fmt_ms, note="**grows with the corpus: one `stat` per file**")
            row("search p50, no watcher", a["search"]["no_watcher"]["p50_ms"], b["search"]["no_watcher"]["p50_ms"],
                fmt_ms, note="**grows with the corpus: each search walks it (the stat walk)**")
            rw = b["search"]["watcher"]["p50_ms"] / a["search"]["watcher"]["p50_ms"]
            row("search p50, `watch` running", a["search"]["watcher"]["p50_ms"], b["search"]["watcher"]["p50_ms"],
                fmt_ms, f"≤ {t['search_watched']}×", rw <= t["search_watched"], note="no walk")
            row("edit → search, no watcher (median)", a["edit_search"]["no_watcher"]["median_ms"],
                b["edit_search"]["no_watcher"]["median_ms"], fmt_ms,
                note="**grows with the corpus: the search walks it before updating**")
            row("edit → search, `watch` running (median)", a["edit_search"]["watcher"]["median_ms"],
                b["edit_search"]["watcher"]["median_ms"], fmt_ms)
            row("peak RSS, `passage watch`", a["watcher_rss_kib"], b["watcher_rss_kib"], fmt_rss)
            lines.append("")
        else:
            lines += [
                f"Only the {lo}× scale was measured: no growth to show. Index size / corpus: "
                f"{a['index_ratio']:.2f}× (target ≤ {t['index_over_corpus']}×, "
                f"{verdict(a['index_ratio'] <= t['index_over_corpus'])}).",
                "",
            ]
        lines += [
            "The stat walk is one `stat` per corpus file, so it grows with the corpus by design; a search",
            "without a watcher does that walk (beside its own work), and so does the search after an edit",
            "before it updates. With `passage watch` running a search skips the walk (see the README).",
            "",
        ]
        if chart is not None:
            try:
                with open(chart, encoding="utf-8") as f:
                    drawn = name in f.read()
            except OSError:
                drawn = None
            lines.append("![growth](bench/growth.svg)")
            if drawn is None:
                lines.append(f"\n(no chart yet: `bench/growth_chart.py bench/results/{name} bench/growth.svg`)")
            elif not drawn:
                lines.append(f"\n(the chart was drawn from another results file: `bench/growth_chart.py bench/results/{name} bench/growth.svg`)")
            lines.append("")
        lines += [f"Source: [{name}](bench/results/{name}).", ""]
        return lines
    except (Missing, KeyError, TypeError, ZeroDivisionError) as e:
        return ["## Growth (issue 20)", "", f"(`bench/growth.sh` results incomplete: {e} in {name})", ""]


def render(results, chart=None):
    scale = results.get("scale", (None, None))
    incr = results.get("incremental", (None, None))
    lines = [
        "# Benchmarks",
        "",
        "<!-- Written by bench/render.py from bench/results/*.json; do not edit by hand. -->",
        "",
        "How fast `passage` is today, on the bench corpus (6,507 Wikipedia articles, 102.5 MB of text;",
        "`../shared/bench/wiki`), beside ripgrep and tantivy-cli **from the same run**. Every figure is",
        "a median of one hyperfine run (or of a few GNU `time -v` runs for memory); the machines are",
        "shared and noisy, so read the **ratios**, not the milliseconds.",
        "",
    ]
    if scale[1] is None and incr[1] is None:
        lines += ["No results yet: run `bench/all.sh`.", ""]
    else:
        lines += ["Measured:", ""]
        if scale[1] is not None:
            lines.append(f"* **S** = `bench/scale.sh` at {machine_line(*scale)}")
            lines.append(f"  ({scale[1]['tools'].get('tantivy', 'tantivy-cli')}; {scale[1]['tools'].get('rg', 'rg')})")
        if incr[1] is not None:
            lines.append(f"* **I** = `bench/incremental.sh` at {machine_line(*incr)}")
        lines += [
            "",
            "| Measure | passage | rg | tantivy-cli 0.24 | passage / rg | passage / tantivy-cli | target (issue 20) | | run |",
            "|:---|---:|---:|---:|---:|---:|:---|:---|:---|",
        ]
        for row in dashboard_rows(scale[1], incr[1]):
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    if "relevance" in results:
        lines += relevance_lines(*results["relevance"])
    if "hostile" in results:
        lines += hostile_lines(*results["hostile"])
    if "check" in results:
        lines += check_lines(*results["check"])
    if "headings" in results:
        lines += headings_lines(*results["headings"])
    if "growth" in results:
        lines += growth_lines(*results["growth"], chart=chart)
    lines += [
        "How to read it:",
        "",
        "* **tantivy-cli is 0.24.0, built on tantivy 0.24**, not on the 0.27 that passage uses. Its index",
        "  holds one document per paragraph (`title`, `section`, `body`, each `TEXT | STORED`); it does",
        "  less per word than passage (no stemming, folding, sections or years) and stores the text,",
        "  which passage does not.",
        "* **Search outputs differ.** passage prints the 10 best passages; `rg -i` prints every matching",
        "  line (`war` also matches inside \"toward\"); `tantivy search` prints every matching paragraph as",
        "  JSON (no top-k), so for `war` and `\"civil war\"` its time is mostly printing. All output goes",
        "  through a pipe (`--output=pipe`): with `/dev/null` as stdout, rg does less work.",
        "* **Without a watcher** every passage search first checks that the index is current (one `stat`",
        "  per corpus file); **with `passage watch` running** it trusts the watcher and skips that.",
        "* **Edit, then search**: before each timed run, a paragraph is appended to another file of a",
        "  copy of the corpus each time; the search finds the file changed and updates the index",
        "  before answering, and the next edit first checks (`search --no-update`) that it did.",
        "  tantivy-cli has no incremental update: an edit costs it a full build (row 1).",
        "* The build and size rows have no rg figure: rg has no index (its \"index\" is the corpus).",
    ]
    if scale[1] is not None:
        lines.append(
            f"* Runs: builds `{options(scale[1], 'build')}`, searches `{options(scale[1], 'search')}`, "
            f"cite `{options(scale[1], 'cite')}` (S)"
            + (f"; edit `{options(incr[1], 'edit')}` (I)" if incr[1] is not None else "")
            + " (hyperfine options beyond `-N --style basic`)."
        )
    lines += [
        "",
        "## Reproduce",
        "",
        "```sh",
        "apt-get install -y hyperfine ripgrep jq time   # and python3, cargo",
        "cargo install tantivy-cli                      # 0.24.0, built on tantivy 0.24",
        "bench/all.sh                                   # every bench/*.sh, then bench/render.py",
        "```",
        "",
        "`bench/all.sh` takes about 20 minutes on 2 cores (5 of them `hostile.sh`)"
        + ("" if "growth" not in results else ", plus about 15 for `growth.sh` (1×, 3×, 10×)")
        + "; to stay near",
        "that it skips `scale.sh`'s subset table, runs `incremental.sh`'s build table 3 times instead of 5, and measures the",
        "peak RSS of one full build per tool instead of 3 (see its header for the knobs). Each",
        "script writes one results file,",
        "`bench/results/<UTC date>T<time>Z-<commit>-<script>.json` (hyperfine's `--export-json` plus",
        "sizes, peak RSS, machine, commit and tool versions), and `bench/render.py` writes this page",
        "from the newest file of each script. Commit both. One script alone: `bench/scale.sh`, then",
        "`bench/render.py`. The scripts share `bench/lib.sh`; each one's header lists its options.",
        "",
        "## History and analyses",
        "",
        "* [bench/results/](bench/results/): every run's results, one JSON file per script and run.",
        "* [docs/benchmark-history.md](docs/benchmark-history.md): the runs, profiles and analyses",
        "  of issues 2–6, as they were appended here before this page became a dashboard.",
        "* [docs/SCALING.md](docs/SCALING.md): what the figures mean for a larger corpus.",
        "",
    ]
    other = other_lines(results)
    if other:
        lines += ["Newest results of the other scripts:", ""] + other + [""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default=os.path.join(REPO, "bench", "results"))
    ap.add_argument("--out", default=os.path.join(REPO, "BENCHMARKS.md"))
    ap.add_argument("--check", action="store_true", help="exit 1 if --out is not up to date")
    ap.add_argument("--growth", metavar="FILE", help="print only the Growth section of this growth results file")
    args = ap.parse_args()
    if args.growth:
        with open(args.growth, encoding="utf-8") as f:
            data = json.load(f)
        print("\n".join(growth_lines(args.growth, data)))
        return
    if not os.path.isdir(args.results):
        die(f"no results folder {args.results}")
    text = render(load(args.results), chart=os.path.join(os.path.dirname(os.path.abspath(args.out)), "bench", "growth.svg"))
    if args.check:
        try:
            with open(args.out, encoding="utf-8") as f:
                current = f.read()
        except OSError as e:
            die(f"{e}")
        if current != text:
            print(f"render.py: {args.out} is not what bench/render.py writes; rerun it", file=sys.stderr)
            sys.exit(1)
        return
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"render.py: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draw bench/growth.svg from a bench/growth.sh results file.

Usage:
    bench/growth_chart.py RESULTS.json OUT.svg

Two panels, log-log: x is the corpus scale (1x, 3x, 10x copies of the bench
corpus), y each measure's ratio to its figure at the smallest scale. The
dashed line is linear growth (y = x), the dotted one no growth (y = 1).
Left: what is expected to grow with the corpus (the build, the index, the
stat walk and the searches that include it); right: what should stay flat
(searches with `passage watch` running, the watcher's memory).

Python 3 standard library only (hand-written SVG), so that the bench needs
nothing beyond what bench/render.py needs. Called by bench/growth.sh after
it wrote its results file; run it again by hand to redraw.
"""

import json
import math
import os
import sys
from xml.sax.saxutils import escape

# (label, getter) per series; the colours are Okabe & Ito's (colour-blind safe).
GROWING = [
    ("full build, wall time", lambda g: g["build"]["wall_s"]),
    ("index size (du -sb)", lambda g: g["index_bytes"]),
    ("peak RSS, full build", lambda g: g["build"]["rss_kib"]),
    ("stat walk (index, no change)", lambda g: g["stat_walk"]["median_ms"]),
    ("search p50, no watcher", lambda g: g["search"]["no_watcher"]["p50_ms"]),
    ("edit → search, no watcher", lambda g: g["edit_search"]["no_watcher"]["median_ms"]),
]
FLAT = [
    ("search p50, watch running", lambda g: g["search"]["watcher"]["p50_ms"]),
    ("edit → search, watch running", lambda g: g["edit_search"]["watcher"]["median_ms"]),
    ("peak RSS of passage watch", lambda g: g["watcher_rss_kib"]),
]
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square"]

PW, PH = 380, 270  # plot area of one panel
TOP = 70
LEGEND_ROW = 18
W = 980
H = TOP + PH + 58 + LEGEND_ROW * max(len(GROWING), len(FLAT)) + 22  # whole picture


def scales_of(data):
    fig = data["figures"]
    return [(s, fig[f"growth.{s}x"]) for s in fig["growth.scales"]]


def ticks(lo, hi):
    """1-2-5 ticks within [lo, hi]."""
    out = []
    e = math.floor(math.log10(lo)) - 1
    while 10**e <= hi * 10:
        for m in (1, 2, 5):
            v = m * 10**e
            if lo * 0.999 <= v <= hi * 1.001:
                out.append(v)
        e += 1
    return out


def fmt_tick(v):
    return f"{v:g}×"


def marker(kind, x, y, colour):
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f},{y - 5.5:.1f} L{x + 5.5:.1f},{y:.1f} L{x:.1f},{y + 5.5:.1f} L{x - 5.5:.1f},{y:.1f} Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.2" fill="{colour}"/>'


def panel(x0, title, series, points, xlo, xhi, ylo, yhi):
    """One log-log panel with its plot area's left edge at x0."""
    out = []

    def px(v):
        return x0 + (math.log(v) - math.log(xlo)) / (math.log(xhi) - math.log(xlo)) * PW

    def py(v):
        return TOP + PH - (math.log(v) - math.log(ylo)) / (math.log(yhi) - math.log(ylo)) * PH

    out.append(f'<text x="{x0 + PW / 2}" y="{TOP - 12}" text-anchor="middle" font-weight="bold">{escape(title)}</text>')
    out.append(f'<rect x="{x0}" y="{TOP}" width="{PW}" height="{PH}" fill="#fafafa" stroke="#999"/>')
    for v in ticks(ylo, yhi):
        y = py(v)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PW}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#444">{fmt_tick(v)}</text>')
    xt = sorted(set([s for s, _ in points] + [xlo, xhi]))
    for v in xt:
        x = px(v)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + PH}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + PH + 16}" text-anchor="middle" fill="#444">{v:g}×</text>')
    out.append(f'<text x="{x0 + PW / 2}" y="{TOP + PH + 34}" text-anchor="middle" fill="#444">corpus scale (copies of the bench corpus)</text>')
    # Reference lines (named in the legend line at the bottom): linear growth
    # y = x / xlo, and no growth y = 1.
    out.append(
        f'<line x1="{px(xlo):.1f}" y1="{py(1):.1f}" x2="{px(xhi):.1f}" y2="{py(xhi / xlo):.1f}" '
        'stroke="#555" stroke-width="1.5" stroke-dasharray="7,5"/>'
    )
    out.append(f'<line x1="{px(xlo):.1f}" y1="{py(1):.1f}" x2="{px(xhi):.1f}" y2="{py(1):.1f}" stroke="#555" stroke-dasharray="2,4"/>')
    legend_y = TOP + PH + 58
    for i, (label, get) in enumerate(series):
        colour, mk = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]
        try:
            base = get(points[0][1])
            vals = [(s, get(g) / base) for s, g in points]
        except (KeyError, TypeError, ZeroDivisionError):
            vals = []
        if len(vals) > 1:
            path = " ".join(f"{'M' if j == 0 else 'L'}{px(s):.1f},{py(r):.1f}" for j, (s, r) in enumerate(vals))
            out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for s, r in vals:
            out.append(marker(mk, px(s), py(r), colour))
        # Legend: one line per series under the panel, with its last ratio.
        lx = x0 - 30
        ly = legend_y + i * LEGEND_ROW
        last = f" — {vals[-1][1]:.2f}× at {vals[-1][0]:g}×" if len(vals) > 1 else ("" if vals else " (no data)")
        out.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 18}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>')
        out.append(marker(mk, lx + 9, ly - 4, colour))
        out.append(f'<text x="{lx + 24}" y="{ly}" font-size="11">{escape(label + last)}</text>')
    return out


def svg(data, source_name):
    points = scales_of(data)
    if not points:
        raise ValueError("no scales in the results file")
    xlo = points[0][0]
    xhi = points[-1][0] if len(points) > 1 else xlo * 10
    ratios = [1.0, xhi / xlo]
    for _, get in GROWING + FLAT:
        try:
            base = get(points[0][1])
            ratios += [get(g) / base for _, g in points]
        except (KeyError, TypeError, ZeroDivisionError):
            pass
    ratios = [r for r in ratios if r > 0]
    ylo = min(0.5, min(ratios) / 1.3)
    yhi = max(ratios) * 1.3
    scales = ", ".join(f"{s:g}×" for s, _ in points)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f"<title>passage growth: {escape(source_name)}</title>",
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">'
        f"How passage's costs grow with the corpus (ratio to the {xlo:g}× figure, log-log)</text>",
        f'<text x="{W / 2}" y="40" text-anchor="middle" fill="#555" font-size="11">'
        f"bench/growth.sh, scales {escape(scales)}; commit {escape(data.get('commit_short', '?'))}, "
        f"{escape(data.get('date', '?'))}; source {escape(source_name)}</text>",
    ]
    body = panel(70, "Grows with the corpus (stat walk: one stat per file)", GROWING, points, xlo, xhi, ylo, yhi)
    body += panel(70 + PW + 110, "Should stay flat (passage watch running)", FLAT, points, xlo, xhi, ylo, yhi)
    y = H - 12
    foot = [
        f'<line x1="{W / 2 - 250}" y1="{y - 4}" x2="{W / 2 - 222}" y2="{y - 4}" stroke="#555" stroke-width="1.5" stroke-dasharray="7,5"/>',
        f'<text x="{W / 2 - 216}" y="{y}" font-size="11" fill="#333">linear growth (y = x)</text>',
        f'<line x1="{W / 2 - 60}" y1="{y - 4}" x2="{W / 2 - 32}" y2="{y - 4}" stroke="#555" stroke-dasharray="2,4"/>',
        f'<text x="{W / 2 - 26}" y="{y}" font-size="11" fill="#333">no growth (y = 1)</text>',
        f'<text x="{W / 2 + 100}" y="{y}" font-size="11" fill="#333">ratio = figure at N× / figure at {xlo:g}×</text>',
    ]
    return "\n".join(head + body + foot + ["</svg>", ""])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().split("\n\n")[1])
    path, out = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("script") != "growth":
        sys.exit(f"growth_chart.py: {path} is not a bench/growth.sh results file")
    text = svg(data, os.path.basename(path))
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"growth_chart.py: wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

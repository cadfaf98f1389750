"""Plot the scale series of benches/peers.sh as one SVG (standard library only).

    plot.py RESULTS.tsv OUT.svg

RESULTS.tsv: one measurement a line, tab-separated:
    scale  mb  tool  metric  value
metric is one of build_s, peak_mb, startup_ms, phrase_ms, ranked_ms, add_ms
(wall time), startup_cpu_ms, add_cpu_ms (CPU time: user + sys, summed over
threads; steadier than wall time on a shared machine) (phrase_ms and
ranked_ms: the median over the queries of each query's median). One panel per metric, cost against corpus size, log-log, one line
per tool: a line parallel to the grid's diagonal grows linearly with the
corpus, a flat one does not grow.
"""
import csv
import math
import statistics
import sys
from collections import defaultdict

METRICS = [
    ("build_s", "index build (s)"),
    ("peak_mb", "peak memory of the build (MB)"),
    ("startup_ms", "start-up: absent phrase (ms)"),
    ("phrase_ms", "phrase search, end to end (ms)"),
    ("ranked_ms", "ranked search, end to end (ms)"),
    ("add_ms", "add one document (ms)"),
    ("startup_cpu_ms", "start-up, CPU time (ms)"),
    ("add_cpu_ms", "add one document, CPU time (ms)"),
]
COLOURS = {
    "policy-diff": "#d62728",
    "policy-diff (base)": "#ff9896",
    "SQLite FTS5 trigram": "#1f77b4",
    "rg": "#2ca02c",
    "jieba + Whoosh": "#9467bd",
}
W, H, PAD_L, PAD_B, PAD_T, PAD_R = 360, 250, 55, 40, 28, 12


def load(path):
    data = defaultdict(lambda: defaultdict(dict))  # metric -> tool -> mb -> [values]
    with open(path, encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) != 5 or row[0] == "scale":
                continue
            _, mb, tool, metric, value = row
            data[metric][tool].setdefault(float(mb), []).append(float(value))
    return data


def ticks(lo, hi):
    out = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo / 1.0001 <= v <= hi * 1.0001:
                out.append(v)
        e += 1
    return out or [lo, hi]


def fmt(v):
    return f"{v:g}" if v < 10000 else f"{v:.0e}"


def panel(x0, y0, title, series):
    pts = [(x, y) for s in series.values() for x, y in s if y > 0]
    out = [f'<g transform="translate({x0},{y0})">',
           f'<text x="{W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{title}</text>']
    if not pts:
        out.append(f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" font-size="11">no data</text></g>')
        return "\n".join(out)
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    xlo, xhi = min(xs) / 1.3, max(xs) * 1.3
    ylo, yhi = min(ys) / 1.5, max(ys) * 1.5
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def sx(x):
        return PAD_L + pw * (math.log(x) - math.log(xlo)) / (math.log(xhi) - math.log(xlo))

    def sy(y):
        return PAD_T + ph * (1 - (math.log(y) - math.log(ylo)) / (math.log(yhi) - math.log(ylo)))

    out.append(f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    for t in ticks(ylo, yhi):
        out.append(f'<line x1="{PAD_L}" x2="{PAD_L + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{PAD_L - 4}" y="{sy(t) + 4:.1f}" text-anchor="end" font-size="10">{fmt(t)}</text>')
    for t in sorted(set(xs)):
        out.append(f'<line y1="{PAD_T}" y2="{PAD_T + ph}" x1="{sx(t):.1f}" x2="{sx(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{sx(t):.1f}" y="{PAD_T + ph + 14}" text-anchor="middle" font-size="10">{t:g}</text>')
    out.append(f'<text x="{PAD_L + pw / 2}" y="{H - 6}" text-anchor="middle" font-size="10">corpus size (MB, log)</text>')
    for i, (tool, s) in enumerate(sorted(series.items())):
        s = sorted((x, y) for x, y in s if y > 0)
        colour = COLOURS.get(tool, "#7f7f7f")
        path = " ".join(f"{'M' if j == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for j, (x, y) in enumerate(s))
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in s:
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}"><title>{tool}: {y:g} at {x:g} MB</title></circle>')
    out.append("</g>")
    return "\n".join(out)


def main():
    data = load(sys.argv[1])
    tools = sorted({t for m in data.values() for t in m})
    cols = 3
    rows = math.ceil(len(METRICS) / cols)
    legend_h = 24
    width, height = cols * W, rows * H + legend_h
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for k, (metric, title) in enumerate(METRICS):
        series = {tool: [(mb, statistics.median(v)) for mb, v in by_mb.items()]
                  for tool, by_mb in data.get(metric, {}).items()}
        parts.append(panel((k % cols) * W, (k // cols) * H, title, series))
    x = 10
    for tool in tools:
        colour = COLOURS.get(tool, "#7f7f7f")
        parts.append(f'<rect x="{x}" y="{rows * H + 8}" width="14" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{x + 18}" y="{rows * H + 15}" font-size="12">{tool}</text>')
        x += 30 + 7 * len(tool)
    parts.append("</svg>")
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()

"""Turns target/bench/results.jsonl (and soak.jsonl) into report.md and SVG charts."""
import json
import os
import platform
import subprocess
import sys

out, charts = sys.argv[1], sys.argv[2]
os.makedirs(charts, exist_ok=True)
rows = [json.loads(line) for line in open(os.path.join(out, "results.jsonl")) if line.strip()]
by_name = {r["name"]: r for r in rows}


def bar_chart(path, title, items, unit):
    """A horizontal bar chart as SVG: items = [(label, value)]."""
    width, left, bar, gap = 720, 210, 26, 10
    height = 50 + len(items) * (bar + gap)
    top = max(v for _, v in items) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="13">',
             f'<text x="10" y="22" font-size="15" font-weight="bold">{title}</text>']
    for i, (label, value) in enumerate(items):
        y = 40 + i * (bar + gap)
        w = (width - left - 110) * value / top
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="#1f883d"/>')
        shown = f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 18}">{shown} {unit}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def line_chart(path, title, points, xlabel, ylabel):
    """A line chart as SVG: points = [(x, y)], x on a log scale when it spans decades."""
    import math
    width, height, pad = 720, 320, 60
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    logx = max(xs) / max(min(xs), 1) >= 100
    fx = (lambda x: math.log10(max(x, 1))) if logx else (lambda x: x)
    x0, x1 = fx(min(xs)), fx(max(xs)) or 1
    y1 = max(ys) * 1.15 or 1
    def px(x):
        return pad + (width - 2 * pad) * ((fx(x) - x0) / ((x1 - x0) or 1))
    def py(y):
        return height - pad - (height - 2 * pad) * (y / y1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="13">',
             f'<text x="10" y="22" font-size="15" font-weight="bold">{title}</text>',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#888"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#888"/>',
             f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">{xlabel}</text>',
             f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" text-anchor="middle">{ylabel}</text>']
    path_d = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(points))
    parts.append(f'<path d="{path_d}" fill="none" stroke="#1f883d" stroke-width="2"/>')
    for x, y in points:
        parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="#1f883d"/>')
        parts.append(f'<text x="{px(x):.1f}" y="{py(y) - 8:.1f}" text-anchor="middle">{y:,.2f}</text>')
        parts.append(f'<text x="{px(x):.1f}" y="{height - pad + 18}" text-anchor="middle">{x:,}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


lines = ["| run | requests/s | p50 ms | p99 ms | non-2xx | server RSS MiB |", "|---|---:|---:|---:|---:|---:|"]
for r in rows:
    res = r["result"]
    lines.append(f'| {r["name"]} | {res["rps"]:,.0f} | {res["p50_ms"]:.2f} | {res["p99_ms"]:.2f} | '
                 f'{res["non2xx"] + res["socket_errors"]} | {r["rss_kib"] / 1024:.1f} |')
report = [f"Machine: {os.cpu_count()} cores, {cpu()}; kernel {platform.release()}.", ""] + lines
if "ping" in by_name and "me" in by_name:
    ratio = by_name["me"]["result"]["rps"] / by_name["ping"]["result"]["rps"]
    report += ["", f"Protected / unprotected (`/api/me` / `/api/ping`): **{ratio:.2f}×**."]
main = [(n, by_name[n]["result"]["rps"]) for n in
        ["ping", "me", "token_client_credentials", "code_exchange", "refresh", "introspection"] if n in by_name]
if main:
    bar_chart(os.path.join(charts, "requests_per_second.svg"), "Requests per second (2 cores, SQLite)", main, "req/s")
scale = [(int(n.split("_")[-1]), by_name[n]) for n in by_name if n.startswith("me_at_")]
if scale:
    scale.sort()
    line_chart(os.path.join(charts, "p99_vs_tokens.svg"), "GET /api/me p99 latency vs live tokens",
               [(n, r["result"]["p99_ms"]) for n, r in scale], "live tokens", "p99 ms")
    line_chart(os.path.join(charts, "rss_vs_tokens.svg"), "Server RSS vs live tokens",
               [(n, r["rss_kib"] / 1024) for n, r in scale], "live tokens", "RSS MiB")
    first, last = scale[0][1]["result"]["p99_ms"], scale[-1][1]["result"]["p99_ms"]
    report += ["", f"p99 at {scale[-1][0]:,} tokens / p99 at {scale[0][0]:,}: **{last / first:.2f}×**."]
growth = sorted({n.split("_")[1] for n in by_name if n.startswith("growth_")},
                key=["validation", "issuance", "exchange", "refresh", "introspection"].index)
if growth:
    report += ["", "| endpoint | p50 ms at 10³ | p99 ms at 10³ | p50 ms at 10⁶ | p99 ms at 10⁶ | p99 growth "
               "| req/s at 10³ | req/s at 10⁶ | RSS MiB at 10⁶ |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    bars = []
    for endpoint in growth:
        small = by_name.get(f"growth_{endpoint}_1000")
        large = by_name.get(f"growth_{endpoint}_1000000")
        if not small or not large:
            continue
        a, b = small["result"], large["result"]
        report.append(f'| {endpoint} | {a["p50_ms"]:.2f} | {a["p99_ms"]:.2f} | {b["p50_ms"]:.2f} | '
                      f'{b["p99_ms"]:.2f} | {b["p99_ms"] / a["p99_ms"]:.2f}× | {a["rps"]:,.0f} | '
                      f'{b["rps"]:,.0f} | {large["rss_kib"] / 1024:.1f} |')
        bars += [(f"{endpoint} at 10³", a["p99_ms"]), (f"{endpoint} at 10⁶", b["p99_ms"])]
    if bars:
        bar_chart(os.path.join(charts, "p99_growth.svg"), "p99 latency at 10³ and 10⁶ stored tokens (ms)",
                  bars, "ms")
soak_path = os.path.join(out, "soak.jsonl")
if os.path.exists(soak_path):
    soak = [json.loads(l) for l in open(soak_path) if l.strip()]
    if soak:
        line_chart(os.path.join(charts, "soak_rss.svg"), "RSS during a 10-minute soak",
                   [(s["t"], s["rss_kib"] / 1024) for s in soak], "seconds", "RSS MiB")
        report += ["", f"Soak: RSS {soak[0]['rss_kib'] / 1024:.1f} MiB at start, "
                       f"{max(s['rss_kib'] for s in soak) / 1024:.1f} MiB max, {soak[-1]['rss_kib'] / 1024:.1f} MiB at end."]
with open(os.path.join(out, "report.md"), "w") as f:
    f.write("\n".join(report) + "\n")
print("\n".join(report))

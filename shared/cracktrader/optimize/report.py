"""A search's results as files a person opens: `results.json` (everything), `trials.csv` (the
table), `report.html` (the best, the overfitting report, the table, the charts) and PNG charts
(pip `matplotlib`, imported only here; without it the page says so and shows the tables).

The heatmap shows the objective over two parameters; where other parameters vary, each cell
shows the best trial among them (what a search would pick there).
"""

import csv
import html
import math
from pathlib import Path


def write(result, folder, charts=True):
    """Write the files into `folder`; returns {name: path}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "results.json", "csv": folder / "trials.csv", "html": folder / "report.html"}
    paths["json"].write_text(result.to_json(indent=1))
    write_csv(result.table(), paths["csv"])
    images = draw(result, folder) if charts else {}
    paths.update(images)
    paths["html"].write_text(page(result, {k: v.name for k, v in images.items()}, charts))
    return paths


def write_csv(rows, path):
    names = []
    for row in rows:
        names.extend(k for k in row if k not in names)
    with open(path, "w", newline="") as f:
        out = csv.DictWriter(f, names)
        out.writeheader()
        out.writerows(rows)


# --- charts ---------------------------------------------------------------------------------
def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def heatmap_cells(result, x, y):
    """{(x value, y value): best score there} and the sorted values of each axis."""
    cells = {}
    for r in result.trials:
        if r["status"] != "ok" or x not in r["params"] or y not in r["params"]:
            continue
        score = result.objective.score(r["objective"])
        key = (r["params"][x], r["params"][y])
        if score is not None and (key not in cells or score > cells[key]):
            cells[key] = score
    xs = sorted({k[0] for k in cells}, key=_order)
    ys = sorted({k[1] for k in cells}, key=_order)
    return cells, xs, ys


def _order(v):
    return (0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v))


def draw(result, folder, heatmap=None):
    """heatmap.png (objective over two parameters) and equity.png (the best run); {} without matplotlib."""
    plt = _pyplot()
    if plt is None:
        return {}
    out = {}
    names = result.space.names
    sign = result.objective.terms[0].sign
    if len(names) >= 2 and not result.objective.multi:
        x, y = heatmap or names[:2]
        cells, xs, ys = heatmap_cells(result, x, y)
        if cells:
            grid = [[(sign * cells[(a, b)]) if (a, b) in cells else math.nan for a in xs] for b in ys]
            fig, ax = plt.subplots(figsize=(max(5, 0.5 * len(xs) + 2), max(4, 0.4 * len(ys) + 1.5)))
            im = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis" if sign > 0 else "viridis_r")
            ax.set_xticks(range(len(xs)), [str(v) for v in xs], rotation=90 if len(xs) > 12 else 0)
            ax.set_yticks(range(len(ys)), [str(v) for v in ys])
            ax.set_xlabel(x)
            ax.set_ylabel(y)
            fig.colorbar(im, ax=ax, label=result.objective.names[0])
            if result.best is not None:
                bx, by = result.best["params"][x], result.best["params"][y]
                ax.plot(xs.index(bx), ys.index(by), marker="*", color="red", markersize=14)
            ax.set_title(f"{result.objective.names[0]} over {x} x {y}")
            fig.tight_layout()
            out["heatmap"] = folder / "heatmap.png"
            fig.savefig(out["heatmap"], dpi=100)
            plt.close(fig)
    elif result.objective.multi and len(result.objective.terms) == 2:
        out.update(_pareto_chart(plt, result, folder))
    best = result.best_result() if result.best is not None else None
    if best is not None and len(best.equity):
        out["equity"] = equity_chart(plt, [(best.times, best.equity, f"best: {_params(result.best_params)}")],
                                     folder / "equity.png", "Equity of the best trial")
    return out


def _pareto_chart(plt, result, folder):
    a, b = result.objective.names
    front = {r["trial"] for r in result.pareto}
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for on in (False, True):
        pts = [r["objective"] for r in result.trials if r["status"] == "ok" and (r["trial"] in front) == on]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14 if not on else 30,
                       color="tab:red" if on else "tab:gray", label="Pareto front" if on else "trials")
    ax.set_xlabel(a)
    ax.set_ylabel(b)
    ax.legend()
    fig.tight_layout()
    path = folder / "pareto.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return {"pareto": path}


def equity_chart(plt, curves, path, title, spans=()):
    """Equity curves [(times ms, values, label)] in one chart; `spans` [(start ms, end ms)] shaded."""
    from datetime import datetime, timezone

    fig, ax = plt.subplots(figsize=(9, 4))
    for k, (start, end) in enumerate(spans):
        ax.axvspan(*(datetime.fromtimestamp(t / 1000, timezone.utc) for t in (start, end)),
                   color="tab:blue" if k % 2 else "tab:orange", alpha=0.08)
    for times, values, label in curves:
        step = max(1, len(times) // 4000)  # a few thousand points draw the same picture
        ax.plot([datetime.fromtimestamp(t / 1000, timezone.utc) for t in times[::step]], list(values[::step]),
                label=label, linewidth=1)
    ax.set_title(title)
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    if len(curves) > 1 or curves and curves[0][2]:
        ax.legend(fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _params(params):
    return ", ".join(f"{k}={v}" for k, v in (params or {}).items())


# --- the page -------------------------------------------------------------------------------
STYLE = """body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f4f4f4;position:sticky;top:0}
tr.best td{background:#fff3c4}.bad td{color:#999}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}.note{color:#666}"""


def _fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return html.escape(str(v))


def overfitting_rows(report):
    """(label, value, what it means) rows of the overfitting report, for pages and terminals."""
    plateau = report.get("plateau") or {}
    detail = report.get("pbo_detail") or {}
    return [
        ("PBO", report.get("pbo"), f"probability the best in-sample is below the median out-of-sample "
                                   f"(CSCV, S={detail.get('blocks', '?')}, {detail.get('splits', '?')} splits)"),
        ("DSR", report.get("dsr"), f"probability the best's Sharpe beats the best of {report.get('trials')} skill-less trials"),
        ("PSR", report.get("psr"), "probability the best's true Sharpe ratio is above 0"),
        ("MinBTL (years)", report.get("min_btl_years"), f"backtest length needed for this many trials "
                                                         f"(this one: {_fmt(report.get('years'))} years)"),
        ("plateau", plateau.get("score"), f"the best's {plateau.get('neighbours', 0)} neighbours' mean percentile (1 = as good)"),
        ("skewness / kurtosis", f"{_fmt(report.get('skewness'))} / {_fmt(report.get('kurtosis'))}",
         "of the best's per-bar returns (kurtosis raw: 3 = normal)"),
    ]


def page(result, images, charts=True):
    doc = result.to_dict()
    best = result.best
    parts = [f"<!doctype html><meta charset=utf-8><title>{html.escape(doc['strategy'])}: {html.escape(result.method)} search</title>",
             '<link rel="icon" href="data:,">', f"<style>{STYLE}</style>",
             f"<h1>{html.escape(doc['strategy'])}: {html.escape(result.method)} search, {len(result.trials)} trials</h1>",
             f"<p>objective: {html.escape(', '.join(f'{t.direction} {t.name}' for t in result.objective.terms))}; "
             f"executor: {html.escape(str(doc['executor']))}; engine: {html.escape(', '.join(doc['engines']) or 'none')}"
             f"{'; <b>interrupted</b>: the finished trials only' if result.interrupted else ''}</p>"]
    if best is not None:
        parts.append(f"<h2>Best: trial {best['trial']}</h2><p>{html.escape(_params(result.best_params))}: "
                     f"{html.escape(result.objective.names[0])} = {_fmt(best['objective'][0])}</p>")
    elif result.objective.multi:
        parts.append(f"<h2>Pareto front: {len(result.pareto)} trials</h2>")
    else:
        parts.append("<h2>No trial succeeded</h2>")
    parts.append("<h2>Overfitting</h2><dl>" + "".join(
        f"<dt>{label}</dt><dd>{_fmt(value)} <span class=note>{html.escape(note)}</span></dd>"
        for label, value, note in overfitting_rows(result.overfitting)) + "</dl>")
    for name in ("heatmap", "pareto", "equity"):
        if name in images:
            parts.append(f'<img src="{images[name]}" alt="{name}">')
    if charts and not images:
        parts.append("<p class=note>Charts need matplotlib (pip install matplotlib).</p>")
    rows = result.table()
    names = []
    for row in rows:
        names.extend(k for k in row if k not in names and k != "reason")
    names.append("reason")
    front = {r["trial"] for r in result.pareto} if result.objective.multi else set()
    parts.append("<h2>Trials</h2><table><tr>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>")
    for row in rows:
        cls = "best" if (best is not None and row["trial"] == best["trial"]) or row["trial"] in front else (
            "bad" if row["status"] != "ok" else "")
        parts.append(f"<tr class='{cls}'>" + "".join(f"<td>{_fmt(row.get(n))}</td>" for n in names) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def page_walk_forward(wf, image):
    """The walk-forward page: the stitched out-of-sample figures, the folds chart and table."""
    from datetime import datetime, timezone

    def day(ms):
        return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M")

    s = wf.stats or {}
    parts = [f"<!doctype html><meta charset=utf-8><title>{html.escape(wf.job.strategy.__name__)}: walk-forward</title>",
             '<link rel="icon" href="data:,">', f"<style>{STYLE}</style>",
             f"<h1>{html.escape(wf.job.strategy.__name__)}: walk-forward, {len(wf.folds)} folds</h1>",
             f"<p>{html.escape(', '.join(f'{k} {v}' for k, v in wf.options.items()))}; search: {html.escape(wf.method)}; "
             f"objective: {html.escape(', '.join(wf.job.objective.describe()))}"
             f"{'; <b>interrupted</b>' if wf.interrupted else ''}</p>",
             "<h2>Out of sample, stitched</h2><dl>"]
    for key in ("total_return", "cagr", "sharpe", "max_drawdown", "trades", "win_rate"):
        parts.append(f"<dt>{key}</dt><dd>{_fmt(s.get(key))}</dd>")
    parts.append(f"<dt>walk-forward efficiency</dt><dd>{_fmt(wf.efficiency)} <span class=note>annualized out-of-sample "
                 "return / annualized in-sample return</span></dd></dl>")
    if image:
        parts.append(f'<img src="{image}" alt="folds">')
    rows = wf.table()
    names = []
    for row in rows:
        names.extend(k for k in row if k not in names)
    parts.append("<h2>Folds</h2><table><tr>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>")
    for row in rows:
        cells = [day(row[n]) if n.endswith(("_start", "_end")) else _fmt(row.get(n)) for n in names]
        parts.append(f"<tr class='{'bad' if row.get('reason') else ''}'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)

// The results column: the chart, and the tabs — stats, trades (with the position still open at
// the end), the performance summary, the log, the runs compared — and the downloads.
import { applyTheme, drawResult } from "../charts.js";
import { $, download } from "../dom.js";
import { client } from "../python.js";
import { state } from "../state.js";
import { renderLog, renderStats, renderSummary, renderTrades, tradesCsv } from "../tables.js";
import { showCompare } from "./compare.js";

const TABS = { trades: showTrades, compare: showCompare };

export function initResults() {
  const buttons = [...document.querySelectorAll(".tabs [role=tab]")];
  const open = (button) => {
    for (const b of buttons) {
      b.classList.toggle("active", b === button);
      b.setAttribute("aria-selected", String(b === button));
      b.tabIndex = b === button ? 0 : -1;
    }
    for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${button.dataset.tab}`;
    TABS[button.dataset.tab]?.();
  };
  for (const [i, button] of buttons.entries()) {
    button.addEventListener("click", () => open(button));
    button.addEventListener("keydown", (e) => { // arrows move between tabs (the ARIA tabs pattern)
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = buttons[(i + step + buttons.length) % buttons.length];
      next.focus();
      open(next);
    });
  }
  $("download-json").addEventListener("click", async () => download(fileName("result.json"), await lastJson(), "application/json"));
  $("download-csv").addEventListener("click", () => {
    const market = state.site.markets?.find((m) => m.id === state.last.settings?.market_rules) ?? null;
    download(fileName("trades.csv"), tradesCsv(allTrades(state.last), market), "text/csv");
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", applyTheme);
}

const allTrades = (out) => [...out.trades, ...(out.open_trades ?? [])];

// "SmaCross-demo-2023-01-01_2025-12-31-trades.csv": the strategy, the data and its dates.
function fileName(what) {
  const out = state.last;
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const times = out.arrays.equity_time;
  const dates = times.length ? `${day(times[0])}_${day(times[times.length - 1])}` : "empty";
  const safe = (text) => String(text).replace(/\.(csv|txt|parquet)$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-");
  return [safe(out.strategy ?? "strategy"), safe(out.dataLabel ?? "data"), dates, what].join("-");
}

// The chart's points are made in tasks of their own (charts.js); its series and the tables are
// then set in one task, so that one frame paints them (each frame after a change repaints the
// chart). The trades table is built when its tab is first shown.
export async function showResult(out) {
  state.last = out;
  $("right").classList.remove("stale");
  const note = $("chart-note");
  state.chart = await drawResult($("chart"), out, {
    onGroups: (k) => {
      note.textContent = k > 1 ? `Chart shows ${k}-bar groups (${out.bars.toLocaleString()} bars): zoom in for finer ones.` : "";
      note.dataset.groups = k;
    },
  });
  // the result's engine (event or vectorized) is shown with the stats
  renderStats($("stats"), [{ label: "", stats: { ...out.stats, engine: out.engine } }]);
  const open = out.open_trades?.length ?? 0;
  $("trade-count").textContent = `(${out.trades.length}${open ? ` + ${open} open` : ""})`;
  renderSummary($("summary"), out.summary);
  renderLog($("log"), out.log ?? []);
  $("log-count").textContent = out.log?.length ? `(${out.log.length.toLocaleString()})` : "";
  state.tradesShown = null;
  if (!$("tab-trades").hidden) showTrades();
  $("download-json").disabled = false;
  $("download-csv").disabled = false;
}

// The log of a failed run (what the strategy printed before the error).
export function showFailedLog(log) {
  renderLog($("log"), log);
  $("log-count").textContent = `(${log.length.toLocaleString()})`;
}

// After a failed or stopped run, what is on screen belongs to an earlier run: dimmed until the next.
export function markStale() {
  $("right").classList.toggle("stale", state.last !== null);
}

// The result JSON of the run on screen (the worker writes it on request).
export async function lastJson() {
  if (!state.last) return null;
  state.last.json ??= await client.request("json");
  return state.last.json;
}

function showTrades() {
  if (state.last && state.tradesShown !== state.last) {
    state.tradesShown = state.last;
    const chart = state.chart;
    renderTrades($("trades"), allTrades(state.last), $("trades-note"), (t) => {
      $("chart").scrollIntoView({ block: "nearest" });
      chart.select(t);
    });
  }
}

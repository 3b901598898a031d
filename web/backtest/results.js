// The results column: the chart, the stats, the trades table and the downloads.
import { drawResult } from "../charts.js";
import { $, download, nextTask } from "../dom.js";
import { client } from "../python.js";
import { state } from "../state.js";
import { renderStats, renderTrades, tradesCsv } from "../tables.js";

export function initResults() {
  for (const button of document.querySelectorAll(".tabs [data-tab]")) {
    button.addEventListener("click", () => {
      for (const b of document.querySelectorAll(".tabs [data-tab]")) b.classList.toggle("active", b === button);
      for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${button.dataset.tab}`;
      if (button.dataset.tab === "trades") showTrades();
    });
  }
  $("download-json").addEventListener("click", async () => download("result.json", await lastJson(), "application/json"));
  $("download-csv").addEventListener("click", () => download("trades.csv", tradesCsv(state.last.trades), "text/csv"));
}

// Results are drawn in separate tasks (chart, then tables) so the page never blocks for long;
// the trades table is built when its tab is first shown.
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
  await nextTask();
  renderStats($("stats"), { ...out.stats, engine: out.engine }); // which engine ran it: event or vectorized
  $("trade-count").textContent = `(${out.trades.length})`;
  state.tradesShown = null;
  if (!$("tab-trades").hidden) showTrades();
  $("download-json").disabled = false;
  $("download-csv").disabled = false;
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
    renderTrades($("trades"), state.last.trades, $("trades-note"), (t) => {
      $("chart").scrollIntoView({ block: "nearest" });
      chart.focus(t.entry_time, t.exit_time);
    });
  }
}

// The static demo's Live view: no server, so no session; instead the run on screen replayed bar
// by bar as a paper session would have traded it (paper sessions use the backtest's broker and
// fill rules: on the same bars they place and fill the same orders). Labelled as a replay.
import { $ } from "../dom.js";
import { state } from "../state.js";
import { LiveChart } from "./chart.js";
import { addFill, addLog, clearFills, renderSummary } from "./tables.js";

const SHOWN = 400; // bars replayed (the last ones of the run); earlier ones are the warm-up
const FIRST = 100; // bars on the chart when the replay starts
const STEP_MS = 40; // one bar every 40 ms

let timer = 0;

export function replay() {
  clearInterval(timer);
  $("live-replay").hidden = false;
  const run = state.last;
  if (!run?.arrays?.time?.length) {
    $("live-replay-note").textContent = "Run a backtest first: its last bars are replayed here as a paper session.";
    return;
  }
  const a = run.arrays;
  const n = a.time.length, lo = Math.max(0, n - SHOWN);
  const bar = (i) => ({ time: a.time[i], open: a.open[i], high: a.high[i], low: a.low[i], close: a.close[i] });
  const tf = n > 1 ? a.time[1] - a.time[0] : 60_000;
  // The trades' entries and exits as fills, in time order.
  const fills = run.trades.flatMap((t, k) => {
    const entry = { time: t.entry_time, price: t.entry_price, qty: Number(Math.abs(t.size).toPrecision(8)), trade_id: `${k + 1}-in`, side: t.side === "long" ? "buy" : "sell" };
    const exit = t.exit_time == null ? [] : [{ time: t.exit_time, price: t.exit_price, qty: Number(Math.abs(t.size).toPrecision(8)), trade_id: `${k + 1}-out`, side: t.side === "long" ? "sell" : "buy" }];
    return [entry, ...exit];
  }).filter((f) => f.time >= a.time[lo]).sort((x, y) => x.time - y.time);
  $("live-title").textContent = "Replay of a paper session on the backtest's data: not live, no server";
  const chart = new LiveChart($("live-chart"));
  clearFills($("live-fills"));
  $("live-log").replaceChildren();
  let i = Math.min(n, lo + FIRST), f = 0;
  chart.setBars(Array.from({ length: i - lo }, (_, j) => bar(lo + j)));
  const lines = run.overlays ?? [];
  const value = (v) => (Number.isFinite(v) ? v : null);
  chart.setLines(lines.map((o) => ({ ...o, values: Array.from(o.values.slice(lo, i), value) })), a.time.slice(lo, i));
  const panes = Object.fromEntries(lines.map((o) => [o.name, o.pane]));
  timer = setInterval(() => {
    if (i >= n) {
      clearInterval(timer);
      addLog($("live-log"), { time: a.time[n - 1], kind: "session", data: { what: "replay ended" } });
      return;
    }
    chart.bar(bar(i));
    chart.lines({ panes, time: [a.time[i]], values: Object.fromEntries(lines.map((o) => [o.name, [value(o.values[i])]])) });
    while (f < fills.length && fills[f].time <= a.time[i]) {
      addFill($("live-fills"), fills[f], fills[f].side);
      chart.fill(fills[f], fills[f].side, tf);
      f++;
    }
    const e = lowerEquity(a, a.time[i]);
    if (e !== null) chart.equityPoint(a.time[i], e);
    renderSummary($("live-summary"), { health: "replay", risk: { state: "normal" }, equity: e, last_bar_time: a.time[i] }, null);
    i++;
  }, STEP_MS);
}

function lowerEquity(a, t) {
  const times = a.equity_time ?? a.time;
  let lo = 0, hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid + 1; else hi = mid;
  }
  return lo ? a.equity[lo - 1] : null;
}

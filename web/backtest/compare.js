// Comparing runs: the session's last runs, each with its settings; the chosen ones' equity
// curves on one chart and their stats side by side.
import { chartTheme } from "../charts.js";
import { $ } from "../dom.js";
import { state } from "../state.js";
import { renderStats } from "../tables.js";

const KEEP = 10; // runs kept
const POINTS = 4000; // points per curve drawn
const COLORS = ["#2962ff", "#ff6d00", "#8e24aa", "#00897b", "#c2185b", "#5d4037", "#7cb342", "#f9a825", "#455a64", "#d81b60"];
let chart = null;

// Keeps a finished run: what it was (strategy, parameters, data, settings) and what it gave.
export function recordRun(request, out, { file, onServer }) {
  const id = (state.runs.at(-1)?.id ?? 0) + 1;
  const params = Object.entries(request.params).map(([k, v]) => `${k}=${v}`).join(" ");
  const data = [file ?? request.data.id ?? request.data.name ?? "data", request.view.timeframe].filter(Boolean).join(" ");
  const settings = Object.entries(request.settings).map(([k, v]) => `${k} ${v}`).join(", ");
  // The curve kept at most POINTS points (every k-th bar and the last): ten runs of millions
  // of bars stay small.
  const { equity_time: times, equity: values } = out.arrays;
  const step = Math.max(1, Math.ceil(times.length / POINTS));
  const time = [], equity = [];
  for (let i = 0; i < times.length; i += step) {
    time.push(times[i]);
    equity.push(values[i]);
  }
  if (times.length && time.at(-1) !== times.at(-1)) {
    time.push(times.at(-1));
    equity.push(values.at(-1));
  }
  state.runs.push({
    id, label: `#${id} ${request.strategy ?? ""}${params ? ` (${params})` : ""}`, data, settings,
    onServer, stats: out.stats, time, equity, chosen: true,
  });
  if (state.runs.length > KEEP) state.runs.shift();
  $("run-count").textContent = `(${state.runs.length})`;
  if (!$("tab-compare").hidden) showCompare();
}

export function showCompare() {
  const list = $("runs");
  list.replaceChildren();
  for (const run of [...state.runs].reverse()) {
    const row = list.insertRow();
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = run.chosen;
    box.setAttribute("aria-label", `compare ${run.label}`);
    box.addEventListener("change", () => {
      run.chosen = box.checked;
      draw();
    });
    row.insertCell().append(box);
    row.insertCell().textContent = run.label;
    row.insertCell().textContent = `${run.data}${run.onServer ? " (server)" : ""}`;
    row.insertCell().textContent = run.settings;
  }
  draw();
}

function draw() {
  const chosen = state.runs.filter((r) => r.chosen);
  renderStats($("compare-stats"), chosen.map((r) => ({ label: r.label, stats: r.stats })));
  const LC = globalThis.LightweightCharts;
  chart?.remove();
  chart = null;
  const box = $("compare-chart");
  box.replaceChildren();
  if (!chosen.length) return;
  chart = LC.createChart(box, { autoSize: true, ...chartTheme(), timeScale: { timeVisible: true, rightOffset: 4 } });
  const keys = document.createElement("div");
  keys.className = "chart-keys compare-keys";
  for (const run of chosen) {
    const color = COLORS[(run.id - 1) % COLORS.length];
    const series = chart.addSeries(LC.LineSeries, { color, lineWidth: 1.5, priceLineVisible: false, lastValueVisible: false });
    series.setData(run.time.map((t, i) => (Number.isFinite(run.equity[i]) ? { time: t / 1000, value: run.equity[i] } : { time: t / 1000 })));
    const key = document.createElement("span");
    key.innerHTML = `<span style="color:${color}">━</span> `;
    key.append(run.label);
    keys.append(key);
  }
  box.append(keys);
  chart.timeScale().fitContent();
}

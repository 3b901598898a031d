// The Optimize panel: a grid or random search (and walk-forward) of the editor's strategy on the
// picked data, its trials run in a pool of Pyodide workers (pool.js), one per core. The page's
// own worker plans the search and writes the report (cracktrader.optimize.session), so the same
// search gives the same table here and on the server. Optuna's TPE/CMA-ES need numpy, which the
// browser has not: grid and random only.
import { $ } from "../dom.js";
import { client } from "../python.js";
import { state } from "../state.js";
import { fmtNumber } from "../tables.js";
import { automationData, dataSpec, dataView } from "../backtest/data-picker.js";
import { readSettings } from "../backtest/settings.js";
import { currentStrategy, editor, inspectIfChanged, readParams, syncParams } from "../backtest/strategy.js";
import { drawHeatmap, drawLine } from "./plots.js";
import { Pool, defaultSize } from "./pool.js";

const pool = new Pool();
const OBJECTIVES = ["sharpe", "sortino", "calmar", "total_return", "cagr", "profit_factor", "sqn", "win_rate",
  "-max_drawdown", "-volatility"];

export function initOptimize({ onPick }) {
  const select = $("opt-objective");
  for (const name of OBJECTIVES) select.add(new Option(name.startsWith("-") ? `${name.slice(1)} (min)` : name, name));
  $("opt-workers").value = defaultSize();
  $("opt-workers").max = 32;
  $("opt-start").addEventListener("click", () => optimize().catch(() => {}));
  $("opt-stop").addEventListener("click", stop);
  $("opt-method").addEventListener("change", () => { $("opt-trials").disabled = $("opt-method").value === "grid"; });
  $("opt-wf").addEventListener("change", () => { $("opt-wf-box").hidden = !$("opt-wf").checked; });
  state.optimize.onPick = onPick;
}

// One row per parameter of the current strategy: its values to search ("" keeps the Parameters box's value).
export function renderSpace() {
  const box = $("opt-space");
  const typed = Object.fromEntries([...box.querySelectorAll("input")].map((i) => [i.name, i.value]));
  box.replaceChildren();
  for (const [name, dflt] of Object.entries(currentStrategy()?.params ?? {})) {
    const label = document.createElement("label");
    label.textContent = name;
    const input = document.createElement("input");
    input.name = name;
    input.placeholder = typeof dflt === "number" ? `${dflt}  (e.g. 5:50:5 or 5,10,20)` : String(dflt);
    input.value = typed[name] ?? "";
    label.append(input);
    box.append(label);
  }
}

function readRequest(config) {
  const space = config.space ?? Object.fromEntries([...$("opt-space").querySelectorAll("input")]
    .filter((i) => i.value.trim()).map((i) => [i.name, i.value.trim()]));
  const params = config.params ?? readParams();
  for (const name of Object.keys(space)) delete params[name];
  const objective = config.objective ?? $("opt-objective").value;
  const wf = config.walkForward !== undefined ? config.walkForward
    : $("opt-wf").checked ? { train: $("opt-train").value, test: $("opt-test").value, gap: $("opt-gap").value,
      anchored: $("opt-anchored").checked } : null;
  const method = config.method ?? $("opt-method").value;
  return {
    space,
    method,
    max_trials: config.maxTrials ?? (method === "grid" ? null : Number($("opt-trials").value) || null),
    seed: config.seed ?? Number($("opt-seed").value || 0),
    objective: Array.isArray(objective) ? objective : [objective],
    min_trades: config.minTrades ?? Number($("opt-min-trades").value || 1),
    constraint: config.constraint ?? $("opt-constraint").value,
    blocks: config.blocks ?? 16,
    params,
    settings: { ...readSettings(), ...pick(config, ["cash", "commission", "slippage"]) },
    walk_forward: wf,
  };
}

const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));

function setProgress(done, total, note) {
  $("opt-progress").hidden = total === null;
  $("opt-progress-bar").style.width = `${total ? Math.round((100 * done) / total) : 0}%`;
  $("opt-status").textContent = note;
}

function stop() {
  pool.close();
  state.optimize.stopped = true;
  setProgress(0, null, "stopped: the workers are ended");
  $("opt-start").disabled = false;
  $("opt-stop").disabled = true;
}

// Runs the search the panel shows (`config`: the automation API's fields override it) and
// resolves to its result document (walk-forward: the walk-forward's).
export async function optimize(config = {}) {
  const source = config.strategy ?? editor.source;
  await inspectIfChanged(source);
  const view = config.data !== undefined ? pick(config, ["since", "until", "timeframe"]) : dataView();
  const request = readRequest(config);
  const job = {
    source,
    strategy: config.strategyClass ?? currentStrategy()?.name ?? null,
    data: config.data !== undefined ? automationData(config.data, view) : dataSpec(view),
    view,
    request,
  };
  const size = config.workers ?? Number($("opt-workers").value || defaultSize());
  Object.assign(state.optimize, { running: true, stopped: false, result: null, records: [] });
  $("opt-start").disabled = true;
  $("opt-stop").disabled = false;
  $("opt-error").hidden = true;
  $("opt-results").hidden = true;
  const t0 = performance.now();
  try {
    setProgress(0, 1, "planning…");
    const plan = await client.request("sweep_plan", job);
    setProgress(0, 1, `starting ${size} workers…`);
    await pool.prepare(size, job);
    const total = plan.points.length * plan.windows.length;
    let done = 0;
    let best = null;
    const sign = plan.directions[0] === "minimize" ? -1 : 1;
    const onRecord = (record) => {
      done += 1;
      state.optimize.records.push(record);
      const v = record.status === "ok" ? record.objective[0] : null;
      if (v !== null && (best === null || sign * v > sign * best)) best = v;
      setProgress(done, total, `${done}/${total} trials on ${size} workers${best === null ? "" : `, best ${plan.objective[0]} ${fmtNumber(best)}`}`);
    };
    let doc;
    if (plan.windows[0] === null) {
      const records = await pool.run(plan.points.map((p, k) => [k, p, null]), onRecord);
      doc = await client.request("sweep_result", { records });
      showSearch(doc);
    } else {
      for (const [k, window] of plan.windows.entries()) {
        const records = await pool.run(plan.points.map((p, i) => [i, p, window.slice(0, 2)]), onRecord);
        await client.request("sweep_fold", { k, window, records });
      }
      doc = await client.request("sweep_walk", {});
      showWalk(doc);
    }
    state.optimize.result = doc;
    setProgress(total, total, `${total} trials on ${size} workers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return doc;
  } catch (err) {
    if (!state.optimize.stopped) {
      $("opt-error").textContent = err.message;
      $("opt-error").hidden = false;
      setProgress(0, null, "failed");
    }
    throw err;
  } finally {
    state.optimize.running = false;
    $("opt-start").disabled = false;
    $("opt-stop").disabled = true;
  }
}

const REPORT = [
  ["pbo", "PBO", "probability the best in-sample trial is below the median out of sample (CSCV)"],
  ["dsr", "DSR", "probability the best's Sharpe ratio beats the best of as many skill-less trials"],
  ["psr", "PSR", "probability the best's true Sharpe ratio is above 0"],
  ["min_btl_years", "MinBTL (years)", "backtest length this many trials need"],
  ["years", "this backtest (years)", ""],
];

function showSearch(doc) {
  $("opt-results").hidden = false;
  $("opt-walk").hidden = true;
  const best = doc.best;
  $("opt-best").textContent = best
    ? `Best: trial ${best.trial} — ${Object.entries(best.params).map(([k, v]) => `${k}=${v}`).join(", ")}: ${doc.objective[0]} ${fmtNumber(best.objective[0])}`
    : doc.pareto ? `Pareto front: trials ${doc.pareto.join(", ")}` : "No trial succeeded.";
  if (doc.engines?.length) $("opt-best").textContent += ` (${doc.engines.join(" and ")} engine)`;
  const report = doc.overfitting;
  const rows = REPORT.map(([key, label, note]) => [label, report[key], note]);
  rows.push(["plateau", report.plateau?.score ?? null, `the best's ${report.plateau?.neighbours ?? 0} neighbours' mean percentile (1 = as good)`]);
  $("opt-report").replaceChildren(...rows.map(([label, value, note]) => {
    const tr = document.createElement("tr");
    for (const text of [label, value === null || value === undefined ? "—" : fmtNumber(value), note]) tr.insertCell().textContent = text;
    return tr;
  }));
  const canvas = $("opt-heatmap");
  canvas.hidden = !doc.heatmap;
  if (doc.heatmap) {
    const names = [doc.heatmap.x, doc.heatmap.y];
    drawHeatmap(canvas, doc.heatmap, best && [best.params[names[0]], best.params[names[1]]],
      { label: `${doc.objective[0]} over ${names.join(" × ")}`, larger: doc.directions[0] === "maximize" });
  }
  renderTrials(doc);
}

function tableHead(names) {
  const thead = document.createElement("thead");
  const row = thead.insertRow();
  for (const name of names) row.appendChild(document.createElement("th")).textContent = name;
  return thead;
}

function renderTrials(doc) {
  const table = $("opt-trials-table");
  const names = doc.trials.length ? Object.keys(doc.trials[0].params) : [];
  const stats = ["total_return", "sharpe", "max_drawdown", "trades"].filter((s) => !doc.objective.includes(s));
  const thead = tableHead(["trial", ...names, "status", doc.objective[0], ...stats]);
  const tbody = document.createElement("tbody");
  for (const t of doc.trials) {
    const tr = tbody.insertRow();
    tr.dataset.trial = t.trial;
    if (doc.best && t.trial === doc.best.trial) tr.classList.add("best");
    if (t.status !== "ok") tr.title = t.reason ?? t.status;
    const cells = [t.trial, ...names.map((n) => t.params[n]), t.status, t.objective?.[0] ?? null,
      ...stats.map((s) => t.stats?.[s] ?? null)];
    for (const v of cells) {
      const td = tr.insertCell();
      td.textContent = v === null ? "—" : typeof v === "number" ? fmtNumber(v) : String(v);
      td.className = "num";
    }
    tr.addEventListener("click", () => {
      for (const row of tbody.rows) row.classList.toggle("selected", row === tr);
      syncParams({ ...readParams(), ...t.params });
      state.optimize.onPick?.(t);
    });
  }
  table.replaceChildren(thead, tbody);
}

function showWalk(doc) {
  $("opt-results").hidden = false;
  $("opt-walk").hidden = false;
  const s = doc.stats ?? {};
  $("opt-best").textContent = `Out of sample, stitched: return ${fmtNumber(100 * (s.total_return ?? 0))} %, Sharpe ` +
    `${fmtNumber(s.sharpe ?? NaN)}, ${s.trades ?? 0} trades; walk-forward efficiency ${doc.efficiency === null ? "—" : fmtNumber(doc.efficiency)}`;
  $("opt-report").replaceChildren();
  $("opt-heatmap").hidden = true;
  const times = doc.equity.map((p) => p[0]), values = doc.equity.map((p) => p[1]);
  drawLine($("opt-equity"), times, values, { spans: doc.folds.map((f) => [f.test_start, f.test_end]),
    label: "equity out of sample (shaded: one test window per fold)" });
  const table = $("opt-trials-table");
  const cols = ["fold", "test_start", "test_end", ...Object.keys(doc.folds.find((f) => f.is_objective !== undefined) ?? {})
    .filter((k) => !["fold", "train_start", "train_end", "test_start", "test_end", "reason"].includes(k))];
  const thead = tableHead(cols);
  const tbody = document.createElement("tbody");
  for (const f of doc.folds) {
    const tr = tbody.insertRow();
    if (f.reason) tr.title = f.reason;
    for (const c of cols) {
      const v = f[c];
      tr.insertCell().textContent = v === null || v === undefined ? "—"
        : c.endsWith("_start") || c.endsWith("_end") ? new Date(v).toISOString().slice(0, 10) : typeof v === "number" ? fmtNumber(v) : String(v);
    }
  }
  table.replaceChildren(thead, tbody);
}

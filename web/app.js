// The page: strategy editor, data choice, run/stop, and the results (charts, stats, trades).
// Automation API (README): window.cracktrader.ready, .run(config), .stop(), .lastResult.
import { drawResult } from "./charts.js";
import { createEditor } from "./editor.js";
import { decodeState, encodeState } from "./share.js";
import { renderStats, renderTrades, tradesCsv } from "./tables.js";
import { WorkerClient } from "./worker-client.js";

const $ = (id) => document.getElementById(id);
const client = new WorkerClient(new URL("worker.js", import.meta.url));
const state = { site: { server: false, datasets: [] }, datasets: new Map(), file: null, last: null, strategies: [] };

// ---- status, progress, runtime steps -------------------------------------------------------

function setStatus(kind, text) {
  $("status").dataset.state = kind;
  $("status").textContent = text;
}

function setProgress(done, total) {
  $("progress").hidden = total === null;
  if (total) $("progress-bar").style.width = `${Math.round((100 * done) / total)}%`;
}

client.addEventListener("step", ({ detail }) => {
  const row = $("step-rows").insertRow();
  row.insertCell().textContent = detail.name;
  row.insertCell().textContent = `${detail.ms.toFixed(0)} ms`;
});

// ---- editor, examples, parameters ----------------------------------------------------------

const EXAMPLES = await (await fetch("examples.json")).json();
const editor = createEditor($("editor"), {
  source: EXAMPLES[0].source,
  onChange: () => { showError(null); scheduleInspect(); },
  onRun: () => run().catch(() => {}),
});

for (const [i, ex] of EXAMPLES.entries()) {
  const option = new Option(ex.name, String(i));
  option.title = ex.title;
  $("examples").add(option);
}
$("examples").addEventListener("change", () => {
  editor.source = EXAMPLES[Number($("examples").value)].source;
});

let inspectTimer = null;
function scheduleInspect() {
  clearTimeout(inspectTimer);
  inspectTimer = setTimeout(inspect, 300);
}

async function inspect() {
  clearTimeout(inspectTimer);
  const source = editor.source;
  try {
    const { strategies } = await client.request("inspect", { source });
    state.strategies = strategies;
    state.inspected = source;
    const select = $("strategy-class");
    const previous = select.value;
    select.replaceChildren(...strategies.map((s) => new Option(s.name, s.name)));
    if (strategies.some((s) => s.name === previous)) select.value = previous;
    renderParams();
  } catch (err) {
    if (err.kind !== "stopped") showError(err);
  }
}

function currentStrategy() {
  return state.strategies.find((s) => s.name === $("strategy-class").value) ?? state.strategies[0];
}

function renderParams(values = readParams()) {
  const strategy = currentStrategy();
  const box = $("params");
  box.replaceChildren();
  for (const [name, dflt] of Object.entries(strategy?.params ?? {})) {
    const label = document.createElement("label");
    label.textContent = name;
    const input = document.createElement("input");
    input.name = name;
    input.dataset.kind = typeof dflt;
    const value = name in values ? values[name] : dflt;
    if (typeof dflt === "boolean") {
      input.type = "checkbox";
      input.checked = Boolean(value);
    } else {
      input.type = typeof dflt === "number" ? "number" : "text";
      input.step = "any";
      input.value = value ?? "";
    }
    label.append(input);
    box.append(label);
  }
}
$("strategy-class").addEventListener("change", () => renderParams({}));

function readParams() {
  const params = {};
  for (const input of $("params").querySelectorAll("input")) {
    const kind = input.dataset.kind;
    params[input.name] = kind === "boolean" ? input.checked : kind === "number" ? Number(input.value) : input.value;
  }
  return params;
}

// ---- data ----------------------------------------------------------------------------------

function addDataset(ds) {
  state.datasets.set(ds.id, ds);
  $("dataset").add(new Option(`${ds.symbol} ${ds.timeframe} · ${ds.exchange} (${ds.rows.toLocaleString()} bars)`, ds.id));
}

function describeDataset() {
  const ds = state.datasets.get($("dataset").value);
  if (state.file) $("dataset-info").textContent = `Local file: ${state.file.name} (${(state.file.bytes.byteLength / 1024).toFixed(0)} KB)`;
  else if (ds) {
    const span = [ds.first, ds.last].map((t) => new Date(t).toISOString().slice(0, 10)).join(" → ");
    $("dataset-info").textContent = `${span}${ds.description ? ` — ${ds.description}` : ""}`;
  }
}
// A dropped file becomes an entry of the picker too, so the picker says what runs.
const LOCAL_FILE = "local-file";
$("dataset").addEventListener("change", () => {
  state.file = $("dataset").value === LOCAL_FILE ? state.localFile : null;
  describeDataset();
});

const DAY_MS = 86_400_000;

// The part of the data to run on: a date range (UTC days, both included) and a timeframe to
// aggregate to, each optional.
function dataView() {
  const view = {};
  if ($("since").value) view.since = Date.parse(`${$("since").value}T00:00:00Z`);
  if ($("until").value) view.until = Date.parse(`${$("until").value}T00:00:00Z`) + DAY_MS;
  if ($("timeframe").value) view.timeframe = $("timeframe").value;
  return view;
}

function showDataView(view = {}) {
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  $("since").value = view.since !== undefined ? day(view.since) : "";
  $("until").value = view.until !== undefined ? day(view.until - DAY_MS) : "";
  $("timeframe").value = view.timeframe ?? "";
}

function dataSpec(view) {
  if (state.file) return { kind: "file", name: state.file.name, bytes: state.file.bytes };
  const ds = state.datasets.get($("dataset").value);
  if (!ds) throw new Error("no dataset selected");
  return { kind: "dataset", id: ds.id, url: ds.url ?? hostCandlesUrl(ds.id, view) };
}

// A host dataset's candles, cut and aggregated by the server (the same kernels as the worker,
// which then finds nothing left to do): a year of hours, not five of minutes, crosses the wire.
function hostCandlesUrl(id, view) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(view)) q.set(key, String(value));
  const query = q.toString();
  return `api/datasets/${encodeURIComponent(id)}/candles${query ? `?${query}` : ""}`;
}

async function takeFile(file) {
  state.file = state.localFile = { name: file.name, bytes: await file.arrayBuffer() };
  const picker = $("dataset");
  const option = [...picker.options].find((o) => o.value === LOCAL_FILE) ?? picker.appendChild(new Option("", LOCAL_FILE));
  option.text = `${file.name} · local file`;
  picker.value = LOCAL_FILE;
  describeDataset();
  run().catch(() => {}); // shown on the page
}

const drop = $("dropzone");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const file = e.dataTransfer.files[0];
  if (file) takeFile(file);
});
$("file").addEventListener("change", () => $("file").files[0] && takeFile($("file").files[0]));

// ---- run / stop ----------------------------------------------------------------------------

function showError(err) {
  const box = $("error");
  if (!err) {
    box.hidden = true;
    editor.markError(null);
    return;
  }
  box.hidden = false;
  box.textContent = err.line ? `line ${err.line}: ${err.message}` : err.message;
  if (err.line && err.kind !== "data") editor.markError(err.line);
}

function settings() {
  return {
    cash: Number($("cash").value),
    commission: Number($("commission").value) / 100,
    slippage: Number($("slippage").value),
  };
}

let running = null;

async function run(config = {}, automated = false) {
  if (running) client.stop();
  const source = config.strategy ?? editor.source;
  if (config.strategy !== undefined && config.strategy !== editor.source) editor.source = config.strategy;
  // The strategy list must describe this very source (the edit may be newer than the last look).
  if (state.inspected !== source && config.strategyClass === undefined) await inspect();
  const view = config.data !== undefined ? pick(config, ["since", "until", "timeframe"]) : dataView();
  const request = {
    source,
    strategy: config.strategyClass ?? currentStrategy()?.name ?? null,
    data: config.data !== undefined ? automationData(config.data, view) : dataSpec(view),
    settings: { ...settings(), ...pick(config, ["cash", "commission", "slippage"]) },
    params: config.params ?? readParams(),
    view,
    json: automated, // the automation API resolves to the result JSON; the page fetches it on demand
  };
  showError(null);
  setStatus("running", "running…");
  setProgress(0, 1);
  $("run").disabled = true;
  $("stop").disabled = false;
  const t0 = performance.now();
  const job = (async () => {
    const onServer = state.site.server && $("on-server").checked;
    const out = onServer ? await runOnServer(request) : await client.request("run", request, { onProgress: setProgress });
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await show(out);
    window.__timing = { ...out.timing, show_ms: performance.now() - t1, total_ms: performance.now() - t0 };
    setStatus("done", `${out.bars.toLocaleString()} bars in ${seconds.toFixed(2)} s${onServer ? " on the server" : ""}`);
    if (!state.file && config.data === undefined) saveToUrl(request);
    return out.json === null ? null : JSON.parse(out.json);
  })();
  running = job;
  try {
    return await job;
  } catch (err) {
    // What is on screen is from an earlier run now: dimmed until the next one is shown.
    $("right").classList.toggle("stale", state.last !== undefined && state.last !== null);
    if (err.kind === "stopped") setStatus("ready", "stopped");
    else {
      setStatus("error", "failed");
      showError(err);
    }
    throw err;
  } finally {
    state.completed = (state.completed ?? 0) + 1;
    if (running === job) running = null;
    setProgress(0, null);
    $("run").disabled = false;
    $("stop").disabled = true;
  }
}

function pick(obj, keys) {
  return Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));
}

function automationData(data, view) {
  if (typeof data === "string") {
    if (state.datasets.has(data)) {
      const ds = state.datasets.get(data);
      return { kind: "dataset", id: ds.id, url: ds.url ?? hostCandlesUrl(ds.id, view) };
    }
    return { kind: "url", url: new URL(data, location.href).href };
  }
  return { kind: "columns", columns: data };
}

async function runOnServer(request) {
  if (request.data.kind !== "dataset") throw new Error("server runs need a dataset from the server");
  const response = await fetch("api/backtests", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${$("token").value}` },
    body: JSON.stringify({ strategy: request.source, strategy_class: request.strategy, dataset: request.data.id, ...request.view, ...request.settings, params: request.params }),
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error ?? `HTTP ${response.status}`), body);
  // The server returns the result JSON; charts need the candles, which the worker loads.
  const candles = await client.request("candles", { data: request.data, view: request.view });
  const result = body.result;
  return {
    ...result, json: JSON.stringify(result), bars: candles.time.length, overlays: [],
    arrays: { ...candles, equity_time: Float64Array.from(result.equity, (p) => p[0]), equity: Float64Array.from(result.equity, (p) => p[1]) },
  };
}

$("run").addEventListener("click", () => run().catch(() => {}));
$("stop").addEventListener("click", () => {
  client.stop();
  setStatus("booting", "stopped — restarting Python…");
  client.ready.then(() => setStatus("ready", "stopped"));
});

// ---- results -------------------------------------------------------------------------------

// Results are drawn in separate tasks (chart, then tables) so the page never blocks for long;
// the trades table is built when its tab is first shown.
async function show(out) {
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
  renderStats($("stats"), out.stats);
  $("trade-count").textContent = `(${out.trades.length})`;
  state.tradesShown = null;
  if (!$("tab-trades").hidden) showTrades();
  $("download-json").disabled = false;
  $("download-csv").disabled = false;
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

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

for (const button of document.querySelectorAll(".tabs [data-tab]")) {
  button.addEventListener("click", () => {
    for (const b of document.querySelectorAll(".tabs [data-tab]")) b.classList.toggle("active", b === button);
    for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${button.dataset.tab}`;
    if (button.dataset.tab === "trades") showTrades();
  });
}

function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
$("download-json").addEventListener("click", async () => {
  state.last.json ??= state.last.serverJson ?? (await client.request("json"));
  download("result.json", state.last.json, "application/json");
});
$("download-csv").addEventListener("click", () => download("trades.csv", tradesCsv(state.last.trades), "text/csv"));

// ---- sharing -------------------------------------------------------------------------------

// What a link restores: the source, the dataset and its view, the strategy, the settings on
// the page and the parameters.
function linkState({ source, dataset, view, strategy, params }) {
  const settings = { cash: $("cash").value, commission: $("commission").value, slippage: $("slippage").value };
  return encodeState({ source, dataset, view, strategy, settings, params });
}

async function saveToUrl(request) {
  const fragment = await linkState({ source: request.source, dataset: request.data.id, view: request.view, strategy: request.strategy, params: request.params });
  history.replaceState(null, "", `#${fragment}`);
}

$("share").addEventListener("click", async () => {
  const fragment = await linkState({ source: editor.source, dataset: state.file ? undefined : $("dataset").value, view: dataView(), strategy: currentStrategy()?.name, params: readParams() });
  history.replaceState(null, "", `#${fragment}`);
  try {
    await navigator.clipboard.writeText(location.href);
    setStatus($("status").dataset.state, "link copied");
  } catch {
    setStatus($("status").dataset.state, "link in the address bar");
  }
});

async function restoreFromUrl() {
  const saved = await decodeState(location.hash);
  if (!saved) return false;
  editor.source = saved.source;
  if (saved.dataset && state.datasets.has(saved.dataset)) $("dataset").value = saved.dataset;
  showDataView(saved.view);
  for (const key of ["cash", "commission", "slippage"]) if (saved.settings[key] !== undefined) $(key).value = saved.settings[key];
  await inspect();
  if (saved.strategy) $("strategy-class").value = saved.strategy;
  renderParams(saved.params);
  return true;
}

// ---- start-up ------------------------------------------------------------------------------

async function loadSite() {
  state.site = await (await fetch("site.json")).json();
  for (const ds of state.site.datasets) addDataset(ds);
  if (state.site.server) {
    $("server-run").hidden = false;
    const { datasets } = await (await fetch("api/datasets")).json();
    for (const ds of datasets) if (!state.datasets.has(ds.id)) addDataset(ds);
  }
  describeDataset();
}

// Ready once Python is up and the first result is on screen: the shared run from the URL,
// or the first example on the first dataset.
const ready = (async () => {
  await loadSite();
  const timings = await client.ready;
  performance.mark("python-ready"); // for bench/web.py: Pyodide, core wheel and kernels loaded
  $("backend").textContent = (await client.request("selfcheck", { n: 1000, seed: 1, period: 10 })).backend;
  const restored = await restoreFromUrl();
  if (!restored) await inspect();
  $("run").disabled = false;
  setStatus("ready", "ready");
  if (state.datasets.size) await run().catch(() => {});
  return timings;
})();
ready.catch((err) => setStatus("error", `failed to start: ${err.message}`));

window.cracktrader = {
  ready,
  // Puts `source` in the editor (as if typed) and refreshes the strategy and parameter lists.
  setStrategy: async (source) => {
    editor.source = source;
    await inspect();
  },
  run: (config = {}) => ready.then(() => run(config, true)),
  stop: () => client.stop(),
  // How many runs have ended (done, failed or stopped): lets scripts wait for the next one.
  get completedRuns() {
    return state.completed ?? 0;
  },
  // The result JSON of the last run shown (fetched from the worker when the page ran it).
  async lastResult() {
    if (!state.last) return null;
    state.last.json ??= await client.request("json");
    return JSON.parse(state.last.json);
  },
};

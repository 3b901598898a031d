// Run and Stop: one run at a time, in the worker (or on the server), its result shown.
// Stop replaces the worker: until the new one is up the status says so, and a run asked for
// meanwhile waits for it, visibly.
import { $ } from "../dom.js";
import { client } from "../python.js";
import { state } from "../state.js";
import { setProgress, setStatus } from "../status.js";
import { recordRun } from "./compare.js";
import { automationData, dataSpec, dataView, learnFile, rangeProblem, selectedFile } from "./data-picker.js";
import { showError } from "./errors.js";
import { linkFragment, saveToUrl, showNotice } from "./link.js";
import { markStale, showFailedLog, showResult } from "./results.js";
import { readSettings, runOnServerChosen, serverToken } from "./settings.js";
import { currentStrategy, editor, inspectIfChanged, readParams } from "./strategy.js";

export function initRun() {
  $("run").addEventListener("click", () => run().catch(() => {}));
  $("stop").addEventListener("click", stop);
}

function stop() {
  client.stop();
  showRestarting();
}

// The worker is being replaced: say so until it is up.
function showRestarting() {
  setStatus("booting", "stopped — restarting Python…");
  const worker = client.worker;
  client.ready.then(() => {
    if (client.worker === worker && !state.running) setStatus("ready", "stopped — Python is ready");
  });
}

// Runs what the page shows, with `config` (the automation API's fields) overriding it.
// `automated`: resolve to the result JSON (the page itself fetches it on demand).
export async function run(config = {}, automated = false) {
  if (state.running) client.stop();
  if (client.restarting) setStatus("booting", "Python is restarting: the run starts when it is ready…");
  const source = config.strategy ?? editor.source;
  if (config.strategy !== undefined && config.strategy !== editor.source) editor.source = config.strategy;
  if (config.strategyClass === undefined) await inspectIfChanged(source);
  const fromPage = config.data === undefined;
  const view = fromPage ? dataView() : pick(config, ["since", "until", "timeframe"]);
  const file = fromPage ? selectedFile() : null;
  const request = {
    source,
    strategy: config.strategyClass ?? currentStrategy()?.name ?? null,
    data: fromPage ? dataSpec(view) : automationData(config.data, view),
    // engine: ct.backtest's ("auto", "event" or "vectorized"); the automation API's only, no input
    settings: { ...readSettings(config), ...pick(config, ["engine"]) },
    params: config.params ?? readParams(),
    view,
    json: automated,
  };
  showError(null);
  showNotice(null);
  if (!client.restarting) setStatus("running", "running…");
  setProgress(0, 1);
  $("run").disabled = true;
  $("stop").disabled = false;
  const t0 = performance.now();
  const link = fromPage ? linkFragment({ source: request.source, dataset: request.data.id, file: file?.name,
                                         view: request.view, strategy: request.strategy, params: request.params }) : null;
  link?.catch(() => {}); // (awaited below, once the result is shown)
  const job = (async () => {
    const problem = fromPage ? rangeProblem(view) : null;
    if (problem) throw Object.assign(new Error(problem), { kind: "data", field: "since", rule: "empty_range" });
    await client.ready;
    setStatus("running", "running…");
    const onServer = runOnServerChosen(state.site);
    const out = onServer ? await runOnServer(request) : await client.request("run", request, { onProgress: setProgress });
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    Object.assign(out, { strategy: request.strategy, settings: request.settings, dataLabel: file?.name ?? request.data.id ?? "data" });
    await showResult(out);
    state.timing = { ...out.timing, show_ms: performance.now() - t1, total_ms: performance.now() - t0 };
    setStatus("done", `${out.bars.toLocaleString()} bars in ${seconds.toFixed(2)} s${onServer ? " on the server" : ""}`);
    recordRun(request, out, { file: file?.name, onServer });
    if (link) await saveToUrl(link);
    return out.json === null ? null : JSON.parse(out.json);
  })();
  state.running = job;
  try {
    return await job;
  } catch (err) {
    markStale();
    if (err.kind === "stopped") showRestarting();
    else {
      setStatus("error", "failed");
      showError(err);
      if (err.log?.length) showFailedLog(err.log);
    }
    throw err;
  } finally {
    if (file) learnFile(file);
    state.completedRuns += 1;
    if (state.running === job) state.running = null;
    setProgress(0, null);
    $("run").disabled = false;
    $("stop").disabled = true;
  }
}

function pick(obj, keys) {
  return Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));
}

// The same run on the server; its reply carries the result JSON and the overlays, and the
// worker loads the candles the chart draws.
async function runOnServer(request) {
  if (request.data.kind !== "dataset") throw new Error("server runs need a dataset from the server");
  const response = await fetch("api/backtests", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${serverToken()}` },
    body: JSON.stringify({ strategy: request.source, strategy_class: request.strategy, dataset: request.data.id, ...request.view, ...request.settings, params: request.params }),
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error ?? `HTTP ${response.status}`), body);
  const candles = await client.request("candles", { data: request.data, view: request.view });
  const result = body.result;
  const nullable = (values) => Float64Array.from(values, (v) => (v === null ? NaN : v));
  const arrays = { ...candles, equity_time: Float64Array.from(result.equity, (p) => p[0]), equity: nullable(result.equity.map((p) => p[1])) };
  const first = candles.close[0];
  if (first > 0) arrays.benchmark = candles.close.map((c) => (result.stats.initial_cash * c) / first);
  return {
    ...result, json: JSON.stringify(result), bars: candles.time.length, arrays,
    overlays: body.overlays.map((o) => ({ name: o.name, pane: o.pane, values: nullable(o.values) })),
  };
}

// Run and Stop: one run at a time, in the worker (or on the server), its result shown.
import { $ } from "../dom.js";
import { client } from "../python.js";
import { state } from "../state.js";
import { setProgress, setStatus } from "../status.js";
import { automationData, dataSpec, dataView, selectedFile } from "./data-picker.js";
import { showError } from "./errors.js";
import { saveToUrl } from "./link.js";
import { markStale, showResult } from "./results.js";
import { readSettings, runOnServerChosen, serverToken } from "./settings.js";
import { currentStrategy, editor, inspectIfChanged, readParams } from "./strategy.js";

export function initRun() {
  $("run").addEventListener("click", () => run().catch(() => {}));
  $("stop").addEventListener("click", () => {
    client.stop();
    setStatus("booting", "stopped — restarting Python…");
    client.ready.then(() => setStatus("ready", "stopped"));
  });
}

// Runs what the page shows, with `config` (the automation API's fields) overriding it.
// `automated`: resolve to the result JSON (the page itself fetches it on demand).
export async function run(config = {}, automated = false) {
  if (state.running) client.stop();
  const source = config.strategy ?? editor.source;
  if (config.strategy !== undefined && config.strategy !== editor.source) editor.source = config.strategy;
  if (config.strategyClass === undefined) await inspectIfChanged(source);
  const view = config.data !== undefined ? pick(config, ["since", "until", "timeframe"]) : dataView();
  const request = {
    source,
    strategy: config.strategyClass ?? currentStrategy()?.name ?? null,
    data: config.data !== undefined ? automationData(config.data, view) : dataSpec(view),
    settings: { ...readSettings(), ...pick(config, ["cash", "commission", "slippage", "engine"]) },
    params: config.params ?? readParams(),
    view,
    json: automated,
  };
  showError(null);
  setStatus("running", "running…");
  setProgress(0, 1);
  $("run").disabled = true;
  $("stop").disabled = false;
  const t0 = performance.now();
  const job = (async () => {
    const onServer = runOnServerChosen(state.site);
    const out = onServer ? await runOnServer(request) : await client.request("run", request, { onProgress: setProgress });
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await showResult(out);
    state.timing = { ...out.timing, show_ms: performance.now() - t1, total_ms: performance.now() - t0 };
    setStatus("done", `${out.bars.toLocaleString()} bars in ${seconds.toFixed(2)} s${onServer ? " on the server" : ""}`);
    if (!selectedFile() && config.data === undefined) {
      saveToUrl({ source: request.source, dataset: request.data.id, view: request.view, strategy: request.strategy, params: request.params });
    }
    return out.json === null ? null : JSON.parse(out.json);
  })();
  state.running = job;
  try {
    return await job;
  } catch (err) {
    markStale();
    if (err.kind === "stopped") setStatus("ready", "stopped");
    else {
      setStatus("error", "failed");
      showError(err);
    }
    throw err;
  } finally {
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

async function runOnServer(request) {
  if (request.data.kind !== "dataset") throw new Error("server runs need a dataset from the server");
  const response = await fetch("api/backtests", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${serverToken()}` },
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

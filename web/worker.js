// The Web Worker that runs the CrackTrader core on Pyodide, with the WASM kernels (started by
// worker-boot.js).
//
// Requests: {id, type, ...}; replies: {id, type: "result", result} or {id, type: "error",
// error: {kind, message, line | row, field, rule}}; during a run {id, type: "progress", done, total}.
//   selfcheck {n, seed, period} -> {backend, x, y, digest, ms}   (kernels + timing)
//   inspect {source}            -> {strategies: [{name, params}]}
//   run {source, strategy, data, settings, params, view, json}
//                               -> {final_value, stats, trades, ..., bars, arrays, overlays, json}
//   json {}                     -> the last run's result JSON (text)
//   candles {data, view}        -> {time, open, high, low, close, volume} for charts
//   describe {data}             -> {rows, first, last, timeframe} of the data as loaded
//
// `data` is {kind: "dataset", id, url, cut} (cut: the host applied the view, so the warm-up
// history and the intrabar bars are fetched from it apart), {kind: "url", url},
// {kind: "file", name, bytes} or {kind: "columns", columns}.
// Sweeps (the Optimize panel; cracktrader.optimize.session), every reply parsed JSON:
//   sweep_plan / sweep_prepare {source, strategy, data, view, request} -> the points / the names
//   sweep_trials {tasks: [[index, params, window]]} -> records
//   sweep_result {records}, sweep_fold {k, window, records}, sweep_walk {} -> documents
import { boot, startupReport } from "./worker-boot.js";

// The data readers (Arrow, Parquet: a large bundle) load beside Python's boot, not before it.
const dataSources = import("./data-sources.js");
const loadCandles = async (data) => (await dataSources).loadCandles(data);

const ready = boot();
ready.then(
  () => postMessage({ type: "ready", ...startupReport() }),
  (err) => postMessage({ type: "fatal", message: String((err && err.stack) || err) }),
);

class UserError extends Error {
  constructor(info) {
    super(info.message);
    this.info = info;
  }
}

// A call into cracktrader.browser: its dict result as a Map of PyProxies, or a UserError.
function call(fn, ...args) {
  const out = fn(...args);
  const error = out.get("error");
  if (error !== undefined) {
    out.destroy();
    throw new UserError(JSON.parse(error));
  }
  return out;
}

// A call whose result is {"json": text}: the parsed value.
function jsonCall(fn, ...args) {
  const out = call(fn, ...args);
  try {
    return JSON.parse(out.get("json"));
  } finally {
    out.destroy();
  }
}

function copyOut(proxy) {
  const buf = proxy.getBuffer("f64");
  try {
    return buf.data.slice();
  } finally {
    buf.release();
  }
}

// The latest candles, already in Python, so a re-run does not reload them: the run's data,
// and for a host dataset its warm-up history and intrabar bars.
const loaded = new Map(); // key -> PyProxy of Candles
const KEEP = 3;

async function candlesFor(browser, data) {
  const key = JSON.stringify(data.kind === "file" ? { kind: "file", name: data.name, size: data.bytes.byteLength } : data);
  if (loaded.has(key)) return loaded.get(key);
  const source = data.kind === "file" ? await loadCandles(data) : await loadOnce(data);
  const out = source.csvBytes
    ? call(browser.candles_from_csv, source.csvBytes, source.name)
    : call(browser.candles_from_columns, source.columns, source.name);
  if (loaded.size >= KEEP) {
    const [oldest, proxy] = loaded.entries().next().value;
    proxy.destroy();
    loaded.delete(oldest);
  }
  loaded.set(key, out.get("candles"));
  out.destroy();
  return loaded.get(key);
}

// A host dataset's candles with other query parameters (the same dataset, another cut).
function hostData(data, params) {
  const url = new URL(data.url, self.location.href);
  for (const key of ["since", "until", "timeframe", "last"]) url.searchParams.delete(key);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, String(value));
  return { ...data, url: url.href };
}

const handlers = {
  async selfcheck({ browser }, { n, seed, period }) {
    const out = browser.self_check(n, seed, period);
    const [backend, x, y, digest, ms] = out.toJs({ depth: 1 });
    const reply = { backend, x: copyOut(x), y: copyOut(y), digest, ms };
    x.destroy(); y.destroy(); out.destroy();
    return reply;
  },

  async inspect({ browser }, { source }) {
    const out = call(browser.inspect, source);
    const strategies = JSON.parse(out.get("strategies"));
    out.destroy();
    return { strategies };
  },

  async candles({ browser }, { data, view = {} }) {
    const loaded = await candlesFor(browser, data);
    const out = call(browser.select_candles, loaded, JSON.stringify(view));
    const candles = out.get("candles");
    out.destroy();
    const columns = {};
    for (const name of ["open", "high", "low", "close", "volume"]) {
      const col = candles[name];
      columns[name] = copyOut(col);
      col.destroy();
    }
    const time = candles.time;
    columns.time = Float64Array.from(time.getBuffer("i64").data, Number);
    time.destroy();
    candles.destroy();
    return columns;
  },

  async describe({ browser }, { data }) {
    const out = call(browser.describe, await candlesFor(browser, data));
    const info = JSON.parse(out.get("info"));
    out.destroy();
    return info;
  },

  async run({ browser }, request, id) {
    const t0 = performance.now();
    const candles = await candlesFor(browser, request.data);
    const view = request.view ?? {};
    const settings = JSON.stringify(request.settings ?? {});
    const params = JSON.stringify(request.params ?? {});
    let history, intrabar; // undefined reaches Python as None (null would be JsNull)
    if (request.data.cut && view.since !== undefined) {
      const out = call(browser.warmup, request.source, request.strategy ?? null, candles, settings, params);
      const bars = out.get("bars");
      out.destroy();
      if (bars > 0) history = await candlesFor(browser, hostData(request.data, { until: view.since, timeframe: view.timeframe, last: bars }));
    }
    if (request.data.cut && request.settings?.intrabar_data && view.timeframe) {
      intrabar = await candlesFor(browser, hostData(request.data, { since: view.since, until: view.until }));
    }
    const t1 = performance.now();
    let last = 0;
    const progress = (done, total) => {
      const now = performance.now();
      if (now - last > 100 || done === total) {
        last = now;
        postMessage({ id, type: "progress", done, total });
      }
    };
    const out = call(browser.run, request.source, request.strategy ?? null, candles, settings, params,
      !!request.json, progress, JSON.stringify(view), history, intrabar);
    const t2 = performance.now();
    try {
      const meta = JSON.parse(out.get("meta"));
      const arrays = {};
      const pyArrays = out.get("arrays");
      for (const name of pyArrays.keys()) {
        const col = pyArrays.get(name);
        arrays[name] = copyOut(col);
        col.destroy();
      }
      pyArrays.destroy();
      const overlays = [];
      const pyOverlays = out.get("overlays");
      for (const item of pyOverlays) {
        const [name, pane, values] = item.toJs({ depth: 1 });
        overlays.push({ name, pane, values: copyOut(values) });
        values.destroy();
        item.destroy();
      }
      pyOverlays.destroy();
      const json = out.get("json") ?? null;
      const timing = { data_ms: t1 - t0, python_ms: t2 - t1, transfer_ms: performance.now() - t2 };
      return { ...meta, arrays, overlays, json, timing };
    } finally {
      out.destroy();
    }
  },

  async sweep_plan({ browser }, { source, strategy, data, view, request }) {
    const candles = await candlesFor(browser, data);
    return jsonCall(browser.sweep_plan, source, strategy ?? null, candles, JSON.stringify(request), JSON.stringify(view ?? {}));
  },

  async sweep_prepare({ browser }, { source, strategy, data, view, request }) {
    const candles = await candlesFor(browser, data);
    return jsonCall(browser.sweep_prepare, source, strategy ?? null, candles, JSON.stringify(request), JSON.stringify(view ?? {}));
  },

  async sweep_trials({ browser }, { tasks }) {
    return jsonCall(browser.sweep_trials, JSON.stringify(tasks));
  },

  async sweep_result({ browser }, { records }) {
    return jsonCall(browser.sweep_result, JSON.stringify(records));
  },

  async sweep_fold({ browser }, { k, window, records }) {
    return jsonCall(browser.sweep_fold, k, JSON.stringify(window), JSON.stringify(records));
  },

  async sweep_walk({ browser }) {
    return jsonCall(browser.sweep_walk);
  },

  async json({ browser }) {
    const out = call(browser.last_json);
    const json = out.get("json");
    out.destroy();
    return json;
  },
};

function transferables(value) {
  const list = [];
  const walk = (v) => {
    if (ArrayBuffer.isView(v)) list.push(v.buffer);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return list;
}

// Candles the page will surely run first (the demo, a shared link's dataset), fetched and
// decoded while Python boots: {data} with no id, no reply.
const prefetched = new Map(); // JSON of the data spec -> promise of loadCandles' output

function prefetch(data) {
  const key = JSON.stringify(data);
  if (!prefetched.has(key)) prefetched.set(key, loadCandles(data).catch(() => null)); // a failure shows in the run
}

async function loadOnce(data) {
  const key = JSON.stringify(data);
  const early = prefetched.get(key);
  prefetched.delete(key);
  return (early && (await early)) ?? loadCandles(data);
}

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  if (type === "prefetch") return prefetch(data.data);
  try {
    const runtime = await ready;
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    const result = await handler(runtime, data, id);
    postMessage({ id, type: "result", result }, transferables(result));
  } catch (err) {
    const error = err instanceof UserError ? err.info : { kind: "internal", message: String((err && err.message) || err) };
    postMessage({ id, type: "error", error });
  }
};

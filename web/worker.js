// The Web Worker that runs the CrackTrader core on Pyodide, with the WASM kernels.
// Everything is loaded from this site: Pyodide's core files, the core wheel, the kernels.
//
// Requests: {id, type, ...}; replies: {id, type: "result", result} or {id, type: "error",
// error: {kind, message, line | row, field, rule}}; during a run {id, type: "progress", done, total}.
//   selfcheck {n, seed, period} -> {backend, x, y, digest, ms}   (kernels + timing)
//   inspect {source}            -> {strategies: [{name, params}]}
//   run {source, strategy, data, settings, params, json}
//                               -> {final_value, stats, trades, bars, arrays, overlays, json}
//   json {}                     -> the last run's result JSON (text)
//   candles {data}              -> {time, open, high, low, close, volume} for charts
// Sweeps (the Optimize panel; cracktrader.optimize.session), every reply parsed JSON:
//   sweep_plan / sweep_prepare {source, strategy, data, view, request} -> the points / the names
//   sweep_trials {tasks: [[index, params, window]]} -> records
//   sweep_result {records}, sweep_fold {k, window, records}, sweep_walk {} -> documents
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";
import initKernels, * as kernels from "./kernels/cracktrader_kernels.js";
import { loadCandles } from "./data-sources.js";

const here = (path) => new URL(path, import.meta.url).href;
const timings = {};

async function step(name, fn) {
  const t0 = performance.now();
  const value = await fn();
  timings[name] = performance.now() - t0;
  postMessage({ type: "step", name, ms: timings[name] });
  return value;
}

async function boot() {
  const build = await (await fetch(here("build.json"))).json();
  const pyodide = await step("pyodide", () => loadPyodide({ indexURL: here("vendor/pyodide/") }));
  await step("core wheel", () => pyodide.loadPackage(here(`wheels/${build.wheel}`), { messageCallback: () => {} }));
  let browser;
  await step("kernels", async () => {
    await initKernels({ module_or_path: here("kernels/cracktrader_kernels_bg.wasm") });
    pyodide.registerJsModule("_cracktrader_wasm", kernels);
    browser = pyodide.pyimport("cracktrader.browser");
  });
  return { pyodide, browser };
}

const ready = boot();
ready.then(
  () => postMessage({ type: "ready", timings }),
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

// The latest dataset, already in Python, so a re-run does not reload it.
let loaded = { key: null, candles: null };

async function candlesFor(browser, data) {
  const key = JSON.stringify(data.kind === "file" ? { kind: "file", name: data.name, size: data.bytes.byteLength } : data);
  if (loaded.key === key) return loaded.candles;
  const source = await loadCandles(data);
  const out = source.csvBytes
    ? call(browser.candles_from_csv, source.csvBytes, source.name)
    : call(browser.candles_from_columns, source.columns, source.name);
  loaded.candles?.destroy();
  loaded = { key, candles: out.get("candles") };
  out.destroy();
  return loaded.candles;
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

  async run({ browser }, request, id) {
    const t0 = performance.now();
    const candles = await candlesFor(browser, request.data);
    const t1 = performance.now();
    let last = 0;
    const progress = (done, total) => {
      const now = performance.now();
      if (now - last > 100 || done === total) {
        last = now;
        postMessage({ id, type: "progress", done, total });
      }
    };
    const out = call(browser.run, request.source, request.strategy ?? null, candles,
      JSON.stringify(request.settings ?? {}), JSON.stringify(request.params ?? {}), !!request.json, progress,
      JSON.stringify(request.view ?? {}));
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

self.onmessage = async ({ data }) => {
  const { id, type } = data;
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

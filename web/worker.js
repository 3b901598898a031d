// The Web Worker that runs the CrackTrader core on Pyodide, with the WASM kernels.
// Everything is loaded from this site: Pyodide's core files, the core wheel, the kernels.
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";
import initKernels, * as kernels from "./kernels/cracktrader_kernels.js";

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
  await step("kernels", async () => {
    await initKernels({ module_or_path: here("kernels/cracktrader_kernels_bg.wasm") });
    pyodide.registerJsModule("_cracktrader_wasm", kernels);
    pyodide.runPython("import cracktrader.kernels");
  });
  return pyodide;
}

const ready = boot();

ready.then(
  () => postMessage({ type: "ready", timings }),
  (err) => postMessage({ type: "error", message: String(err && err.stack || err) }),
);

const SMA_DEMO = `
import hashlib, time
from cracktrader import kernels, synthetic
x = synthetic.random_walk(N, SEED)
t0 = time.perf_counter()
y = kernels.sma(x, PERIOD)
ms = (time.perf_counter() - t0) * 1000
(kernels.backend, x, y, hashlib.sha256(y.tobytes()).hexdigest(), ms)
`;

function column(proxy) {
  const buf = proxy.getBuffer("f64");
  try {
    return buf.data.slice();
  } finally {
    buf.release();
  }
}

self.onmessage = async ({ data }) => {
  const { id, type, args } = data;
  try {
    const pyodide = await ready;
    if (type !== "sma") throw new Error(`unknown request ${type}`);
    const globals = pyodide.toPy({ N: args.n, SEED: args.seed, PERIOD: args.period });
    const result = pyodide.runPython(SMA_DEMO, { globals });
    const [backend, x, y, digest, ms] = result.toJs({ depth: 1 });
    const reply = { backend, x: column(x), y: column(y), digest, ms };
    for (const p of [x, y, result, globals]) p.destroy();
    postMessage({ id, type: "result", result: reply }, [reply.x.buffer, reply.y.buffer]);
  } catch (err) {
    postMessage({ id, type: "error", message: String(err && err.message || err) });
  }
};

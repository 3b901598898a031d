// The worker's start-up: Python (Pyodide restored from a memory snapshot), the core and the
// WASM kernels, everything loaded from this site; and where its time went (startupReport).
const here = (path) => new URL(path, import.meta.url).href;
const timings = {};
const t0 = performance.now();
// Start-up marks: [name, epoch ms] (the page puts them on its own clock; bench/web.py prints
// them), "worker" being when the worker began.
const marks = [["worker", performance.timeOrigin + t0]];
const mark = (name) => marks.push([name, performance.timeOrigin + performance.now()]);

// Each start-up step's time from the worker's start to its end (they overlap).
async function step(name, promise) {
  const value = await promise;
  timings[name] = performance.now() - t0;
  mark(name);
  postMessage({ type: "step", name, ms: timings[name] });
  return value;
}

// Everything starts at once: Pyodide boots while the core downloads and the kernels
// compile (streaming); the versioned files' paths are in build.json (scripts/build_web.py).
// Resolves to {pyodide, browser: the cracktrader.browser module}.
export async function boot() {
  const cache = self.caches?.open("cracktrader-python-snapshot").catch(() => null); // slow on a first visit
  const build = await (await fetch(here("build.json"))).json();
  mark("build.json");
  const core = fetch(here(build.core)).then((r) => {
    if (!r.ok) throw new Error(`cannot load the core: HTTP ${r.status}`);
    return r.arrayBuffer();
  }).finally(() => mark("core fetched"));
  const kernels = import(here(build.kernels)).then(async (module) => {
    await module.default({ module_or_path: here(build.kernels_wasm) });
    mark("kernels compiled");
    return module;
  });
  // A memory snapshot of Python with the core imported (scripts/pyodide_snapshot.mjs):
  // restored instead of booting.
  const snapshot = snapshotBytes(here(build.snapshot), cache).finally(() => mark("snapshot fetched"));
  const early = compileEarly(here(`${build.pyodide}pyodide.asm.wasm`));
  const { loadPyodide } = await import(here(`${build.pyodide}pyodide.mjs`));
  mark("pyodide.mjs");
  // fsInit runs once Python's WASM is instantiated, before its memory is restored.
  const options = { indexURL: here(build.pyodide), _loadSnapshot: snapshot.then((s) => s.bytes), fsInit: () => mark("python wasm") };
  const pyodide = await step("pyodide", loadPyodide(options).finally(early.done));
  await step("core", core.then((bytes) => {
    // The snapshot imports the core from this archive as it is (zipimport): the same bytes at
    // the same path hold the modules not imported yet. A fresh seed for `random`, whose state
    // the snapshot froze.
    const archive = pyodide.runPython("import cracktrader, random; random.seed(); cracktrader.__loader__.archive");
    pyodide.FS.writeFile(archive, new Uint8Array(bytes));
  }));
  const browser = await step("kernels", kernels.then((module) => {
    pyodide.registerJsModule("_cracktrader_wasm", module);
    return pyodide.pyimport("cracktrader.browser");
  }));
  snapshot.then((s) => s.keep()); // stored once Python is up, not while it starts
  return { pyodide, browser };
}

// The snapshot: {bytes, keep()}. Fetched as gzip (31 MB travel as 6, from any host) and
// inflated here, which takes the worker half a second: keep() stores them inflated in the cache
// `opening` resolves to (the Cache API's, where the browser offers it: https, localhost), and
// the next visits read them back from there. One entry, the current version's: keep() removes
// the others.
async function snapshotBytes(url, opening) {
  const cache = await opening;
  const kept = await cache?.match(url).catch(() => null);
  if (kept) return { bytes: await kept.arrayBuffer(), keep: () => {} };
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load the Python snapshot: HTTP ${response.status}`);
  const bytes = unsparse(await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  const copy = cache && new Response(bytes); // Pyodide may reuse the buffer
  const keep = async () => {
    await cache.put(url, copy);
    for (const old of await cache.keys()) if (old.url !== url) await cache.delete(old);
  };
  return { bytes, keep: () => cache && keep().catch(() => {}) }; // not kept: the next visit inflates again
}

// The memory a sparse snapshot stands for (scripts/build_web.py, sparse: the pages of zeros
// left out): its size, page size and kept pages' indexes (u32), then those pages.
function unsparse(buffer) {
  const [size, page, count] = new Uint32Array(buffer, 0, 3);
  const memory = new Uint8Array(size);
  let at = 4 * (3 + count);
  for (const index of new Uint32Array(buffer, 12, count)) {
    const length = Math.min(page, size - index * page);
    memory.set(new Uint8Array(buffer, at, length), index * page);
    at += length;
  }
  return memory.buffer;
}

// Python's WASM compiled from now on, beside the snapshot's download and inflation:
// loadPyodide compiles it only once it holds the snapshot (half a second later, a second on a
// cold visit). Until done() is called, loadPyodide's own fetch of that URL gets a stand-in
// instead of a second download (a second read and, from the host, a second gunzip of 9.6 MB),
// and its instantiateStreaming of the stand-in gets this module; a failed early compile
// fetches and compiles it the usual way, which reports the error.
function compileEarly(url) {
  const module = WebAssembly.compileStreaming(fetch(url)).finally(() => mark("python wasm compiled"));
  module.catch(() => {});
  const { fetch: fetchAny } = self;
  const { instantiateStreaming } = WebAssembly;
  const standIn = new Response();
  self.fetch = (resource, init) => (String(resource) === url ? Promise.resolve(standIn) : fetchAny(resource, init));
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const response = await source;
    if (response !== standIn) return instantiateStreaming(response, imports);
    const compiled = await module.catch(() => null);
    if (!compiled) return instantiateStreaming(fetchAny(url), imports);
    return { module: compiled, instance: await WebAssembly.instantiate(compiled, imports) };
  };
  return {
    done: () => {
      self.fetch = fetchAny;
      WebAssembly.instantiateStreaming = instantiateStreaming;
    },
  };
}

// {timings: each step's end (ms from the worker's start), marks, resources: what the worker
// fetched, on the marks' clock: [file name, start, end, bytes over the wire (0: cached)]}.
export function startupReport() {
  const resources = performance.getEntriesByType("resource").map((e) => [
    e.name.split("/").pop(), performance.timeOrigin + e.startTime, performance.timeOrigin + e.responseEnd, e.transferSize,
  ]);
  return { timings, marks, resources };
}

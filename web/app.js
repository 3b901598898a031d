// The page: start-up and the automation API (README: window.cracktrader). Each part of the
// page is a module of its view (backtest/: strategy, data, settings, run, results, compare,
// link); what they share is declared once in state.js.
import { $, afterPaint } from "./dom.js";
import { client } from "./python.js";
import { state } from "./state.js";
import { setStatus } from "./status.js";
import { addDataset, dataSpec, dataView, describeDataset, initDataPicker } from "./backtest/data-picker.js";
import { showError } from "./backtest/errors.js";
import { initLink, restoreFromUrl } from "./backtest/link.js";
import { initResults, lastJson } from "./backtest/results.js";
import { initRun, run } from "./backtest/run.js";
import { initSettings } from "./backtest/settings.js";
import { initStrategy, inspect, setSource } from "./backtest/strategy.js";
import { initOptimize, optimize, renderSpace } from "./optimize/panel.js";
import { initLive, liveApi, showLive } from "./live/view.js";
import { initViews, showView } from "./views.js";

const runFromPage = () => run().catch(() => {}); // a failure is shown on the page

performance.mark("page modules"); // this module and all it imports (the editor's bundle)
await initStrategy({ onRun: runFromPage, onError: showError });
performance.mark("editor");
initDataPicker({ onFile: runFromPage });
initRun();
initResults();
initLink();
// A clicked trial runs with its parameters, shown in the Backtest view.
initOptimize({ onPick: () => { showView("backtest"); return runFromPage(); } });

async function loadSite() {
  state.site = await (await fetch("site.json")).json();
  for (const ds of state.site.datasets) addDataset(ds);
  initSettings(state.site);
  if (state.site.server) {
    $("server-run").hidden = false;
    const { datasets } = await (await fetch("api/datasets")).json();
    for (const ds of datasets) if (!state.datasets.has(ds.id)) addDataset(ds);
  }
  describeDataset();
  initLive();
  initViews((view) => (view === "live" ? showLive() : view === "optimize" && renderSpace()));
}

let firstRun = null; // its timing (state.timing), for the start-up figures

// Ready once Python is up and the first result is on screen: the shared run from the URL (when
// its data is here), or the code of the last session (or the first example) on the first dataset.
const ready = (async () => {
  await loadSite();
  performance.mark("site.json");
  const first = firstData();
  if (first) client.prefetch(first); // fetched and decoded while Python boots
  const timings = await client.ready;
  performance.mark("python-ready"); // Pyodide, the core and the kernels loaded
  client.request("selfcheck", { n: 1000, seed: 1, period: 10 }).then(({ backend }) => { $("backend").textContent = backend; }, () => {});
  const restored = await restoreFromUrl();
  if (!restored) await inspect();
  performance.mark("inspected");
  $("run").disabled = false;
  setStatus("ready", "ready");
  if (state.datasets.size && (restored?.runnable ?? true)) await runFromPage();
  await afterPaint(); // the result (or the ready page) on screen
  performance.mark("cracktrader-ready"); // start-up as bench/web.py and the e2e tests report it
  firstRun = state.timing;
  return timings;
})();
ready.catch((err) => setStatus("error", `failed to start: ${err.message}`));

// What the first run will load, when it is a site dataset with no range (the demo on a first
// visit): worth fetching while Python boots.
function firstData() {
  if (location.hash) return null; // a link: its data and range are decided on restoring it
  try {
    const view = dataView();
    return Object.keys(view).length ? null : dataSpec(view);
  } catch {
    return null;
  }
}

window.cracktrader = {
  ready,
  // Puts `source` in the editor (as if typed) and refreshes the strategy and parameter lists.
  setStrategy: (source) => setSource(source),
  run: (config = {}) => ready.then(() => run(config, true)),
  stop: () => client.stop(),
  // A parameter search (or walk-forward) in a pool of workers: see optimize/panel.js; resolves
  // to the result document (as the server's results.json).
  optimize: (config = {}) => ready.then(() => optimize(config)),
  // How many runs have ended (done, failed or stopped): lets scripts wait for the next one.
  get completedRuns() {
    return state.completedRuns;
  },
  // The last shown run's timings (ms): data, python, transfer (in the worker), show, total.
  get timing() {
    return state.timing;
  },
  // Where start-up went: {marks: [[ms from navigation, name]] of the page and the worker in
  // order, fetches: [[file, start ms, end ms, bytes over the wire]] of the worker, firstRun: the
  // first run's timing}. bench/web.py prints it.
  get startup() {
    const page = (epoch) => epoch - performance.timeOrigin;
    const { marks = [], resources = [] } = client.startup ?? {};
    return {
      marks: [...performance.getEntriesByType("mark").map((m) => [m.startTime, m.name]),
        ...marks.map(([name, epoch]) => [page(epoch), `worker: ${name}`])].sort((x, y) => x[0] - y[0]),
      fetches: resources.map(([name, start, end, bytes]) => [name, page(start), page(end), bytes]),
      firstRun,
    };
  },
  // The Live view: select(id), selected, lastSeq, fillsShown() (trade id -> epoch ms drawn).
  live: liveApi,
  // The result JSON of the last run shown (fetched from the worker when the page ran it).
  async lastResult() {
    const json = await lastJson();
    return json === null ? null : JSON.parse(json);
  },
};

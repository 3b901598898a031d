// The page: starts the Pyodide worker, shows each start-up step and the SMA demo result.
// Automation API (documented in README): window.cracktrader.ready, window.cracktrader.sma(args).
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
const pending = new Map();
let nextId = 1;

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

function addStep(name, ms) {
  const row = document.createElement("tr");
  row.innerHTML = `<td></td><td class="ms"></td>`;
  row.cells[0].textContent = name;
  row.cells[1].textContent = `${ms.toFixed(0)} ms`;
  $("step-rows").append(row);
}

const ready = new Promise((resolve, reject) => {
  worker.addEventListener("message", ({ data }) => {
    if (data.type === "step") addStep(data.name, data.ms);
    else if (data.type === "ready") resolve(data.timings);
    else if (data.type === "error" && data.id === undefined) reject(new Error(data.message));
    else if (data.id !== undefined) {
      const { resolve: ok, reject: fail } = pending.get(data.id);
      pending.delete(data.id);
      data.type === "error" ? fail(new Error(data.message)) : ok(data.result);
    }
  });
});

function request(type, args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, type, args });
  });
}

function drawChart(x, y) {
  const chart = LightweightCharts.createChart($("chart"), { autoSize: true });
  const t0 = Date.UTC(2024, 0, 1) / 1000;
  const points = (values) => Array.from(values, (v, i) =>
    Number.isNaN(v) ? { time: t0 + i * 3600 } : { time: t0 + i * 3600, value: v });
  chart.addSeries(LightweightCharts.LineSeries, { color: "#888", lineWidth: 1 }).setData(points(x));
  chart.addSeries(LightweightCharts.LineSeries, { color: "#2962ff", lineWidth: 2 }).setData(points(y));
  chart.timeScale().fitContent();
}

async function sma(args) {
  await ready;
  return request("sma", args);
}

async function demo() {
  const args = { n: 2000, seed: 7, period: 20 };
  $("period").textContent = args.period;
  const result = await sma(args);
  $("backend").textContent = result.backend;
  addStep("sma kernel", result.ms);
  $("digest").textContent = `sha256(sma) = ${result.digest}`;
  drawChart(result.x, result.y);
  return { ...args, backend: result.backend, digest: result.digest, sma: Array.from(result.y) };
}

ready.then(() => setStatus("ready", "ready"), (err) => setStatus("error", `failed to start: ${err.message}`));
const demoResult = ready.then(demo);
demoResult.catch((err) => setStatus("error", err.message));
window.cracktrader = { ready, sma, demo: demoResult };

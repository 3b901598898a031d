// The data panel: the dataset picker (the site's and host's datasets, and a dropped file), the
// date range and timeframe, and what a run asks the worker to load.
import { $ } from "../dom.js";
import { state } from "../state.js";

const DAY_MS = 86_400_000;
// A dropped file becomes an entry of the picker too, so the picker says what runs.
const LOCAL_FILE = "local-file";

// `onFile()`: a file was dropped or chosen (the page runs it).
export function initDataPicker({ onFile }) {
  $("dataset").addEventListener("change", describeDataset);
  const drop = $("dropzone");
  const take = async (file) => {
    if (!file) return;
    await takeFile(file);
    onFile();
  };
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    take(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", () => take($("file").files[0]));
}

export function addDataset(ds) {
  state.datasets.set(ds.id, ds);
  $("dataset").add(new Option(`${ds.symbol} ${ds.timeframe} · ${ds.exchange} (${ds.rows.toLocaleString()} bars)`, ds.id));
}

// The file to run, when the picker has the dropped file selected.
export function selectedFile() {
  return $("dataset").value === LOCAL_FILE ? state.localFile : null;
}

// The selected dataset's id (undefined for a local file).
export function selectedDatasetId() {
  return selectedFile() ? undefined : $("dataset").value;
}

export function selectDataset(id) {
  if (id && state.datasets.has(id)) $("dataset").value = id;
}

export function describeDataset() {
  const file = selectedFile();
  const ds = state.datasets.get($("dataset").value);
  if (file) $("dataset-info").textContent = `Local file: ${file.name} (${(file.bytes.byteLength / 1024).toFixed(0)} KB)`;
  else if (ds) {
    const span = [ds.first, ds.last].map((t) => new Date(t).toISOString().slice(0, 10)).join(" → ");
    $("dataset-info").textContent = `${span}${ds.description ? ` — ${ds.description}` : ""}`;
  }
}

async function takeFile(file) {
  state.localFile = { name: file.name, bytes: await file.arrayBuffer() };
  const picker = $("dataset");
  const option = [...picker.options].find((o) => o.value === LOCAL_FILE) ?? picker.appendChild(new Option("", LOCAL_FILE));
  option.text = `${file.name} · local file`;
  picker.value = LOCAL_FILE;
  describeDataset();
}

// The part of the data to run on: a date range (UTC days, both included) and a timeframe to
// aggregate to, each optional.
export function dataView() {
  const view = {};
  if ($("since").value) view.since = Date.parse(`${$("since").value}T00:00:00Z`);
  if ($("until").value) view.until = Date.parse(`${$("until").value}T00:00:00Z`) + DAY_MS;
  if ($("timeframe").value) view.timeframe = $("timeframe").value;
  return view;
}

export function showDataView(view = {}) {
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  $("since").value = view.since !== undefined ? day(view.since) : "";
  $("until").value = view.until !== undefined ? day(view.until - DAY_MS) : "";
  $("timeframe").value = view.timeframe ?? "";
}

// What the worker loads for the picked data.
export function dataSpec(view) {
  const file = selectedFile();
  if (file) return { kind: "file", name: file.name, bytes: file.bytes };
  const ds = state.datasets.get($("dataset").value);
  if (!ds) throw new Error("no dataset selected");
  return datasetSpec(ds, view);
}

// What the worker loads for the automation API's `data`: a dataset id, a URL, or columns.
export function automationData(data, view) {
  if (typeof data === "string") {
    if (state.datasets.has(data)) return datasetSpec(state.datasets.get(data), view);
    return { kind: "url", url: new URL(data, location.href).href };
  }
  return { kind: "columns", columns: data };
}

function datasetSpec(ds, view) {
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

// The data panel: the dataset picker (the site's and the host's datasets, and every file the
// user dropped), the date range and timeframe — checked as they are entered against the data's
// span — and what a run asks the worker to load.
import { $ } from "../dom.js";
import { client } from "../python.js";
import { state } from "../state.js";

const DAY_MS = 86_400_000;
const FILE = "file:"; // picker values of dropped files: "file:<name>"
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

// `onFile()`: a file was dropped or chosen (the page runs it).
export function initDataPicker({ onFile }) {
  $("dataset").addEventListener("change", () => {
    describeDataset();
    checkRange();
  });
  for (const id of ["since", "until", "timeframe"]) $(id).addEventListener("change", checkRange);
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
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      $("file").click();
    }
  });
  $("file").addEventListener("change", () => take($("file").files[0]));
}

export function addDataset(ds) {
  state.datasets.set(ds.id, ds);
  $("dataset").add(new Option(`${ds.symbol} ${ds.timeframe} · ${ds.exchange} (${ds.rows.toLocaleString()} bars)`, ds.id));
}

// The file to run, when the picker has a dropped file selected.
export function selectedFile() {
  const value = $("dataset").value;
  return value.startsWith(FILE) ? state.localFiles.get(value.slice(FILE.length)) : null;
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
  const span = (first, last) => `${day(first)} → ${day(last)}`;
  if (file) {
    const about = file.info ? ` — ${file.info.rows.toLocaleString()} bars ${file.info.timeframe}, ${span(file.info.first, file.info.last)}` : "";
    $("dataset-info").textContent = `Local file: ${file.name} (${(file.bytes.byteLength / 1024).toFixed(0)} KB)${about}`;
  } else if (ds) {
    $("dataset-info").textContent = `${span(ds.first, ds.last)}${ds.description ? ` — ${ds.description}` : ""}`;
  }
}

// Every dropped file stays in the picker (a file dropped again under the same name replaces it).
async function takeFile(file) {
  const entry = { name: file.name, bytes: await file.arrayBuffer(), info: null };
  state.localFiles.set(file.name, entry);
  const picker = $("dataset");
  const value = FILE + file.name;
  const option = [...picker.options].find((o) => o.value === value) ?? picker.appendChild(new Option("", value));
  option.text = `${file.name} · local file`;
  picker.value = value;
  describeDataset();
  showDataError(null);
}

// What a run learned about the file it loaded (its span): the range is checked against it.
export async function learnFile(file) {
  if (file.info) return;
  try {
    file.info = await client.request("describe", { data: { kind: "file", name: file.name, bytes: file.bytes } });
  } catch { /* the run reports what is wrong with the file */ }
  describeDataset();
}

// The span of the picked data, when known: [first, last] bar times.
function span() {
  const file = selectedFile();
  if (file) return file.info ? [file.info.first, file.info.last] : null;
  const ds = state.datasets.get($("dataset").value);
  return ds ? [ds.first, ds.last] : null;
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
  $("since").value = view.since !== undefined ? day(view.since) : "";
  $("until").value = view.until !== undefined ? day(view.until - DAY_MS) : "";
  $("timeframe").value = view.timeframe ?? "";
}

// What is wrong with a view of the picked data, or null: From after To, or no bar in the range.
export function rangeProblem(view = dataView()) {
  if (view.since !== undefined && view.until !== undefined && view.since >= view.until) {
    return "From is after To: the range is empty.";
  }
  const known = span();
  if (!known) return null;
  const [first, last] = known;
  if ((view.since !== undefined && view.since > last) || (view.until !== undefined && view.until <= first)) {
    return `No candles in that range: the data spans ${day(first)} to ${day(last)}.`;
  }
  return null;
}

function checkRange() {
  const problem = rangeProblem();
  showDataError(problem && { message: problem, field: "since" });
}

// Data errors (a bad file, an empty range) show in the Data box, next to what to change.
export function showDataError(err) {
  const box = $("data-error");
  box.hidden = !err;
  box.textContent = err ? err.message : "";
  $("data-view").classList.toggle("invalid", Boolean(err && (err.field === "since" || err.rule === "empty_range")));
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
  // A host dataset is cut and aggregated by the server; a site dataset (the demo) is loaded whole.
  return { kind: "dataset", id: ds.id, url: ds.url ?? hostCandlesUrl(ds.id, view), cut: !ds.url };
}

// A host dataset's candles, cut and aggregated by the server (the same kernels as the worker,
// which then finds nothing left to do): a year of hours, not five of minutes, crosses the wire.
function hostCandlesUrl(id, view) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(view)) q.set(key, String(value));
  const query = q.toString();
  return `api/datasets/${encodeURIComponent(id)}/candles${query ? `?${query}` : ""}`;
}

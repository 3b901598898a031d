// The share link: the run's inputs in the URL fragment (encoded by share.js), so a link
// reproduces the run. A local file cannot travel in a link: the link names it, and the page
// that opens it asks for the file instead of running other data.
import { $ } from "../dom.js";
import { decodeState, encodeState } from "../share.js";
import { state } from "../state.js";
import { setStatusText } from "../status.js";
import { dataView, selectDataset, selectedFile, showDataView } from "./data-picker.js";
import { settingsAsTyped, showSettings } from "./settings.js";
import { currentStrategy, editor, readParams, selectStrategy, setSource, syncParams } from "./strategy.js";

export function initLink() {
  $("share").addEventListener("click", share);
  $("notice-close").addEventListener("click", () => showNotice(null));
}

// A notice above the results (null hides it): what the page could not do, and what to do.
export function showNotice(text) {
  $("notice").hidden = !text;
  $("notice-text").textContent = text ?? "";
}

async function share() {
  const file = selectedFile();
  await saveToUrl(linkFragment({ source: editor.source, dataset: file ? undefined : $("dataset").value, file: file?.name,
                                 view: dataView(), strategy: currentStrategy()?.name, params: readParams() }));
  let copied = true;
  try {
    await navigator.clipboard.writeText(location.href);
  } catch {
    copied = false;
  }
  if (file) {
    const others = [...state.datasets.values()].map((ds) => ds.id).join(", ");
    showNotice(`${file.name} is a local file: it stays in your browser and cannot travel in a link. ` +
      `The link carries the code, settings and range; whoever opens it is asked to drop ${file.name} ` +
      `(it will not run other data). To share the data too, pick one of this site's datasets (${others})` +
      `${state.site.server ? ", or import the file into the host (cracktrader data import) and pick it" : ""}.`);
    setStatusText(copied ? "link copied, without the data (a local file)" : "link in the address bar, without the data");
  } else {
    setStatusText(copied ? "link copied" : "link in the address bar");
  }
}

// What a link restores: the source, the data (a dataset, or the name of a local file) and its
// view, the strategy, the settings as typed on the page and the parameters. Encoding deflates
// the source through a few tasks (~150 ms after a first run's drawing): a run starts it beside
// its Python run and saves it once the result is shown.
export function linkFragment({ source, dataset, file, view, strategy, params }) {
  return encodeState({ source, dataset, file, view, strategy, settings: settingsAsTyped(), params });
}

export async function saveToUrl(fragment) {
  history.replaceState(null, "", `#${await fragment}`);
}

// Puts a link's run on the page. Returns null when the URL carries none, else whether its data
// is here to run (a local file, or a dataset this site does not have, is not).
export async function restoreFromUrl() {
  const saved = await decodeState(location.hash);
  if (!saved) return null;
  selectDataset(saved.dataset);
  showDataView(saved.view);
  showSettings(saved.settings);
  await setSource(saved.source, saved.strategy);
  selectStrategy(saved.strategy);
  syncParams(saved.params);
  if (saved.file) {
    showNotice(`This link was made with a local file, ${saved.file}, which cannot travel in a link: ` +
      `drop ${saved.file} on the Data box to run it. Nothing was run.`);
    return { runnable: false };
  }
  if (saved.dataset && !state.datasets.has(saved.dataset)) {
    showNotice(`This link's dataset, ${saved.dataset}, is not on this site: pick data to run it on. Nothing was run.`);
    return { runnable: false };
  }
  return { runnable: true };
}

// The share link: the run's inputs in the URL fragment (encoded by share.js), so a link
// reproduces the run.
import { $ } from "../dom.js";
import { decodeState, encodeState } from "../share.js";
import { setStatusText } from "../status.js";
import { dataView, selectDataset, selectedDatasetId, showDataView } from "./data-picker.js";
import { settingsAsTyped, showSettings } from "./settings.js";
import { currentStrategy, editor, readParams, renderParams, selectStrategy, setSource } from "./strategy.js";

export function initLink() {
  $("share").addEventListener("click", async () => {
    await saveToUrl({ source: editor.source, dataset: selectedDatasetId(), view: dataView(), strategy: currentStrategy()?.name, params: readParams() });
    try {
      await navigator.clipboard.writeText(location.href);
      setStatusText("link copied");
    } catch {
      setStatusText("link in the address bar");
    }
  });
}

// What a link restores: the source, the dataset and its view, the strategy, the settings on
// the page and the parameters.
export async function saveToUrl({ source, dataset, view, strategy, params }) {
  const fragment = await encodeState({ source, dataset, view, strategy, settings: settingsAsTyped(), params });
  history.replaceState(null, "", `#${fragment}`);
}

// Puts a link's run on the page; false when the URL carries none.
export async function restoreFromUrl() {
  const saved = await decodeState(location.hash);
  if (!saved) return false;
  selectDataset(saved.dataset);
  showDataView(saved.view);
  showSettings(saved.settings);
  await setSource(saved.source);
  selectStrategy(saved.strategy);
  renderParams(saved.params);
  return true;
}

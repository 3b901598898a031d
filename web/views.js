// Which view the page shows (the header's tabs): Backtest, Optimize or Live.
import { $ } from "./dom.js";

export function initViews(onShow) {
  for (const button of document.querySelectorAll("#views button")) {
    button.addEventListener("click", () => showView(button.dataset.view, onShow));
  }
}

export function showView(name, onShow = () => {}) {
  for (const button of document.querySelectorAll("#views button")) button.classList.toggle("active", button.dataset.view === name);
  for (const view of ["backtest", "optimize", "live"]) $(`view-${view}`).hidden = view !== name;
  for (const id of ["run", "stop", "share", "progress"]) $(id).classList.toggle("off-view", name !== "backtest");
  onShow(name);
}

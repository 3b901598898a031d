// The status line, the progress bar and the runtime's start-up steps.
import { $ } from "./dom.js";
import { client } from "./python.js";

// kind: booting, ready, running, done, error (styles the text).
export function setStatus(kind, text) {
  $("status").dataset.state = kind;
  $("status").textContent = text;
}

// Keeps the kind, changes the words ("link copied").
export function setStatusText(text) {
  setStatus($("status").dataset.state, text);
}

// total === null hides the bar.
export function setProgress(done, total) {
  $("progress").hidden = total === null;
  if (total) $("progress-bar").style.width = `${Math.round((100 * done) / total)}%`;
}

client.addEventListener("step", ({ detail }) => {
  const row = $("step-rows").insertRow();
  row.insertCell().textContent = detail.name;
  row.insertCell().textContent = `${detail.ms.toFixed(0)} ms`;
});

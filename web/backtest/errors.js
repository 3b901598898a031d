// Where a failed run or a broken source is shown: a data problem in the Data box, anything
// else under the editor — with the strategy's line marked, its own frames, and the bar it
// failed on.
import { $ } from "../dom.js";
import { showDataError } from "./data-picker.js";
import { markErrorLine } from "./strategy.js";

const fmtTime = (ms) => new Date(ms).toISOString().replace("T", " ").slice(0, 16);

export function showError(err) {
  const box = $("error");
  showDataError(err?.kind === "data" ? err : null);
  if (!err || err.kind === "data") {
    box.hidden = true;
    box.replaceChildren();
    markErrorLine(null);
    return;
  }
  box.hidden = false;
  const head = document.createElement("div");
  head.className = "error-message";
  head.textContent = err.line ? `line ${err.line}: ${err.message}` : err.message;
  box.replaceChildren(head);
  if (err.bar) {
    const where = document.createElement("div");
    where.className = "error-where";
    where.textContent = `failed on bar ${err.bar.toLocaleString("en-US")}, ${fmtTime(err.time)} UTC`;
    box.append(where);
  }
  if (err.traceback?.length) {
    const trace = document.createElement("pre");
    trace.className = "error-trace";
    trace.textContent = ["Traceback (the strategy's own frames, most recent last):",
      ...err.traceback.map((f) => `  line ${f.line}, in ${f.function}\n    ${f.code}`)].join("\n");
    box.append(trace);
  }
  if (err.line && err.kind !== "data") markErrorLine(err.line);
}

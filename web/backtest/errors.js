// Where a failed run or a broken source is shown: the error box, and the editor's line.
import { $ } from "../dom.js";
import { markErrorLine } from "./strategy.js";

export function showError(err) {
  const box = $("error");
  if (!err) {
    box.hidden = true;
    markErrorLine(null);
    return;
  }
  box.hidden = false;
  box.textContent = err.line ? `line ${err.line}: ${err.message}` : err.message;
  if (err.line && err.kind !== "data") markErrorLine(err.line);
}

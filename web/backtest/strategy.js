// The strategy panel: the editor, the example picker, the strategy class and its parameters form.
import { $ } from "../dom.js";
import { createEditor } from "../editor.js";
import { client } from "../python.js";
import { state } from "../state.js";

export let editor = null;
let examples = [];
let hooks = { onRun: () => {}, onError: () => {} };

// `onRun()`: Ctrl+Enter; `onError(err | null)`: an error in the source to show (null: cleared).
export async function initStrategy(options) {
  hooks = options;
  examples = await (await fetch("examples.json")).json();
  editor = createEditor($("editor"), {
    source: examples[0].source,
    onChange: () => { hooks.onError(null); scheduleInspect(); },
    onRun: () => hooks.onRun(),
  });
  for (const [i, ex] of examples.entries()) {
    const option = new Option(ex.name, String(i));
    option.title = ex.title;
    $("examples").add(option);
  }
  $("examples").addEventListener("change", () => {
    editor.source = examples[Number($("examples").value)].source;
  });
  $("strategy-class").addEventListener("change", () => renderParams({}));
}

export function markErrorLine(line) {
  editor.markError(line);
}

let inspectTimer = null;
function scheduleInspect() {
  clearTimeout(inspectTimer);
  inspectTimer = setTimeout(inspect, 300);
}

// Asks Python which strategies the source defines, then rebuilds the class picker and the form.
export async function inspect() {
  clearTimeout(inspectTimer);
  const source = editor.source;
  try {
    const { strategies } = await client.request("inspect", { source });
    state.strategies = strategies;
    state.inspected = source;
    const select = $("strategy-class");
    const previous = select.value;
    select.replaceChildren(...strategies.map((s) => new Option(s.name, s.name)));
    if (strategies.some((s) => s.name === previous)) select.value = previous;
    renderParams();
  } catch (err) {
    if (err.kind !== "stopped") hooks.onError(err);
  }
}

// Puts `source` in the editor and describes it (strategy classes, parameters).
export async function setSource(source) {
  editor.source = source;
  await inspect();
}

// Makes sure the strategy list describes this very source (the edit may be newer than the last look).
export async function inspectIfChanged(source) {
  if (state.inspected !== source) await inspect();
}

export function currentStrategy() {
  return state.strategies.find((s) => s.name === $("strategy-class").value) ?? state.strategies[0];
}

export function selectStrategy(name) {
  if (name) $("strategy-class").value = name;
}

export function renderParams(values = readParams()) {
  const strategy = currentStrategy();
  const box = $("params");
  box.replaceChildren();
  for (const [name, dflt] of Object.entries(strategy?.params ?? {})) {
    const label = document.createElement("label");
    label.textContent = name;
    const input = document.createElement("input");
    input.name = name;
    input.dataset.kind = typeof dflt;
    const value = name in values ? values[name] : dflt;
    if (typeof dflt === "boolean") {
      input.type = "checkbox";
      input.checked = Boolean(value);
    } else {
      input.type = typeof dflt === "number" ? "number" : "text";
      input.step = "any";
      input.value = value ?? "";
    }
    label.append(input);
    box.append(label);
  }
}

export function readParams() {
  const params = {};
  for (const input of $("params").querySelectorAll("input")) {
    const kind = input.dataset.kind;
    params[input.name] = kind === "boolean" ? input.checked : kind === "number" ? Number(input.value) : input.value;
  }
  return params;
}

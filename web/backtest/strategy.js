// The strategy panel: the editor, the example picker (with the edits made to each example,
// kept across reloads), the strategy class and its parameters form.
import { $ } from "../dom.js";
import { createEditor } from "../editor.js";
import { editorHelp } from "../editor-help.js";
import { client } from "../python.js";
import { state } from "../state.js";

export let editor = null;
let examples = [];
let hooks = { onRun: () => {}, onError: () => {} };
const CUSTOM = "custom"; // the picker's entry for code that is none of the examples
const SESSION_KEY = "cracktrader.session"; // localStorage: {example, drafts: {example id: source}}

// `onRun()`: Ctrl+Enter; `onError(err | null)`: an error in the source to show (null: cleared).
export async function initStrategy(options) {
  hooks = options;
  const [list, help] = await Promise.all([fetch("examples.json"), fetch("help.json")].map(async (r) => (await r).json()));
  examples = list;
  const session = loadSession();
  state.drafts = new Map(Object.entries(session.drafts ?? {}));
  for (const [i, ex] of examples.entries()) {
    const option = new Option(ex.name, ex.id);
    option.title = ex.title;
    $("examples").add(option);
  }
  $("examples").add(new Option("Your code", CUSTOM));
  const first = examples.some((ex) => ex.id === session.example) || session.example === CUSTOM ? session.example : examples[0].id;
  $("examples").value = state.example = first;
  editor = createEditor($("editor"), {
    source: sourceOf(first),
    onChange: () => {
      hooks.onError(null);
      rememberDraft();
      scheduleInspect();
    },
    onRun: () => hooks.onRun(),
    help: editorHelp(help),
  });
  $("examples").addEventListener("change", () => switchExample($("examples").value));
  $("strategy-class").addEventListener("change", () => syncParams());
  $("params").addEventListener("input", (e) => {
    const input = e.target.closest("input");
    if (input) showDifference(input);
  });
  $("params").addEventListener("click", (e) => {
    const reset = e.target.closest("button[data-reset]");
    if (!reset) return;
    const input = $("params").querySelector(`input[name="${reset.dataset.reset}"]`);
    setInput(input, JSON.parse(input.dataset.default));
    showDifference(input);
  });
}

function loadSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY)) ?? {};
  } catch {
    return {};
  }
}

function saveSession() {
  try {
    localStorage.setItem(SESSION_KEY, JSON.stringify({ example: state.example, drafts: Object.fromEntries(state.drafts) }));
  } catch { /* storage full or refused: the session is simply not kept */ }
}

const example = (id) => examples.find((ex) => ex.id === id);

// The code to show for an entry of the picker: its edited draft, else the example itself.
function sourceOf(id) {
  return state.drafts.get(id) ?? example(id)?.source ?? "";
}

// Edits are kept per entry of the picker (and across reloads): switching never loses them.
function rememberDraft() {
  const pristine = example(state.example)?.source;
  const source = editor.source;
  if (source === pristine) state.drafts.delete(state.example);
  else state.drafts.set(state.example, source);
  saveSession();
}

function switchExample(id) {
  state.example = id;
  editor.source = sourceOf(id); // the change event keeps the draft (unchanged) and inspects
  saveSession();
}

// The picker follows code put in from outside (a link, the automation API): the example of its
// strategy class (the one named, else the first class the code defines), or "Your code".
function followSource(source, className) {
  const defined = className ?? source.match(/^class\s+(\w+)/m)?.[1];
  const match = examples.find((ex) => ex.source === source) ?? examples.find((ex) => ex.name === defined);
  state.example = match?.id ?? CUSTOM;
  $("examples").value = state.example;
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
    if (editor.source !== source) return; // edited meanwhile: the next look describes it
    state.strategies = strategies;
    state.inspected = source;
    const select = $("strategy-class");
    const previous = select.value;
    select.replaceChildren(...strategies.map((s) => new Option(s.name, s.name)));
    if (strategies.some((s) => s.name === previous)) select.value = previous;
    syncParams();
  } catch (err) {
    if (err.kind !== "stopped") hooks.onError(err);
  }
}

// Puts `source` in the editor (as if typed: kept as the picked entry's draft) and describes it.
export async function setSource(source, className) {
  if (source !== editor.source) {
    followSource(source, className);
    editor.source = source;
  }
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
  if (name && state.strategies.some((s) => s.name === name)) {
    $("strategy-class").value = name;
    syncParams();
  }
}

// The form follows the code: another strategy starts from its own defaults; for the same one,
// a parameter whose default changed in the code takes the new default, the others keep what
// was typed. `values` (a link's) override.
export function syncParams(values = null) {
  const strategy = currentStrategy();
  const defaults = strategy?.params ?? {};
  const before = state.params;
  const typed = readParams();
  const same = before.strategy === strategy?.name;
  const next = {};
  for (const [name, dflt] of Object.entries(defaults)) {
    const kept = same && name in typed && JSON.stringify(before.defaults[name]) === JSON.stringify(dflt);
    next[name] = values && name in values ? values[name] : kept ? typed[name] : dflt;
  }
  state.params = { strategy: strategy?.name ?? null, defaults };
  renderParams(defaults, next);
}

function renderParams(defaults, values) {
  const box = $("params");
  box.replaceChildren();
  for (const [name, dflt] of Object.entries(defaults)) {
    const label = document.createElement("label");
    label.append(name);
    const input = document.createElement("input");
    input.name = name;
    input.dataset.kind = typeof dflt;
    input.dataset.default = JSON.stringify(dflt);
    if (typeof dflt === "boolean") input.type = "checkbox";
    else {
      input.type = typeof dflt === "number" ? "number" : "text";
      input.step = "any";
    }
    setInput(input, values[name]);
    const note = document.createElement("span");
    note.className = "param-note";
    note.id = `param-note-${name}`;
    input.setAttribute("aria-describedby", note.id);
    label.append(input, note);
    box.append(label);
    showDifference(input);
  }
}

function setInput(input, value) {
  if (input.type === "checkbox") input.checked = Boolean(value);
  else input.value = value ?? "";
}

function inputValue(input) {
  const kind = input.dataset.kind;
  return kind === "boolean" ? input.checked : kind === "number" ? Number(input.value) : input.value;
}

// A value that is not the code's default says so, with a way back.
function showDifference(input) {
  const dflt = JSON.parse(input.dataset.default);
  const differs = inputValue(input) !== dflt;
  const note = $(`param-note-${input.name}`);
  input.classList.toggle("differs", differs);
  note.replaceChildren();
  if (differs) {
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "link";
    reset.dataset.reset = input.name;
    reset.textContent = `code: ${typeof dflt === "string" ? JSON.stringify(dflt) : String(dflt)}`;
    reset.title = "The code's default: click to use it";
    note.append(reset);
  }
}

export function readParams() {
  const params = {};
  for (const input of $("params").querySelectorAll("input")) params[input.name] = inputValue(input);
  return params;
}

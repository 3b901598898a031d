// Bundled by esbuild into vendor/editor.mjs (main thread): CodeMirror 6 with Python mode.
export { EditorView, basicSetup } from "codemirror";
export { EditorState, StateEffect, StateField } from "@codemirror/state";
export { Decoration, hoverTooltip, keymap } from "@codemirror/view";
export { indentWithTab } from "@codemirror/commands";
export { indentUnit } from "@codemirror/language";
export { python, pythonLanguage } from "@codemirror/lang-python";

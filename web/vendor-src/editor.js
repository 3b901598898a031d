// Bundled by esbuild into vendor/editor.mjs (main thread): CodeMirror 6 with Python mode.
export { EditorView, basicSetup } from "codemirror";
export { EditorState, StateEffect, StateField } from "@codemirror/state";
export { Decoration, keymap } from "@codemirror/view";
export { python } from "@codemirror/lang-python";

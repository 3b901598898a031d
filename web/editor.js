// The strategy editor: CodeMirror 6 in Python mode, with a marked line for errors.
// Python's 4-space indentation; Tab and Shift-Tab indent and dedent the lines (Escape then Tab
// leaves the editor, as does Ctrl-M then Tab: CodeMirror's escape from the keyboard trap).
import {
  Decoration, EditorState, EditorView, StateEffect, StateField, basicSetup, indentUnit, indentWithTab, keymap, python,
} from "./vendor/editor.mjs";

const setErrorLine = StateEffect.define();
const errorLineMark = Decoration.line({ class: "cm-error-line" });

const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setErrorLine)) {
        if (effect.value === null) return Decoration.none;
        const line = tr.state.doc.line(Math.min(Math.max(effect.value, 1), tr.state.doc.lines));
        return Decoration.set([errorLineMark.range(line.from)]);
      }
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// `help`: extensions for completion and hover docs (editor-help.js), or none.
export function createEditor(parent, { source, onChange, onRun, help = [] }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: source,
      extensions: [
        basicSetup,
        python(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        errorLine,
        help,
        keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }, indentWithTab]),
        EditorView.updateListener.of((update) => update.docChanged && onChange(view.state.doc.toString())),
      ],
    }),
  });
  return {
    view,
    get source() {
      return view.state.doc.toString();
    },
    set source(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    markError(line) {
      view.dispatch({ effects: setErrorLine.of(line ?? null) });
      if (line) {
        const pos = view.state.doc.line(Math.min(line, view.state.doc.lines)).from;
        view.dispatch({ effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      }
    },
  };
}

// The editor's help from help.json (scripts/build_help.py): completion of `ct.`, `ct.ind.`,
// `self.`, `self.data.` (and any feed's lines), `self.position.`, and hover docs for them.
import { hoverTooltip, pythonLanguage } from "./vendor/editor.mjs";

// What comes before the name being typed, and which part of the help it picks.
const CONTEXTS = [
  [/\bct\.ind\.(\w*)$/, "ind"],
  [/\bct\.(\w*)$/, "ct"],
  [/\bself\.(?:data\d*|datas\[\d+\])\.(?:open|high|low|close|volume|time)\.(\w*)$/, "line"],
  [/\bself\.(?:data\d*|datas\[\d+\])\.(\w*)$/, "data"],
  [/\bself\.position\.(\w*)$/, "position"],
  [/\bself\.(\w*)$/, "self"],
];
const TYPES = { class: "class", function: "function", namespace: "namespace", method: "method", property: "property" };

function option(item, group) {
  return {
    label: item.name,
    type: group === "ind" ? "function" : TYPES[item.kind] ?? "variable",
    detail: item.signature === item.name ? "" : item.signature.slice(item.name.length),
    info: item.doc,
  };
}

export function editorHelp(help) {
  const complete = (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    for (const [pattern, group] of CONTEXTS) {
      const match = before.match(pattern);
      if (!match) continue;
      return { from: context.pos - match[1].length, options: help[group].map((item) => option(item, group)), validFor: /^\w*$/ };
    }
    return null;
  };
  const hover = hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    const text = line.text;
    let start = pos - line.from, end = start;
    while (start > 0 && /\w/.test(text[start - 1])) start--;
    while (end < text.length && /\w/.test(text[end])) end++;
    if (start === end) return null;
    const before = text.slice(0, end);
    for (const [pattern, group] of CONTEXTS) {
      const match = before.match(pattern);
      if (!match || match.index + match[0].length !== end) continue;
      const item = help[group].find((x) => x.name === match[1]);
      if (!item) return null;
      return {
        pos: line.from + start, end: line.from + end, above: true,
        create: () => {
          const dom = document.createElement("div");
          dom.className = "cm-help";
          const sig = document.createElement("code");
          sig.textContent = group === "ind" ? `ct.ind.${item.signature}` : item.signature;
          const doc = document.createElement("div");
          doc.textContent = item.doc;
          dom.append(sig, doc);
          return { dom };
        },
      };
    }
    return null;
  });
  // Beside Python's own completions (keywords, names in the file), which basicSetup shows.
  return [pythonLanguage.data.of({ autocomplete: complete }), hover];
}

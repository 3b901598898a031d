"""The editor's help, from the core itself: what `ct.`, `ct.ind.`, `self.`, `self.data.` and
`self.position.` offer — names, signatures with defaults, one-line docs — as help.json (the
editor's completion and hover) and help.html (the page the Docs link opens).

Indicators: their inputs and outputs as `ct.ind` declares them, parameters and defaults from
the kernel's signature, warm-up and notes from docs/indicators.md's table.
"""

import html
import inspect
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the engine sets on a strategy, and what lines and positions offer (README: Writing a strategy).
ATTRIBUTES = {
    "self": [
        ("data", "the first feed: lines open, high, low, close, volume, time; data[0] is the current bar"),
        ("datas", "every feed, in the order given (self.datas[1] is data1)"),
        ("data0", "the first feed (data1, data2... the others)"),
        ("p", "the strategy's parameters: self.p.fast (class params, overridden per run)"),
        ("params", "the strategy's parameters (as self.p)"),
        ("position", "the first feed's position: falsy when flat; .size (> 0 long), .price, .unrealized"),
        ("broker", "the account: .cash, .value (cash + positions at the close), .fees"),
    ],
    "data": [
        ("open", "the bar's open; [0] the current bar, [-1] the one before"),
        ("high", "the bar's high"), ("low", "the bar's low"), ("close", "the bar's close"),
        ("volume", "the bar's volume"), ("time", "the bar's open time, UTC ms"),
    ],
    "position": [
        ("size", "units held: > 0 long, < 0 short, 0 flat"), ("price", "average entry price"),
        ("unrealized", "P&L if closed at the current close, before fees"), ("value", "market value at the current close"),
    ],
}
LINE_METHODS = [("get", "get(ago=0, size=1)", "the last `size` values ending `ago` bars back, oldest first")]


def first_line(doc):
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def kernel_notes():
    """{kernel: (warm-up, note)} from docs/indicators.md's table of kernels."""
    notes = {}
    for line in (ROOT / "docs" / "indicators.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.match(r"`(\w+)\(", cells[0])
        if match and len(cells) == 4:
            notes[match[1]] = (cells[2], cells[3])
    return notes


def indicators():
    import cracktrader.ind as ind
    from cracktrader import kernels

    notes = kernel_notes()
    out = []
    for name in ind.__all__:
        make = getattr(ind, name)
        spec = getattr(make, "spec", None)
        if spec is None:
            if name == "CrossOver":
                out.append({"name": name, "signature": "CrossOver(a, b)", "doc": first_line(make.__doc__)})
            continue
        params = list(inspect.signature(getattr(kernels, spec.kernel)).parameters.values())[len(spec.inputs):]
        args = [*spec.inputs, *(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in params)]
        warmup, note = notes.get(spec.kernel, ("", ""))
        outputs = ", ".join(spec.outputs) if len(spec.outputs) > 1 else "one line"
        doc = f"TA-Lib's {name}: {outputs}; warm-up {warmup or 'see the docs'} bars" + (f"; {note}" if note else "")
        out.append({"name": name, "signature": f"{name}({', '.join(args)})", "doc": doc,
                    "inputs": list(spec.inputs), "outputs": list(spec.outputs)})
    return out


def module_members():
    import cracktrader as ct

    out = []
    for name in sorted(ct.__all__, key=str.lower):
        value = getattr(ct, name)
        try:
            signature = f"{name}{inspect.signature(value)}" if callable(value) and not inspect.isclass(value) else name
        except (TypeError, ValueError):
            signature = name
        kind = "class" if inspect.isclass(value) else "namespace" if inspect.ismodule(value) else "function"
        out.append({"name": name, "kind": kind, "signature": signature, "doc": first_line(value.__doc__)})
    return out


def strategy_members():
    import cracktrader as ct

    out = [{"name": n, "kind": "property", "signature": n, "doc": d} for n, d in ATTRIBUTES["self"]]
    for name, value in vars(ct.Strategy).items():
        if name.startswith("_") or not callable(value) and not isinstance(value, property):
            continue
        fn = value.fget if isinstance(value, property) else value
        signature = name if isinstance(value, property) else f"{name}{inspect.signature(fn)}".replace("(self, ", "(").replace("(self)", "()")
        out.append({"name": name, "kind": "property" if isinstance(value, property) else "method",
                    "signature": signature, "doc": first_line(fn.__doc__)})
    return out


def reference():
    return {
        "ct": module_members(),
        "ind": indicators(),
        "self": strategy_members(),
        "data": [{"name": n, "kind": "property", "signature": n, "doc": d} for n, d in ATTRIBUTES["data"]],
        "line": [{"name": n, "kind": "method", "signature": s, "doc": d} for n, s, d in LINE_METHODS],
        "position": [{"name": n, "kind": "property", "signature": n, "doc": d} for n, d in ATTRIBUTES["position"]],
    }


SECTIONS = [("ct", "cracktrader (import cracktrader as ct)"), ("ind", "Indicators: ct.ind"),
            ("self", "In a strategy: self."), ("data", "A feed's lines: self.data."),
            ("position", "A position: self.position.")]


def page(ref):
    """help.html: the reference as one page."""
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width, initial-scale=1'>",
             "<meta name=color-scheme content='light dark'><title>CrackTrader — strategy reference</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;line-height:1.45}"
             "code{font-family:ui-monospace,monospace}dt{margin-top:.5rem}dd{margin-left:1.5rem}</style></head><body>",
             "<h1>Strategy reference</h1><p>Write a <code>ct.Strategy</code> subclass: build indicators in "
             "<code>init()</code>, trade in <code>next()</code>. In the editor, Ctrl+Space completes these names and "
             "hovering one shows its help.</p>"]
    for key, title in SECTIONS:
        parts.append(f"<h2 id={key}>{html.escape(title)}</h2><dl>")
        for item in ref[key]:
            parts.append(f"<dt><code>{html.escape(item['signature'])}</code></dt><dd>{html.escape(item['doc'])}</dd>")
        parts.append("</dl>")
    parts.append("</body></html>")
    return "".join(parts)


def write(out_dir):
    ref = reference()
    (out_dir / "help.json").write_text(json.dumps(ref, separators=(",", ":")))
    (out_dir / "help.html").write_text(page(ref))


if __name__ == "__main__":
    print(json.dumps(reference(), indent=1))

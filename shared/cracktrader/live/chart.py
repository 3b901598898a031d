"""The strategy's indicator lines for the live chart (the lines a backtest draws:
`runner.overlays`), journaled as "lines" events:

    {"panes": {label: "price" | "own"}, "time": [UTC ms, ...], "values": {label: [value or null, ...]}}

one at each start with the history the engine holds (its last HISTORY bars: warm-up, replayed
bars), then one for each closed bar. `merge` puts them together for a reader: a later value for
a time replaces an earlier one.
"""

import math

HISTORY = 10_000  # bars in a start's event: the chart's usual reach, a bounded event


def lines_event(engine, last=HISTORY):
    """The lines at the engine's last `last` bars, or None if the strategy keeps none."""
    from ..runner import overlays

    found = overlays(engine)
    times = engine.feeds[0].time.values
    n = len(times)
    if not found or not n:
        return None
    a = max(0, n - last)
    return {"panes": {label: pane for label, pane, _ in found}, "time": list(times[a:n]),
            "values": {label: [_number(v) for v in values[a:n]] for label, _, values in found}}


def merge(events, times):
    """[{"name", "pane", "values"}] from "lines" events (their data, oldest first), the values
    aligned with `times` (null where a line has none)."""
    panes, at = {}, {}
    for data in events:
        panes.update(data["panes"])
        for label, values in data["values"].items():
            column = at.setdefault(label, {})
            column.update(zip(data["time"], values))
    return [{"name": label, "pane": pane, "values": [at[label].get(t) for t in times]} for label, pane in panes.items()]


def _number(v):
    return None if v is None or math.isnan(v) else float(v)

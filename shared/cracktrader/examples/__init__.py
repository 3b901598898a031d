"""Example strategies, shipped with the core: the page's examples menu, and tested on the
server and in the browser like any strategy. Each file defines one Strategy."""

from importlib.resources import files

NAMES = ["sma_cross", "rsi_reversion", "bollinger_breakout", "atr_bracket", "signal_cross"]


def source(name):
    """The Python source of one example."""
    if name not in NAMES:
        raise ValueError(f"no example {name!r} (examples: {', '.join(NAMES)})")
    return (files(__name__) / f"{name}.py").read_text()

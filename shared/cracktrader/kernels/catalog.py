"""The indicator catalog: each indicator's name, streaming class, inputs, parameters with their
defaults, and outputs. It is declared once, in Rust (wasm/src/indicators/catalog.rs), and
exported alike by both builds; `FUNCTIONS`, the Pyodide adapter and `ct.ind` are made from it.

    from cracktrader.kernels.catalog import BY_NAME
    sig = BY_NAME["macd"]   # Signature(name='macd', stream='Macd', inputs=('x',), params=..., outputs=...)
    sig.params[0]           # Param(name='fast', type=<class 'int'>, default=12)
    sig.outputs             # ('macd', 'signal', 'hist')
    str(sig)                # 'macd(x, fast=12, slow=26, signal=9)'
"""

import json
from typing import NamedTuple

from ._backend import compiled


class Param(NamedTuple):
    name: str
    type: type  # int or float
    default: object  # None: required


class Signature(NamedTuple):
    name: str  # the batch function
    stream: str  # its streaming class
    inputs: tuple  # input column names, in order
    params: tuple  # Param, in order
    outputs: tuple  # output names, in order ("value" when there is one)

    def __str__(self):
        """As docs/indicators.md writes it: `macd(x, fast=12, slow=26, signal=9)`."""
        params = [p.name if p.default is None else f"{p.name}={p.default!r}" for p in self.params]
        return f"{self.name}({', '.join([*self.inputs, *params])})"


def _load(text):
    return tuple(
        Signature(e["name"], e["stream"], tuple(e["inputs"]),
                  tuple(Param(p["name"], int if p["type"] == "int" else float, p["default"]) for p in e["params"]),
                  tuple(e["outputs"]))
        for e in json.loads(text)
    )


CATALOG = _load(compiled().indicator_catalog())
BY_NAME = {s.name: s for s in CATALOG}

"""The indicator catalog (declared once in wasm/src/indicators/catalog.rs): docs/indicators.md
documents it as declared, the kernels take what it declares, and every indicator has its oracle."""

import inspect
import re
from pathlib import Path

import pytest

import cracktrader.kernels as k
from cracktrader.kernels.catalog import CATALOG
from support.indicators import ORACLES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "indicators.md"


def documented():
    """Each row of the kernels' table in docs/indicators.md: (signature as written, outputs)."""
    rows = re.findall(r"^\| `(\w+\(.*?\))` \| ([^|]+) \|", DOCS.read_text(), re.MULTILINE)
    return [(signature, tuple(out.strip() for out in outputs.split(","))) for signature, outputs in rows]


def test_the_docs_list_every_indicator_as_the_catalog_declares_it():
    # Names, inputs, parameters with their defaults, outputs: `macd(x, fast=12, slow=26, signal=9)`
    # with outputs `macd, signal, hist`; a single output is `value`.
    assert documented() == [(str(sig), sig.outputs) for sig in CATALOG]
    assert f"has {len(CATALOG)} indicators" in DOCS.read_text()


@pytest.mark.parametrize("sig", CATALOG, ids=lambda sig: sig.name)
def test_each_kernel_takes_what_the_catalog_declares(sig):
    assert f"{sig.name}{inspect.signature(getattr(k, sig.name))}" == str(sig)
    stream = getattr(k, sig.stream)
    assert f"{sig.name}{inspect.signature(stream)}" == str(sig._replace(inputs=()))
    assert list(inspect.signature(stream.update).parameters)[-len(sig.inputs):] == list(sig.inputs)
    assert all(p.default is None or type(p.default) is p.type for p in sig.params)
    assert k.indicators.FUNCTIONS == [s.name for s in CATALOG] and sig.stream in k.indicators.CLASSES


def test_every_indicator_has_its_oracle():
    assert set(ORACLES) == {sig.name for sig in CATALOG}

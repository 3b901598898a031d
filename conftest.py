"""Fixtures shared by tests/ and e2e/: the built artifacts under test, built fresh where cheap."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "scripts")]

import build_core_wheel  # noqa: E402
from support.pyodide import Pyodide  # noqa: E402


@pytest.fixture(scope="session")
def core_wheel(tmp_path_factory):
    """The browser's core wheel, built fresh from the working tree."""
    return build_core_wheel.build(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def pyodide(core_wheel):
    """Pyodide under Node with the core wheel and the WASM kernels, shared by the session."""
    runtime = Pyodide(core_wheel)
    yield runtime
    runtime.close()

"""The distribution installs every package, and `import cracktrader` stays light."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    dirs = {name: ROOT / path for name, path in config["package-dir"].items()}
    found = set()
    for top, base in dirs.items():
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base).parts
            found.add(".".join((top, *rel)))
    assert found == set(config["packages"])


def test_import_is_light_and_fast():
    code = (
        "import sys, time; t = time.perf_counter(); import cracktrader, cracktrader.kernels; "
        "dt = time.perf_counter() - t; heavy = sorted({'ccxt', 'pyarrow', 'starlette', 'uvicorn', "
        "'numpy', 'pandas', 'optuna', 'distributed', 'matplotlib', 'cracktrader.host', 'cracktrader.optimize'} "
        "& set(sys.modules)); print(dt, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    seconds, heavy = out.split(" ", 1)
    assert heavy.strip() == "[]"
    assert float(seconds) < 0.1


def test_sweeps_import_their_heavy_parts_only_where_used():
    code = ("import sys, cracktrader as ct; ct.optimize; ct.walk_forward; import cracktrader.optimize.search, "
            "cracktrader.optimize.executors, cracktrader.optimize.walkforward; print(sorted({'optuna', 'distributed', "
            "'dask', 'matplotlib', 'numpy', 'cracktrader.host'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_core_never_imports_the_host():
    for path in (ROOT / "shared" / "cracktrader").rglob("*.py"):
        text = path.read_text()
        assert "cracktrader.host" not in text and "from host" not in text, path

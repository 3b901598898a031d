"""Build hooks of the `cracktrader` distribution; its metadata is in pyproject.toml.

- Packages are discovered: the core from shared/ and the host from host/ (installed as
  `cracktrader.host`), so a new subpackage needs no list to edit.
- A wheel carries the built web app (scripts/build_web.py) in `cracktrader/host/web`, so
  `cracktrader serve` and `build-static` work after a plain `pip install`. Its inputs (the
  WASM kernels, the npm packages) are made first when missing, after checking that the
  toolchain is there (scripts/build_prereqs.py names what is not). Editable installs skip it:
  a checkout serves build/web.
"""

import sys
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "scripts"))


def packages():
    core = find_packages("shared", include=["cracktrader", "cracktrader.*"])
    host = ["cracktrader.host"] + [f"cracktrader.host.{p}" for p in find_packages("host")]
    return core + host


class BuildPyWithWebApp(build_py):
    def run(self):
        super().run()
        if not self.editable_mode:
            import build_prereqs
            import build_web

            build_prereqs.prepare()
            build_web.build(Path(self.build_lib) / "cracktrader" / "host" / "web")


# One wheel for CPython 3.11 and later: the extension uses the stable ABI (pyo3's abi3-py311).
setup(packages=packages(), cmdclass={"build_py": BuildPyWithWebApp},
      options={"bdist_wheel": {"py_limited_api": "cp311"}})

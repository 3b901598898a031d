"""Assemble the web app into one static folder (default build/web): the page and worker from
web/, Pyodide's core files and the chart library from node_modules, the WASM kernels from
build/kernels, and the core wheel. Everything the page loads is in that folder: no CDN.

usage: python scripts/build_web.py [OUT_DIR]
"""

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_core_wheel  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
KERNELS = ROOT / "build" / "kernels"

PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
VENDOR_FILES = {
    "lightweight-charts.standalone.production.js": NODE / "lightweight-charts/dist/lightweight-charts.standalone.production.js",
}
KERNEL_FILES = ["cracktrader_kernels.js", "cracktrader_kernels_bg.wasm"]


def copy(src, dst):
    if not src.is_file():
        sys.exit(f"build_web: missing {src.relative_to(ROOT)} (run `make setup`)")
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def build(out):
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(ROOT / "web", tmp)
    for name in PYODIDE_FILES:
        copy(NODE / "pyodide" / name, tmp / "vendor" / "pyodide" / name)
    for name, src in VENDOR_FILES.items():
        copy(src, tmp / "vendor" / name)
    for name in KERNEL_FILES:
        copy(KERNELS / name, tmp / "kernels" / name)
    wheel = build_core_wheel.build(tmp / "wheels")
    (tmp / "build.json").write_text(json.dumps({"wheel": wheel.name, "version": build_core_wheel.version()}))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "web"))

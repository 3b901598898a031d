"""Assemble the web app into one static folder (default build/web) that any static file server
can host: the page and worker from web/, the front-end libraries bundled by esbuild, Pyodide's
core files, the WASM kernels, the core wheel and the demo dataset. No CDN.

usage: python scripts/build_web.py [OUT_DIR]
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This tree's core (the demo dataset, the examples), also when another one is installed.
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "shared")]
import build_core_wheel  # noqa: E402

NODE = ROOT / "node_modules"
KERNELS = ROOT / "build" / "kernels"

PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
VENDOR_FILES = {
    "lightweight-charts.standalone.production.js": NODE / "lightweight-charts/dist/lightweight-charts.standalone.production.js",
}
KERNEL_FILES = ["cracktrader_kernels.js", "cracktrader_kernels_bg.wasm"]
BUNDLES = ["editor", "data"]  # web/vendor-src/<name>.js -> vendor/<name>.mjs


def copy(src, dst):
    if not src.is_file():
        sys.exit(f"build_web: missing {src.relative_to(ROOT)} (run `make setup`)")
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def bundle(name, out):
    subprocess.run(
        [str(NODE / ".bin" / "esbuild"), str(ROOT / "web" / "vendor-src" / f"{name}.js"), "--bundle",
         "--format=esm", "--minify", "--target=es2022", "--log-level=warning", f"--outfile={out}"],
        check=True,
    )


def write_demo_dataset(out_dir):
    """The embedded demo dataset as an Arrow IPC stream, with its description."""
    import pyarrow as pa

    from cracktrader.demo import demo_candles

    candles = demo_candles()
    table = pa.table({name: pa.array(col) for name, col in candles.columns().items()})
    out_dir.mkdir(parents=True, exist_ok=True)
    with pa.OSFile(str(out_dir / "demo.arrow"), "wb") as f, pa.ipc.new_stream(f, table.schema) as writer:
        writer.write_table(table)
    return {
        "id": "demo", "url": "data/demo.arrow", "symbol": candles.symbol, "timeframe": candles.timeframe,
        "exchange": candles.exchange, "rows": len(candles), "first": candles.time[0], "last": candles.time[-1],
        "description": candles.meta["description"],
    }


def write_examples(path):
    """The core's example strategies for the page's menu: [{id, name, title, source}]."""
    import ast

    from cracktrader.examples import NAMES, source

    examples = []
    for name in NAMES:
        text = source(name)
        cls = next(n for n in ast.parse(text).body if isinstance(n, ast.ClassDef))
        title = (ast.get_docstring(cls) or cls.name).split("\n")[0]
        examples.append({"id": name, "name": cls.name, "title": title, "source": text})
    path.write_text(json.dumps(examples, indent=1))


def build(out):
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(ROOT / "web", tmp, ignore=shutil.ignore_patterns("vendor-src"))
    for name in PYODIDE_FILES:
        copy(NODE / "pyodide" / name, tmp / "vendor" / "pyodide" / name)
    for name, src in VENDOR_FILES.items():
        copy(src, tmp / "vendor" / name)
    for name in BUNDLES:
        bundle(name, tmp / "vendor" / f"{name}.mjs")
    for name in KERNEL_FILES:
        copy(KERNELS / name, tmp / "kernels" / name)
    wheel = build_core_wheel.build(tmp / "wheels")
    demo = write_demo_dataset(tmp / "data")
    write_examples(tmp / "examples.json")
    (tmp / "build.json").write_text(json.dumps({"wheel": wheel.name, "version": build_core_wheel.version()}))
    # What a static host offers; `cracktrader serve` answers /site.json itself with server features on.
    (tmp / "site.json").write_text(json.dumps({"server": False, "datasets": [demo]}, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "web"))

"""Assemble the web app into one static folder (default build/web) that any static file server
can host: the page and worker from web/, the front-end libraries bundled by esbuild, Pyodide's
core files, the WASM kernels, the core (with its Python snapshot) and the demo dataset. No CDN.

The large files are versioned: they live under `v/<hash of their bytes>/`, so a host may let
browsers keep them forever (`cracktrader serve` does; `_headers` says so to hosts that read it,
like Netlify or Cloudflare Pages), and build.json / site.json name them. Compressible files get
a gzip twin (`name.gz`) that a host can send as they are (Content-Encoding: gzip).

usage: python scripts/build_web.py [OUT_DIR]
"""

import gzip
import hashlib
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This tree's core (the demo dataset, the examples), also when another one is installed.
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "shared")]
import build_core_wheel  # noqa: E402
import build_help  # noqa: E402

NODE = ROOT / "node_modules"
KERNELS = ROOT / "build" / "kernels"

PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
VENDOR_FILES = {
    "lightweight-charts.standalone.production.js": NODE / "lightweight-charts/dist/lightweight-charts.standalone.production.js",
}
KERNEL_FILES = ["cracktrader_kernels.js", "cracktrader_kernels_bg.wasm"]
BUNDLES = ["editor", "data"]  # web/vendor-src/<name>.js -> vendor/<name>.mjs
COMPRESS = {".js", ".mjs", ".json", ".wasm", ".css", ".html", ".arrow", ".zip", ".svg"}
HEADERS = "/v/*\n  Cache-Control: public, max-age=31536000, immutable\n"


def versioned(out, files, made_from=None):
    """Move `files` (paths in the build) to v/<hash>/ (names kept): the folder. The hash is of
    their bytes, or of the files they were `made_from` when their own bytes vary from build to
    build (Python's snapshot holds clocks and random state)."""
    digest = hashlib.sha256()
    for f in sorted(made_from or files):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    folder = out / "v" / digest.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        f.rename(folder / f.name)
    return folder


def python_snapshot(pyodide_dir, wheel, out):
    """Pyodide's memory with the core imported and the archive it imports the core from
    (scripts/pyodide_snapshot.mjs, under Node): (the snapshot, sparse and as gzip the page
    inflates itself with DecompressionStream: 31 MB travel as 6, from any host; the archive)."""
    raw, core = out.with_suffix(""), out.with_name("cracktrader-core.zip")
    raw.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["node", str(ROOT / "scripts" / "pyodide_snapshot.mjs"), str(pyodide_dir), str(wheel), str(raw), str(core)],
                   check=True)
    out.write_bytes(gzip.compress(sparse(raw.read_bytes()), compresslevel=6, mtime=0))
    raw.unlink()
    return out, core


SPARSE_PAGE = 4096


def sparse(memory):
    """`memory` without its pages of zeros (half of a snapshot: half the inflating in the page):
    its size, the page size, the number of pages kept and their indexes (u32 little-endian),
    then those pages. web/worker.js puts them back in place."""
    zero = bytes(SPARSE_PAGE)
    kept = [i for i in range(0, len(memory), SPARSE_PAGE) if memory[i:i + SPARSE_PAGE] != zero[:len(memory) - i]]
    head = struct.pack(f"<3I{len(kept)}I", len(memory), SPARSE_PAGE, len(kept), *(i // SPARSE_PAGE for i in kept))
    return head + b"".join(memory[i:i + SPARSE_PAGE] for i in kept)


def compress(out):
    """A gzip twin beside each compressible file that shrinks by a tenth or more."""
    for path in list(out.rglob("*")):
        if path.is_file() and path.suffix in COMPRESS:
            data = path.read_bytes()
            packed = gzip.compress(data, compresslevel=9, mtime=0)
            if len(packed) < 0.9 * len(data):
                path.with_name(path.name + ".gz").write_bytes(packed)


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
    staging = tmp / "staging"
    for name in PYODIDE_FILES:
        copy(NODE / "pyodide" / name, staging / "pyodide" / name)
    pyodide = versioned(tmp, list((staging / "pyodide").iterdir()))
    for name, src in VENDOR_FILES.items():
        copy(src, tmp / "vendor" / name)
    for name in BUNDLES:
        bundle(name, tmp / "vendor" / f"{name}.mjs")
    for name in KERNEL_FILES:
        copy(KERNELS / name, staging / "kernels" / name)
    kernels = versioned(tmp, list((staging / "kernels").iterdir()))
    built = build_core_wheel.build(staging / "wheel")
    snapshot, core = python_snapshot(pyodide, built, staging / "snapshot" / "python.snapshot.gz")
    made_from = [built, ROOT / "scripts" / "pyodide_snapshot.mjs", *pyodide.iterdir()]
    folder = versioned(tmp, [snapshot, core], made_from)
    demo = write_demo_dataset(staging / "data")
    demo["url"] = str((versioned(tmp, [staging / "data" / "demo.arrow"]) / "demo.arrow").relative_to(tmp))
    shutil.rmtree(staging)
    write_examples(tmp / "examples.json")
    build_help.write(tmp)
    rel = lambda path: str(path.relative_to(tmp))  # noqa: E731
    (tmp / "build.json").write_text(json.dumps({
        "version": build_core_wheel.version(), "pyodide": rel(pyodide) + "/", "core": rel(folder / core.name),
        "kernels": rel(kernels / KERNEL_FILES[0]), "kernels_wasm": rel(kernels / KERNEL_FILES[1]),
        "snapshot": rel(folder / snapshot.name),
    }))
    # What a static host offers; `cracktrader serve` answers /site.json itself with server features on.
    from cracktrader.markets import catalog

    (tmp / "site.json").write_text(json.dumps({"server": False, "datasets": [demo], "markets": catalog()}, indent=1))
    (tmp / "_headers").write_text(HEADERS)
    compress(tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "web"))

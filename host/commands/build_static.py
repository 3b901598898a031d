"""`cracktrader build-static OUT`: the offline static demo — page, worker, Pyodide, the core,
WASM kernels, front-end libraries and the demo dataset — in one folder that any static file
server can host (`python -m http.server`, GitHub Pages). Server features are hidden there."""

import shutil
from pathlib import Path

from . import CommandError


def build_static(out, web_dir=None, force=False):
    from ..web_assets import WebAppNotBuilt, web_dir as find_web_dir

    try:
        source = find_web_dir(web_dir)
    except WebAppNotBuilt as e:
        raise CommandError(str(e)) from None
    out = Path(out)
    if out.resolve() == source.resolve():
        raise CommandError(f"{out} is the web build itself")
    if out.exists() and any(out.iterdir()) and not force:
        raise CommandError(f"{out} exists and is not empty (use --force to replace it)")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def run(args):
    out = build_static(args.out, args.web_dir, args.force)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"static demo in {out} ({size / 1e6:.1f} MB): serve it with `python -m http.server -d {out}`")


def register(commands):
    p = commands.add_parser("build-static", help="write the offline static demo to a folder")
    p.add_argument("out", help="folder to write (created; must be empty unless --force)")
    p.add_argument("--web-dir", help="web build to copy (default: the checkout's build/web)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(run=run)

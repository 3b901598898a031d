"""Build the pure-Python core (shared/cracktrader) as a wheel for Pyodide.

The browser gets only the core: no native extension, no host. The wheel is reproducible
(sorted entries, fixed timestamps), so an unchanged core gives a byte-identical file.

usage: python scripts/build_core_wheel.py OUT_DIR   -> prints the wheel's path
"""

import base64
import hashlib
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "shared" / "cracktrader"
EPOCH = (1980, 1, 1, 0, 0, 0)


def version():
    text = (CORE / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def core_files():
    for path in sorted(CORE.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path, "cracktrader/" + path.relative_to(CORE).as_posix()


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(out_dir):
    ver = version()
    dist_info = f"cracktrader-{ver}.dist-info"
    wheel = Path(out_dir) / f"cracktrader-{ver}-py3-none-any.whl"
    wheel.parent.mkdir(parents=True, exist_ok=True)
    entries = [(name, path.read_bytes()) for path, name in core_files()]
    entries.append((f"{dist_info}/METADATA", (
        f"Metadata-Version: 2.1\nName: cracktrader\nVersion: {ver}\n"
        "Summary: CrackTrader core (pure Python, for Pyodide)\nRequires-Python: >=3.11\n"
    ).encode()))
    entries.append((f"{dist_info}/WHEEL", (
        "Wheel-Version: 1.0\nGenerator: cracktrader build_core_wheel\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()))
    record = "\n".join(record_line(n, d) for n, d in entries) + f"\n{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode()))
    tmp = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp.replace(wheel)
    return wheel


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    print(build(sys.argv[1]))

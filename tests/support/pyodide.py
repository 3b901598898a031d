"""Drive Pyodide (under Node) with the core wheel and the WASM kernels from pytest."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("pyodide_runner.mjs")
PYODIDE_DIR = ROOT / "node_modules" / "pyodide"
KERNELS_DIR = ROOT / "build" / "kernels"


class PyodideError(AssertionError):
    pass


class Pyodide:
    """One Node process running Pyodide; `run(code)` executes code that sets `result`."""

    def __init__(self, wheel):
        for needed in (PYODIDE_DIR / "pyodide.mjs", KERNELS_DIR / "cracktrader_kernels_bg.wasm", wheel):
            if not Path(needed).is_file():
                raise FileNotFoundError(f"{needed} is missing: run `make setup`")
        self.proc = subprocess.Popen(
            ["node", str(RUNNER), str(PYODIDE_DIR), str(wheel), str(KERNELS_DIR)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        hello = self._read()
        self.boot_ms = hello["boot_ms"]
        self.python = hello["python"]
        self._next = 0

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise PyodideError(f"Pyodide runner exited with status {self.proc.wait()}")
        return json.loads(line)

    def run(self, code):
        self._next += 1
        self.proc.stdin.write(json.dumps({"id": self._next, "code": code}) + "\n")
        self.proc.stdin.flush()
        reply = self._read()
        assert reply["id"] == self._next
        if not reply["ok"]:
            raise PyodideError(reply["error"])
        return reply["result"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)

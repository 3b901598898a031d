// Runs Python code in Pyodide under Node with the core wheel and the WASM kernels, the same
// way the browser worker does. Protocol: one JSON request per stdin line,
// {"id": n, "code": "..."}; the code sets `result` to something JSON-serializable; one JSON
// reply per line on stdout: {"id": n, "ok": true, "result": ...} or {"id": n, "ok": false,
// "error": "Traceback..."}. The first line written is {"ready": true, "boot_ms": ...}.
//
// usage: node pyodide_runner.mjs PYODIDE_DIR WHEEL KERNELS_DIR
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pyodideDir, wheel, kernelsDir] = process.argv.slice(2);
const t0 = performance.now();
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: () => {} });
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel");
const kernelsModule = await import(pathToFileURL(path.join(kernelsDir, "cracktrader_kernels.js")).href);
await kernelsModule.default({ module_or_path: readFileSync(path.join(kernelsDir, "cracktrader_kernels_bg.wasm")) });
pyodide.registerJsModule("_cracktrader_wasm", kernelsModule);
pyodide.runPython("import cracktrader.kernels");
const write = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
write({ ready: true, boot_ms: performance.now() - t0, python: pyodide.runPython("import sys; sys.version") });

const RUN = `
import json, traceback
def _cracktrader_run(code):
    scope = {"__name__": "__pyodide_test__"}
    try:
        exec(compile(code, "<test>", "exec"), scope)
        return json.dumps({"ok": True, "result": scope.get("result")})
    except BaseException:
        return json.dumps({"ok": False, "error": traceback.format_exc()})
_cracktrader_run
`;
const run = pyodide.runPython(RUN);
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { id, code } = JSON.parse(line);
  process.stdout.write(JSON.stringify({ id, ...JSON.parse(run(code)) }) + "\n");
}

// A Pyodide memory snapshot with the core imported, made under Node at build time: the page's
// worker restores it instead of booting Python and importing the core (about ten times
// faster). Pyodide checks that the snapshot comes from the same Pyodide build.
//
// usage: node scripts/pyodide_snapshot.mjs PYODIDE_DIR WHEEL OUT
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheel, out] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", _makeSnapshot: true });
const site = pyodide.runPython("import site; site.getsitepackages()[0]");
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "whl", { extractDir: site });
// What start-up imports, except what needs the kernels (a JS module, registered in the page).
pyodide.runPython("import cracktrader, cracktrader.runner, cracktrader.data.checks, cracktrader.data.files.csv_text, hashlib, json");
writeFileSync(out, pyodide.makeMemorySnapshot());

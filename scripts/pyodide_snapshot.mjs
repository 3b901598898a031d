// A Pyodide memory snapshot with the core imported, made under Node at build time: the page's
// worker restores it instead of booting Python and importing the core (about ten times
// faster). Pyodide checks that the snapshot comes from the same Pyodide build.
//
// The core is imported from one archive (zipimport), not from unpacked files: the wheel's
// files plus the bytecode of the modules start-up imports once the kernels are registered.
// The page writes this archive's bytes at the same path (cracktrader.__loader__.archive)
// before importing anything more: no unpacking, no compiling in the page.
//
// usage: node scripts/pyodide_snapshot.mjs PYODIDE_DIR WHEEL OUT_SNAPSHOT OUT_CORE
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheel, out, outCore] = process.argv.slice(2);
const CORE = "/lib/cracktrader-core.zip";
// What start-up and the first run import, except what needs the kernels (a JS module,
// registered in the page): imported here, held by the snapshot.
const IMPORTS = ["cracktrader", "cracktrader.runner", "cracktrader.data.checks", "cracktrader.data.files.csv_text",
  "cracktrader.synthetic", "cracktrader.vectorized", "calendar", "datetime", "hashlib", "json", "numbers"];
// What start-up imports after the kernels: compiled here, its bytecode in the archive.
const COMPILED = ["cracktrader/browser.py", "cracktrader/kernels/"];

const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", _makeSnapshot: true });
pyodide.FS.writeFile("/tmp/core.whl", new Uint8Array(readFileSync(wheel)));
pyodide.runPython(`
import py_compile, zipfile

with zipfile.ZipFile("/tmp/core.whl") as wheel, zipfile.ZipFile("${CORE}", "w") as core:
    for info in wheel.infolist():
        source = wheel.read(info)
        core.writestr(info, source)
        if info.filename.endswith(".py") and info.filename.startswith(tuple(${JSON.stringify(COMPILED)})):
            with open("/tmp/module.py", "wb") as f:
                f.write(source)
            # Unchecked hash-based: valid whatever the archive's dates; dfile: the path a
            # traceback names, as for the source.
            py_compile.compile("/tmp/module.py", "/tmp/module.pyc", f"${CORE}/{info.filename}", doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            bytecode = zipfile.ZipInfo(info.filename + "c", info.date_time)
            bytecode.compress_type, bytecode.external_attr = info.compress_type, info.external_attr
            with open("/tmp/module.pyc", "rb") as f:
                core.writestr(bytecode, f.read())
`);
pyodide.runPython(`import sys; sys.path.insert(0, "${CORE}")`);
pyodide.runPython(`import ${IMPORTS.join(", ")}`);
writeFileSync(outCore, pyodide.FS.readFile(CORE));
writeFileSync(out, pyodide.makeMemorySnapshot());

"""The page boots Pyodide in a worker, loads the core wheel and the WASM kernels, and computes
the same SMA, bit for bit, as the native build."""

from array import array

import cracktrader.kernels as k
from cracktrader import synthetic


def test_page_computes_native_identical_sma(page, host_url):
    page.goto(host_url + "/")
    timings = page.evaluate("window.cracktrader.ready")
    assert set(timings) == {"pyodide", "core wheel", "kernels"}
    demo = page.evaluate("window.cracktrader.demo")
    assert demo["backend"] == "wasm"
    native = k.sma(synthetic.random_walk(demo["n"], demo["seed"]), demo["period"])
    assert array("d", demo["sma"]).tobytes() == native.tobytes()
    assert page.locator("#backend").inner_text() == "wasm"
    assert page.locator("#status").get_attribute("data-state") == "ready"
    # The chart drew (lightweight-charts renders into canvases) and each step shows a time.
    assert page.locator("#chart canvas").count() >= 1
    assert page.locator("#step-rows tr").count() == 4
    print(f"\nPyodide boot timings (ms): {timings}")


def test_page_reports_kernel_errors(page, host_url):
    page.goto(host_url + "/")
    page.evaluate("window.cracktrader.ready")
    error = page.evaluate("window.cracktrader.sma({n: 10, seed: 1, period: 11}).then(() => null, e => e.message)")
    assert "sma: n=11 is longer than the series (10 values)" in error
    page.evaluate("window.cracktrader.demo")


def test_health_endpoint(host_url):
    import json
    import urllib.request

    with urllib.request.urlopen(host_url + "/api/health") as r:
        body = json.load(r)
    assert body["status"] == "ok"

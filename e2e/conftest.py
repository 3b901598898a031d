"""Real headless Chromium (Debian's, driven by Playwright) against the app served on 127.0.0.1.

Every page fixture fails its test on any request that leaves 127.0.0.1, any failed request,
any console error (the page reports its workers' too) and any uncaught exception.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import build_web
from browser_env import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, CLI, HOST_TOKEN, LOCAL_HOSTS, free_port, wait_http


@pytest.fixture(scope="session")
def web_build(tmp_path_factory):
    """The web app built from the working tree (page, core wheel, kernels, vendor files)."""
    return build_web.build(tmp_path_factory.mktemp("web") / "site")


@pytest.fixture(scope="session")
def host_url(web_build, tmp_path_factory):
    """`cracktrader serve` on a free loopback port, serving the fresh web build, with a cache of
    its own holding one dataset (binance.E2E-USDT.1m, 5,000 bars)."""
    from cracktrader import synthetic
    from cracktrader.data import Cache

    cache = tmp_path_factory.mktemp("cache")
    cached = synthetic.ohlcv(5000, seed=11, symbol="E2E/USDT")
    cached.exchange = "binance"
    Cache(cache).write(cached)  # dataset binance.E2E-USDT.1m
    port = free_port()
    env = {**os.environ, "CRACKTRADER_CACHE_DIR": str(cache)}
    proc = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--web-dir", str(web_build), "--token", HOST_TOKEN],
        stdout=subprocess.DEVNULL, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/api/health", proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def static_url(web_build, tmp_path_factory):
    """The offline static demo (`cracktrader build-static`) served by `python -m http.server`."""
    out = tmp_path_factory.mktemp("static") / "site"
    subprocess.run([CLI, "build-static", str(out), "--web-dir", str(web_build)], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/index.html", proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make setup` (installs Debian's chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


STARTUP = {}  # site -> [cold ms, second visit ms], printed at the end of the session


@pytest.fixture
def startup():
    return STARTUP


def pytest_terminal_summary(terminalreporter):
    for site, (cold, second) in STARTUP.items():
        terminalreporter.write_line(f"start-up ({site}, window.cracktrader.ready): cold {cold / 1000:.2f} s, "
                                    f"second visit {second / 1000:.2f} s (one try on a shared machine; bench/web.py: best of several)")


class PageWatch:
    """What a page did that a test must not tolerate."""

    def __init__(self):
        self.requests = []
        self.problems = []

    def on_request(self, request):
        self.requests.append(request.url)
        host = urlsplit(request.url).hostname
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and host not in LOCAL_HOSTS:
            self.problems.append(f"request outside 127.0.0.1: {request.url}")

    def on_console(self, msg):
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text}")

    def watch(self, page):
        page.on("console", self.on_console)
        page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = PageWatch()
    context.on("request", watch.on_request)
    # Anything not on loopback is refused before it leaves the machine, and recorded above.
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOCAL_HOSTS else route.abort())
    page = context.new_page()
    watch.watch(page)
    page.watch = watch
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)

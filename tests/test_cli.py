"""The `cracktrader` command: help, and one-line errors with a non-zero status."""

import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("cracktrader"))


def run(*args, **env):
    import os

    return subprocess.run([CLI, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=30)


def test_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0 and "serve" in r.stdout
    r = run("serve", "--help")
    assert r.returncode == 0 and "127.0.0.1" in r.stdout


def test_public_bind_without_token_is_refused():
    r = run("serve", "--host", "0.0.0.0", "--port", "9", CRACKTRADER_TOKEN="")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "cracktrader serve: refusing to listen on 0.0.0.0 without a token: set CRACKTRADER_TOKEN "
        "or pass --token (or bind 127.0.0.1)"
    ]


def test_missing_web_build_is_one_line(tmp_path):
    r = run("serve", "--web-dir", str(tmp_path))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no built web app at" in lines[0] and "make web" in lines[0]


def test_unknown_command_fails():
    r = run("frobnicate")
    assert r.returncode != 0 and "invalid choice" in r.stderr


def test_build_static_copies_the_web_build(tmp_path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html>")
    (web / "site.json").write_text("{}")
    out = tmp_path / "out"
    r = run("build-static", str(out), "--web-dir", str(web))
    assert r.returncode == 0, r.stderr
    assert (out / "index.html").read_text() == "<!doctype html>"
    r = run("build-static", str(out), "--web-dir", str(web))
    assert r.returncode == 2 and "not empty" in r.stderr
    assert run("build-static", str(out), "--web-dir", str(web), "--force").returncode == 0

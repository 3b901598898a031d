"""Exchange keys: from the environment or a key file only its owner can read; never in the
journal, logs, errors, status output or a process's arguments."""

import json
import subprocess

import pytest

from cracktrader.live import LiveError, SessionConfig
from cracktrader.live.keys import Redactor, load_keys
from support.live import CLI, KEY, SECRET, STRATEGIES, bar_time, cli_args, env, start, trading_sim, wait_until
from cracktrader.live import read_state, send_command


def test_key_file_must_be_private(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"apiKey": "k" * 20, "secret": "s" * 40}))
    path.chmod(0o644)
    with pytest.raises(LiveError, match=r"can be read by other users \(mode 644\): run chmod 600"):
        load_keys("binance", path)
    path.chmod(0o600)
    assert load_keys("binance", path) == {"apiKey": "k" * 20, "secret": "s" * 40}
    with pytest.raises(LiveError, match="no such key file"):
        load_keys("binance", tmp_path / "missing.json")


def test_keys_from_the_environment():
    assert load_keys("binance", environ={"CRACKTRADER_BINANCE_API_KEY": "a1", "CRACKTRADER_BINANCE_SECRET": "b2",
                                         "CRACKTRADER_API_KEY": "x", "CRACKTRADER_SECRET": "y"}) == {"apiKey": "a1", "secret": "b2"}
    with pytest.raises(LiveError, match="CRACKTRADER_BINANCE_API_KEY"):
        load_keys("binance", environ={})


def test_keys_are_refused_in_the_exchange_config():
    with pytest.raises(LiveError, match=r"holds apiKey, options.secret: keys go in a key file"):
        SessionConfig(strategy_source="", strategy_class="X", exchange="binance", symbol="BTC/USDT", timeframe="1m",
                      exchange_config={"apiKey": "k", "options": {"secret": "s"}})
    with pytest.raises(LiveError, match=r"holds headers.X-MBX-APIKEY, options.api_secret_b64: keys go"):
        SessionConfig(strategy_source="", strategy_class="X", exchange="binance", symbol="BTC/USDT", timeframe="1m",
                      exchange_config={"headers": {"X-MBX-APIKEY": "k"}, "options": {"api_secret_b64": "s",
                                                                                    "tokenBucket": {"delay": 0.001}}})


def test_redactor():
    r = Redactor({"apiKey": "AKIA1234", "secret": "hush-hush-42"})
    assert r("bad key AKIA1234 and hush-hush-42!") == "bad key *** and ***!"


def test_a_session_never_shows_its_keys(tmp_path):
    sim = trading_sim(fee_asset="quote")
    try:
        journal = tmp_path / "s.journal"
        log = open(tmp_path / "session.log", "wb")
        args = cli_args(sim, tmp_path, journal, strategy="Every", params=dict(size=0.001, every=2))
        assert not any(KEY in a or SECRET in a for a in args)
        proc = start(args, log)
        wait_until(lambda: journal.exists() and _health(journal) == "ok", what="the session")
        cmdline = open(f"/proc/{proc.pid}/cmdline", "rb").read()
        for k in range(1, 6):
            sim.clock.set(bar_time(k) + 1500)
            wait_until(lambda: read_state(journal).get("last_bar_time") == bar_time(k - 1), what=f"bar {k}")
        outputs = [subprocess.run([CLI, "live", "status", "--journal", str(journal), *extra], capture_output=True,
                                  text=True, env=env()).stdout for extra in ([], ["--json"], ["--events", "500"])]
        send_command(journal, "stop")
        assert proc.wait(timeout=30) == 0
        outputs.append((tmp_path / "session.log").read_text())
        files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("s.journal"))
        assert "\"equity\"" in outputs[1] and "filled" in outputs[2] and "running" in outputs[0]  # they say things...
        for secret in (KEY, SECRET):
            assert secret.encode() not in files and secret.encode() not in cmdline
            assert all(secret not in text for text in outputs)
        assert sim.requests and all(r["keyed"] for r in sim.requests if r["path"] == "/api/v3/order")
    finally:
        sim.stop()


def test_a_rejected_key_is_reported_without_it(tmp_path):
    sim = trading_sim()
    try:
        args = cli_args(sim, tmp_path, tmp_path / "s.journal", strategy="Every")
        out = subprocess.run(args, capture_output=True, text=True, timeout=120,
                             env=env(CRACKTRADER_BINANCE_SECRET="wrong-secret-9a8b7c"))
        assert out.returncode == 2
        assert "Signature for this request is not valid" in out.stderr and len(out.stderr.strip().splitlines()) == 1
        assert "wrong-secret-9a8b7c" not in out.stderr + out.stdout and KEY not in out.stderr + out.stdout
        assert STRATEGIES.exists()
    finally:
        sim.stop()


def _health(journal):
    try:
        return read_state(journal).get("health")
    except Exception:  # noqa: BLE001
        return None

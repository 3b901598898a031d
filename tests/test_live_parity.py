"""One strategy on the same bars gives the same orders, fills, fees and final position in
`ct.backtest`, in a paper session and in an exchange session against the simulator (real ccxt
over HTTP; the simulator's matching set to the backtest's rules: fees in the quote asset, the
same volume share), partial fills included."""

import pytest

import cracktrader as ct
from support.exchange_sim import ExchangeSim
from support.live import KEY, SECRET, START, bar_time, config, drive, journal_candles, rules_of, session, sim_fixture
from support.live_strategies import Cross

VOLUME_SHARE = 0.01  # of each bar's volume: the simulator's bars are 0-50 BTC, entries ~0.2 BTC


sim = sim_fixture(fee_asset="quote", maker=0.001, taker=0.001, volume_share=VOLUME_SHARE)


@pytest.mark.parametrize("limit_bp", [0.0, 10.0], ids=["market", "limit"])
def test_backtest_paper_and_exchange_agree(sim, tmp_path, limit_bp):
    agree(sim, tmp_path, dict(start=bar_time(0), limit_bp=limit_bp, patience=2), bars=90)


def test_one_second_bars(tmp_path):
    """Binance's shortest timeframe: a session on 1s bars (the simulator's walk in seconds; its clock
    stands still between the test's steps, as a running one would close bars while sessions start)."""
    sim = ExchangeSim(start=START - 3_600_000, now=START + 300, horizon=START + 600_000, step_ms=1000,
                      fee_asset="quote", maker=0.001, taker=0.001, volume_share=VOLUME_SHARE).start()
    sim.add_account(KEY, SECRET, USDT="10000", BTC="0")
    try:
        agree(sim, tmp_path, dict(start=START, fast=2, slow=5, size=0.05, patience=2), bars=40, timeframe="1s")
    finally:
        sim.stop()


def agree(sim, tmp_path, params, bars, timeframe="1m"):
    limit_bp = params.get("limit_bp")
    bar_ms = 1000 if timeframe == "1s" else 60_000
    paper = session(config(sim, tmp_path, "paper", params=params, commission=0.001, volume_limit=VOLUME_SHARE,
                           timeframe=timeframe), tmp_path / "paper.journal")
    live = session(config(sim, tmp_path, "exchange", params=params, timeframe=timeframe), tmp_path / "exchange.journal")
    drive(sim, [paper, live], bars, bar_ms=bar_ms, into=1500 if bar_ms > 1000 else 100)
    paper.close()
    live.close()

    candles = journal_candles(tmp_path / "paper.journal", timeframe)
    assert len(candles) == 30 + bars and list(candles.time) == list(journal_candles(tmp_path / "exchange.journal", timeframe).time)
    assert all(b - a == bar_ms for a, b in zip(candles.time, candles.time[1:]))
    engine = ct.Engine(Cross, candles, cash=10_000, commission=0.001, volume_limit=VOLUME_SHARE,
                       market_rules=rules_of(sim), params=params)
    engine.run()
    want = engine.strategy.seen
    assert len([s for s in want if s[2] == "filled"]) >= 4 and any(s[2] == "partial" for s in want)
    if limit_bp:
        assert any(s[2] == "canceled" for s in want)
    assert paper.engine.strategy.seen == want
    assert live.engine.strategy.seen == want
    for s in (paper, live):
        assert s.engine.broker.position().size == engine.broker.position().size
        assert s.engine.broker.cash == pytest.approx(engine.broker.cash, rel=1e-12)
        assert s.engine.broker.fees == pytest.approx(engine.broker.fees, rel=1e-12)
    # the simulator filled what the exchange session booked, part by part
    trades = sim.exchange.my_trades("simkey-7f3a9c", "BTCUSDT")
    assert len(trades) > len([s for s in want if s[2] == "filled"])
    assert sum(t["qty"] for t in trades if t["isBuyer"]) - sum(t["qty"] for t in trades if not t["isBuyer"]) == \
        pytest.approx(live.engine.broker.position().size, abs=1e-12)

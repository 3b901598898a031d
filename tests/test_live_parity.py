"""One strategy on the same bars gives the same orders, fills, fees and final position in
`ct.backtest`, in a paper session and in an exchange session against the simulator (real ccxt
over HTTP; the simulator's matching set to the backtest's rules: fees in the quote asset, the
same volume share), partial fills included."""

import pytest

import cracktrader as ct
from live_strategies import Cross
from live_support import bar_time, config, drive, journal_candles, rules_of, session, trading_sim

VOLUME_SHARE = 0.01  # of each bar's volume: the simulator's bars are 0-50 BTC, entries ~0.2 BTC


@pytest.fixture
def sim():
    s = trading_sim(fee_asset="quote", maker=0.001, taker=0.001, volume_share=VOLUME_SHARE)
    yield s
    s.stop()


@pytest.mark.parametrize("limit_bp", [0.0, 10.0], ids=["market", "limit"])
def test_backtest_paper_and_exchange_agree(sim, tmp_path, limit_bp):
    params = dict(start=bar_time(0), limit_bp=limit_bp, patience=2)
    paper = session(config(sim, tmp_path, "paper", params=params, commission=0.001, volume_limit=VOLUME_SHARE),
                    tmp_path / "paper.journal")
    live = session(config(sim, tmp_path, "exchange", params=params), tmp_path / "exchange.journal")
    drive(sim, [paper, live], 90)
    paper.close()
    live.close()

    candles = journal_candles(tmp_path / "paper.journal")
    assert len(candles) == 30 + 90 and list(candles.time) == list(journal_candles(tmp_path / "exchange.journal").time)
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

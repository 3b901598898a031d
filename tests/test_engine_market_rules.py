"""Market rules in a backtest: every order is normalized or rejected by the exchange validation
kernel at submission, and a rejection's rule and reason reach notify_order."""

import json

import pytest

import cracktrader as ct
from cracktrader import synthetic
from cracktrader.kernels import MarketRules
from support.engine import Script, filled, run
from support.shared_data import shared_param

FLAT = (100.0, 100.0, 100.0, 100.0)
RULES = MarketRules("TICK_SIZE", amount_precision=0.001, price_precision=0.01, amount_min=0.002, cost_min=5.0)


def test_orders_are_normalized_to_the_market_precision():
    def plan(s):
        return [s.buy(size=0.12345, limit=100.004), s.sell(size=0.0567, stop=99.996), s.buy(size=0.25)]

    rows = [FLAT, (100, 100.5, 99.5, 100)]
    _, s = run(rows, {0: plan}, market_rules=RULES)
    limit, stop, market = s.placed[0]
    assert (limit.size, limit.limit) == (0.123, 100.0) and filled(limit) == 100.0
    assert (stop.size, stop.stop) == (0.056, 100.0) and filled(stop) == 100.0
    assert market.size == 0.25 and filled(market) == 100.0


@pytest.mark.parametrize("call, rule", [
    (lambda s: s.buy(size=0.0004), "amount_rounds_to_zero"),
    (lambda s: s.buy(size=0.0015), "amount_below_min"),
    (lambda s: s.buy(size=0.01), "cost_below_min"),  # 0.01 at the last close of 100: 1.0
    (lambda s: s.buy(size=0.01, limit=1000.0), None),  # cost 10 at the limit price: fine
    (lambda s: s.buy(size=1, stop_loss=0.001), "cost_below_min"),  # the exit's cost: 1 x 0.001
])
def test_rejections_name_the_rule_in_notify_order(call, rule):
    _, s = run([FLAT, FLAT], {0: call}, market_rules={0: RULES})
    order = s.placed[0]
    if rule is None:
        assert filled(order) == 100.0
        return
    assert order.status == "rejected" and order.rule == rule and rule in order.reason
    assert (0, "order", order.id, "rejected", None, rule) in s.log


@pytest.mark.parametrize("path", [shared_param("ccxt_static_markets_binance.json"), pytest.param(None, id="generated")])
def test_binance_btc_market(path):
    if path is not None:
        market = json.loads(path.read_text())["BTC/USDT"]
    else:  # shaped like it: 5 amount decimals, 2 price decimals, 5 USDT minimum cost
        market = {"precision": {"amount": 5, "price": 2},
                  "limits": {"amount": {"min": 1e-05, "max": 9000}, "price": {"min": 0.01, "max": 1e6},
                             "cost": {"min": 5, "max": 9e6}}}
    rules = MarketRules.from_ccxt(market, "DECIMAL_PLACES")
    data = synthetic.ohlcv(60, start=30_000.0, step=0.002)
    engine = ct.Engine(Script, data, cash=100_000, market_rules=rules, params=dict(plan={
        0: lambda s: [s.buy(size=0.123456789), s.buy(size=0.0001), s.buy(cash=1000, limit=s.data.close[0] * 0.999)],
    }))
    engine.run()
    big, small, by_cash = engine.strategy.placed[0]
    assert big.size == 0.12345 and big.status == "filled"
    assert small.rule == "cost_below_min"
    limit = data.close[0] * 0.999  # sized at the limit as given, then both normalized
    assert (by_cash.size, by_cash.limit) == (rules.amount_to_precision(1000 / limit), rules.price_to_precision(limit))
    assert len(str(by_cash.size).split(".")[1]) <= 5 and len(str(by_cash.limit).split(".")[1]) <= 2


def test_market_rules_must_validate():
    with pytest.raises(TypeError, match="market_rules"):
        ct.backtest(ct.Strategy, synthetic.ohlcv(10), market_rules="BTC/USDT")

"""The state snapshot a session keeps in its journal (`state` table), for `live status`, the
host and anything else that reads the journal:

    {"session", "mode", "exchange", "symbol", "timeframe", "sandbox", "live",
     "health": "starting"|"replaying"|"reconciling"|"ok"|"exchange_unreachable"|"stopped"|"error",
     "last_error", "pid", "changed" (UTC ms, the exchange's clock: when this snapshot was written),
     "risk": {"state": "normal"|"reducing"|"halted", "rule"}, "killing",
     "position": {"size", "price", "value", "unrealized"},
     "open_orders": [{"cid", "side", "type", "size", "filled", "limit", "stop", "status"}],
     "balance": {"cash", "quote", "base"}, "equity", "pnl", "fees", "trades",
     "last_bar_time", "bars", "forming" (the bar forming, from the market stream, or None),
     "market": {"source": "trades"|"klines"|"rest", "connected", "reconnects", "error"}}

Money is in the quote currency; `pnl` is equity less the starting cash; `bars` counts the live
bars of this run of the process (the journal has them all). `control.read_state` adds
"running" (a process holds the session's lock).
"""

import os


def snapshot(session):
    s, cfg = session, session.config
    engine = s.engine
    state = {"session": getattr(s, "session_id", None), "mode": cfg.mode, "exchange": cfg.exchange,
             "symbol": cfg.symbol, "timeframe": cfg.timeframe, "sandbox": cfg.sandbox, "live": cfg.live,
             "health": s.health, "last_error": s.last_error, "pid": os.getpid()}
    stream = getattr(s, "stream", None)
    state["market"] = {"source": stream.kind, **stream.status()} if stream else {"source": "rest"}
    state["forming"] = stream.forming() if stream else None
    if engine is None:
        return state
    broker = engine.broker
    pos = broker.position()
    feed = engine.feeds[0]
    last = feed.time.values[-1] if len(feed.time.values) else None
    state.update(
        risk={"state": s.risk.state, "rule": s.risk.rule}, killing=s.killing,
        position={"size": pos.size, "price": pos.price, "value": pos.value if last is not None else 0.0,
                  "unrealized": pos.unrealized if last is not None else 0.0},
        open_orders=[{"cid": s.orders.cid(o), "side": o.side, "type": o.type, "size": o.size, "filled": o.filled,
                      "limit": o.limit, "stop": o.stop, "status": o.status} for o in broker.open_orders],
        balance={"cash": broker.cash, "quote": cfg.quote, "base": cfg.base},
        equity=broker.value if last is not None else broker.cash, pnl=(broker.value if last is not None else broker.cash) - engine.cash,
        fees=broker.fees, trades=broker.account.closed, last_bar_time=last, bars=s.bars_seen)
    return state

"""`cracktrader live run|status|stop|resume`: live and paper sessions from the command line.

    cracktrader live run strategy.py[:Class] --exchange binance --symbol BTC/USDT --timeframe 1m \\
        --mode paper --journal btc.journal [--param k=v ...]
    cracktrader live status --journal btc.journal [--json]
    cracktrader live stop --journal btc.journal [--flatten]
    cracktrader live resume --journal btc.journal

Exchange keys come from the environment or --key-file (never from arguments: other users can
read a process's arguments). Errors are one line (exit status 2; a strategy's error: 1).
"""

import json
import sys
import time
from pathlib import Path

from . import CommandError
from .backtest import parse_params

RISK = ("max_position_notional", "max_order_notional", "max_open_orders", "max_orders_per_minute", "max_daily_loss",
        "max_drawdown")


def _read_config(path):
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise CommandError(f"{path}: no such exchange config") from None
    except (OSError, ValueError) as e:
        raise CommandError(f"{path}: not a JSON exchange config ({type(e).__name__}: {e})") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: expected a JSON object of ccxt settings")
    return data


def _sizing(text):
    text = text.strip()
    return text if text.endswith("%") else float(text)


def _number_or_percent(text):
    text = text.strip()
    return text if text.endswith("%") else float(text)


def run_session(config, journal, args, keys=None, commands=()):
    """Runs the session in this process until it stops; prints one line on failure."""
    import cracktrader as ct
    from cracktrader.live import LiveError, send_command
    from cracktrader.live.keys import load_keys
    from cracktrader.live.session import Session

    try:
        if config.mode == "exchange" and keys is None:
            keys = load_keys(config.exchange, getattr(args, "key_file", None) or config.key_file)
        for command in commands:
            send_command(journal, command)
        session = Session(config, journal, keys=keys, adopt_position=getattr(args, "adopt_position", False),
                          out=sys.stderr)
        session.run(bars=getattr(args, "bars", None))
    except ct.StrategyError as e:
        print(str(e).replace("\n", " "), file=sys.stderr)
        raise SystemExit(1) from None
    except (LiveError, ValueError, TypeError, OSError) as e:
        raise CommandError(str(e).replace("\n", " ")) from None


def run(args):
    from cracktrader.live import LiveError, RiskLimits, SessionConfig, strategy_source

    try:
        source, name, filename = strategy_source(args.strategy)
        risk = RiskLimits(**{k: getattr(args, k) for k in RISK if getattr(args, k) is not None}, on_breach=args.on_breach)
        config = SessionConfig(
            strategy_source=source, strategy_class=name, strategy_file=filename, exchange=args.exchange,
            symbol=args.symbol, timeframe=args.timeframe, mode=args.mode, sandbox=args.sandbox, live=args.live,
            params=parse_params(args.param), cash=args.cash, commission=args.commission, slippage=args.slippage,
            intrabar=args.intrabar, volume_limit=args.volume_limit, sizing=args.sizing, warmup=args.warmup,
            **({"keep_bars": args.keep_bars} if args.keep_bars is not None else {}),
            exchange_config=_read_config(args.exchange_config) if args.exchange_config else {},
            key_file=str(Path(args.key_file).resolve()) if args.key_file else None, risk=risk, clock=args.clock,
            poll=args.poll, cache=args.cache, market_data=args.market_data)
    except LiveError as e:
        raise CommandError(str(e)) from None
    run_session(config, args.journal, args)


def status(args):
    from cracktrader.live import LiveError, read_events, read_state

    try:
        state = read_state(args.journal)
        events = read_events(args.journal, after=max(0, state["seq"] - args.events)) if args.events else []
    except LiveError as e:
        raise CommandError(str(e)) from None
    if args.json:
        print(json.dumps({"state": state, "events": events} if args.events else state, indent=2))
        return
    print(format_state(state))
    for ev in events:
        print(f"  #{ev['seq']} {_time(ev['time'])} {ev['kind']} {json.dumps(ev['data'], separators=(',', ':'))}")


def format_state(state):
    if "mode" not in state:
        return "no state yet"
    run = f"running (pid {state['pid']})" if state.get("running") else "not running"
    lines = [f"session {state.get('session')}  {state['mode']}{' sandbox' if state.get('sandbox') else ''}"
             f"{' LIVE' if state.get('live') else ''}  {state['exchange']} {state['symbol']} {state['timeframe']}  "
             f"{run}  health {state.get('health')}" + (f" ({state['last_error']})" if state.get("last_error") else "")]
    if "risk" in state:
        pos, bal = state["position"], state["balance"]
        lines.append(f"risk {state['risk']['state']}" + (f" ({state['risk']['rule']})" if state["risk"].get("rule") else "")
                     + f" · position {pos['size']:g} {bal['base']}" + (f" @ {pos['price']:g}" if pos["size"] else "")
                     + f" · cash {bal['cash']:,.2f} {bal['quote']} · equity {state['equity']:,.2f} (pnl {state['pnl']:+,.2f})"
                     + f" · fees {state['fees']:,.4g} · {state['trades']} trades")
        for o in state["open_orders"]:
            price = " ".join(f"{k} {o[k]:g}" for k in ("limit", "stop") if o.get(k) is not None)
            lines.append(f"  open {o['cid']} {o['side']} {o['size']:g} {o['type']} {price} {o['status']}"
                         + (f" (filled {o['filled']:g})" if o["filled"] else ""))
        lines.append(f"last bar {_time(state['last_bar_time'])} · {state['bars']} new bars this run · "
                     f"{state['seq']} events")
    return "\n".join(lines)


def _time(ms):
    if ms is None:
        return "-"
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def stop(args):
    from cracktrader.live import LiveError, read_state, running, send_command
    from cracktrader.live.config import SessionConfig
    from cracktrader.live.journal import Journal

    try:
        command = "kill_stop" if args.flatten else "stop"
        if running(args.journal) is None:
            if not args.flatten:
                print(f"{args.journal}: no session is running")
                return
            journal = Journal.open(args.journal)
            config = SessionConfig.from_dict(journal.meta("config"))
            journal.close()
            print("no session is running: starting it to cancel its orders and close its position", file=sys.stderr)
            run_session(config, args.journal, args, commands=[command])
            return
        command_id = send_command(args.journal, command)
        if args.wait:
            _wait_stopped(args.journal, args.wait)
        print(f"{args.journal}: {command} sent (command {command_id})")
        if args.wait:
            state = read_state(args.journal)
            print(format_state(state))
    except LiveError as e:
        raise CommandError(str(e)) from None


def _wait_stopped(journal, seconds):
    from cracktrader.live import running

    deadline = time.monotonic() + seconds
    while running(journal) is not None:
        if time.monotonic() > deadline:
            raise CommandError(f"the session did not stop within {seconds:g} s")
        time.sleep(0.1)


def resume(args):
    from cracktrader.live import LiveError, running, send_command
    from cracktrader.live.config import SessionConfig
    from cracktrader.live.journal import Journal

    try:
        if running(args.journal) is not None:
            command_id = send_command(args.journal, "resume")
            print(f"{args.journal}: resume sent (command {command_id})")
            return
        journal = Journal.open(args.journal)
        config = SessionConfig.from_dict(journal.meta("config"))
        journal.close()
    except LiveError as e:
        raise CommandError(str(e)) from None
    run_session(config, args.journal, args, commands=["resume"])


def register(commands):
    p = commands.add_parser("live", help="live and paper trading sessions",
                            description="Run a strategy live (paper or real orders through ccxt), watch, stop, resume.")
    sub = p.add_subparsers(dest="live_command", metavar="ACTION", required=True)

    r = sub.add_parser("run", help="start (or continue) a session", description="Start a session, or continue the one "
                       "its journal holds. Keys: CRACKTRADER_<EXCHANGE>_API_KEY/_SECRET or --key-file.")
    r.add_argument("strategy", help="the strategy file, optionally with its class: strategy.py[:Class]")
    r.add_argument("--exchange", required=True, help="a ccxt exchange id, e.g. binance")
    r.add_argument("--symbol", required=True, help="e.g. BTC/USDT")
    r.add_argument("--timeframe", required=True, help="bar length the exchange offers, e.g. 1s, 1m, 1h")
    r.add_argument("--mode", choices=("paper", "exchange"), default="paper",
                   help="paper: simulated fills on live bars (default); exchange: real orders")
    real = r.add_mutually_exclusive_group()
    real.add_argument("--sandbox", action="store_true", help="the exchange's test network (ccxt sandbox mode)")
    real.add_argument("--live", action="store_true", help="real money (exchange mode needs --live or --sandbox)")
    r.add_argument("--journal", required=True, metavar="FILE", help="the session's SQLite journal")
    r.add_argument("--param", action="append", metavar="NAME=VALUE", help="a strategy parameter; repeatable")
    r.add_argument("--cash", type=float, help="paper: the starting balance (default 10000); exchange: the session's "
                   "budget in the quote currency (default: the free balance)")
    r.add_argument("--commission", type=float, default=0.001, help="paper: fee rate per fill (default 0.001)")
    r.add_argument("--slippage", default=0.0, help="paper: basis points or a fraction of the bar's range (0.1range)")
    r.add_argument("--intrabar", choices=("adverse", "favorable", "nearest"), default="adverse", help="paper: see backtest")
    r.add_argument("--volume-limit", type=float, metavar="SHARE", help="paper: an order fills at most this share of "
                   "each bar's volume")
    r.add_argument("--sizing", type=_sizing, default="95%", help="size of buy()/sell() without one (default 95%%)")
    r.add_argument("--warmup", type=int, metavar="BARS", help="history bars before the first live one (default: what "
                   "the indicators need, at least 500)")
    r.add_argument("--keep-bars", type=int, metavar="BARS", help="bars of history kept in memory (default: "
                   "SessionConfig's, see docs/live.md): the strategy reads back at most this far; memory stays flat")
    r.add_argument("--exchange-config", metavar="FILE.json", help="ccxt settings: urls, options, proxies, rateLimit "
                   "(a testnet, a proxy, a Binance-compatible venue); no keys")
    r.add_argument("--key-file", metavar="FILE", help='JSON {"apiKey", "secret"} readable only by you (chmod 600)')
    for name in RISK:
        kind = _number_or_percent if name in ("max_daily_loss", "max_drawdown") else (
            int if name in ("max_open_orders", "max_orders_per_minute") else float)
        r.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, help=_RISK_HELP[name])
    r.add_argument("--on-breach", choices=("reducing", "halted"), default="halted",
                   help="the state after a daily-loss or drawdown breach (default halted)")
    _common(r)
    r.add_argument("--clock", choices=("local", "exchange"), default="local",
                   help="local: this machine's clock synced with the exchange's (default); exchange: ask the exchange "
                   "every --poll seconds (simulators)")
    r.add_argument("--poll", type=float, default=1.0, help="seconds between looks at commands (default 1)")
    r.add_argument("--market-data", choices=("auto", "trades", "klines", "rest"), default="auto",
                   help="bars from the exchange's trade stream, its candle stream, or REST polling (default auto: "
                   "the trade stream where ccxt has one)")
    r.add_argument("--cache", metavar="DIR", help="candle cache directory (default: the user's)")
    r.set_defaults(run=run)

    s = sub.add_parser("status", help="a session's state, from its journal")
    s.add_argument("--journal", required=True, metavar="FILE")
    s.add_argument("--json", action="store_true", help="the state as JSON")
    s.add_argument("--events", type=int, default=0, metavar="N", help="also the last N events")
    s.set_defaults(run=status)

    t = sub.add_parser("stop", help="stop a session (--flatten: cancel its orders and close its position first)")
    t.add_argument("--journal", required=True, metavar="FILE")
    t.add_argument("--flatten", action="store_true", help="the kill switch: cancel every order, close the position "
                   "with market orders, stay halted until `live resume`")
    t.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="wait for the session to stop")
    t.add_argument("--key-file", metavar="FILE", help="keys, when no session runs and one must start to flatten")
    t.set_defaults(run=stop)

    u = sub.add_parser("resume", help="clear a halt, or continue a stopped session")
    u.add_argument("--journal", required=True, metavar="FILE")
    u.add_argument("--key-file", metavar="FILE")
    _common(u)
    u.set_defaults(run=resume)


def _common(p):
    p.add_argument("--adopt-position", action="store_true",
                   help="take the exchange's position as the session's when they differ (else the session refuses)")
    p.add_argument("--bars", type=int, metavar="N", help="stop after N new bars")


_RISK_HELP = {
    "max_position_notional": "largest position value (quote currency), open orders counted",
    "max_order_notional": "largest order value (quote currency)",
    "max_open_orders": "most orders open at once",
    "max_orders_per_minute": "most orders sent in any minute",
    "max_daily_loss": "loss in a UTC day, money or percent (500 or 5%%)",
    "max_drawdown": "fall from the session's peak equity, fraction or percent (0.1 or 10%%)",
}

"""A live session: one strategy on one symbol, bar by bar, in paper mode (the backtest's broker
and fill rules on live closed bars) or exchange mode (real orders through ccxt).

    session = Session(config, "btc.journal", keys=...)
    session.run()            # start (or resume), then trade until stopped

`start()` opens (or creates) the journal and takes its lock, connects to the exchange, builds
the engine over the warm-up bars, replays the journal (replay.py), and in exchange mode
reconciles with the exchange (reconcile.py) before anything new is sent. `poll()` does one
round: commands from other processes, the exchange's news about open orders, every bar that
closed since the last one (each pushed through `Engine.push`), the kill switch's progress, the
state snapshot. `run()` polls until stopped, waiting for each bar's close in between.
"""

import collections
import contextlib
import fcntl
import io
import os
import signal
import sys
import threading
import time
from pathlib import Path

from . import reconcile
from .brokers import ExchangeBroker
from .chart import HISTORY, lines_event
from .client import Caller, Clock, Unreachable, endpoints, make_exchange
from .config import LiveError, SessionConfig
from .commands import Commands
from .ids import Sequencer, new_session_id
from .journal import Journal
from .keys import Redactor
from .marketdata import CacheAppender, history
from .orderpath import TRACKED, OrderPath
from .replay import Replay
from .risk import Risk
from .state import snapshot
from .venue import ExchangeVenue
from ..broker import Broker
from ..candles import Candles

SYNC_EVERY = 10.0  # seconds between looks at orders resting at the exchange, between bars
LATE_LOOK = 0.1  # seconds between looks at the stream for a bar that is due and not in yet


class Session(Commands):
    def __init__(self, config, journal, *, keys=None, adopt_position=False, durable=True, out=None, stdout=None):
        if not isinstance(config, SessionConfig):
            raise TypeError("config: expected a SessionConfig")
        self.config, self.journal_path = config, Path(journal)
        self.keys = keys or {}
        self.redact = Redactor(self.keys)
        self.adopt_position, self.durable = adopt_position, durable
        self.out = out  # a terminal for the status line, or None
        self.stdout = stdout if stdout is not None else sys.stdout  # where the strategy's print() also goes
        self.engine = self.journal = self.venue = self.client = self.stream = None
        self.replaying = self.started = self.stopping = False
        self.killing, self.stop_after_kill = False, False
        self.sequencer = Sequencer()
        self.fills_by_cid, self.fill_ids = {}, set()
        self.health, self.last_error = "starting", None
        self.timings = None  # bench/live.py: a list to collect when each request was handed to ccxt
        self.bars_seen = 0
        self.unreachable_since = None
        self._lock_fd = None
        self._saved_state = None
        self._status_shown = False  # the status line is on the terminal (out)
        self._synced = 0.0
        self._stream_messages = collections.deque()  # from the market stream's thread (thread-safe ends)

    # --- start --------------------------------------------------------------------------------
    def start(self):
        self._take_lock()
        try:
            new = not self.journal_path.exists()
            if not new:
                self.journal = Journal.open(self.journal_path, durable=self.durable)
                self._check_config()
            self._connect()
            if new:
                self._create()
            self._build()
            self._replay()
            self._summary()  # before reconciling, which may send an order the journal owed
            if self.config.mode == "exchange":
                self.health = "reconciling"
                reconcile.run(self)
            else:
                reconcile.check_paper(self)
            self.health = "ok"
            self.event("session", {"what": "started" if new else "resumed", "pid": os.getpid(),
                                   "bars": self.bars_seen, "risk": self.risk.state})
            self._lines(HISTORY)
            self._open_stream()
            self.save_state()
            self.journal.commit(durable=True)
            self.started = True
        except Unreachable as e:
            self._abandon()
            raise LiveError(f"{self.config.exchange} does not answer ({self.redact(e)}): the session did not start; "
                            "try again later") from None
        except BaseException:
            self._abandon()
            raise
        return self

    def _abandon(self):
        """A start that failed: the stream stopped, the journal closed as it is, the lock released."""
        if self.stream is not None:
            self.stream.stop()
            self.stream = None
        if self.journal is not None:
            with contextlib.suppress(Exception):
                self.journal.close()
            self.journal = None
        self._release_lock()

    def _take_lock(self):
        lock = Path(str(self.journal_path) + ".lock")
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        for _ in range(20):  # another process may be only probing it (control.running)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(0.05)
        else:
            pid = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LiveError(f"a session is already running on {self.journal_path} (pid {pid}): `cracktrader live stop` it first")
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _release_lock(self):
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _check_config(self):
        stored = SessionConfig.from_dict(self.journal.meta("config"))
        mine, theirs = self.config.to_dict(), stored.to_dict()
        if mine["strategy_source"] != theirs["strategy_source"]:
            raise LiveError(f"{self.journal_path}: the strategy changed since the session started (the journal keeps "
                            "the code it ran): start a new session with a new journal, or resume without changes")
        differ = sorted(k for k in theirs if mine.get(k) != theirs.get(k) and k != "strategy_file")
        if differ:
            raise LiveError(f"{self.journal_path}: this session was started with other settings ({', '.join(differ)}): "
                            "`cracktrader live resume` continues it as it was")
        self.session_id = self.journal.meta("session_id")

    def _connect(self):
        cfg = self.config
        self.client = make_exchange(cfg, self.keys if cfg.mode == "exchange" else None)
        self.clock = Clock(self.client, cfg.clock)
        self.caller = Caller(self.client, self.clock, self.log, redact=self.redact)
        self.venue = ExchangeVenue(self.client, self.caller, cfg.symbol, cfg.timeframe)
        try:
            self.caller.read(self.clock.sync)
            self.rules = self.venue.load()
        except (Unreachable, LookupError) as e:
            raise LiveError(f"{cfg.exchange}: {self.redact(e)}") from None
        window = self.client.options.get("recvWindow") if cfg.exchange.startswith("binance") else None
        # an order request the exchange has not seen by then never executes (Binance: recvWindow)
        self.absent_after_ms = int(window or 60_000) + int(self.client.timeout)

    def _create(self):
        """A new journal: the config, the warm-up bars, the account's starting point."""
        cfg = self.config
        probe = _strategy(cfg)
        need = _bars_needed(probe, cfg)
        count = cfg.warmup if cfg.warmup is not None else max(500, need)
        now = self.clock.now()
        try:
            warm = history(self.client, cfg, count, now)
        except Exception as e:  # noqa: BLE001 - FetchError, DataError: one line
            raise LiveError(f"warm-up history: {self.redact(e)}") from None
        meta = {"session_id": new_session_id(), "config": cfg.to_dict(), "created": now,
                "endpoints": endpoints(self.client), "version": _version()}
        if cfg.mode == "exchange":
            base_total, quote_free, _ = self.caller.read(self.venue.balances, cfg.base, cfg.quote)
            cash = cfg.cash if cfg.cash is not None else quote_free
            if cash > quote_free * (1 + 1e-9):
                raise LiveError(f"cash {cash:g} {cfg.quote} is more than the account's free {quote_free:g} {cfg.quote}")
            # the session's position is the base asset it bought: what the account held before is not its own
            meta.update(cash=cash, baseline=0.0 if self.adopt_position else base_total)
        else:
            meta.update(cash=cfg.cash, baseline=0.0)
        self.journal = Journal.create(self.journal_path, meta, durable=self.durable)
        self.session_id = meta["session_id"]
        self.journal.put_bars([tuple(r) for r in zip(warm.time, warm.open, warm.high, warm.low, warm.close, warm.volume)],
                              warmup=True)
        self.journal.commit(durable=True)

    def _build(self):
        cfg = self.config
        rows = self.journal.bars(warmup=True)
        warm = Candles.from_columns(*zip(*rows)) if rows else Candles.from_columns([], [], [], [], [], [])
        warm.symbol, warm.timeframe, warm.exchange = cfg.symbol, cfg.timeframe, cfg.exchange
        options = dict(cash=float(self.journal.meta("cash")), params=cfg.params, sizing=cfg.sizing, market_rules=self.rules,
                       keep=cfg.keep_bars)
        if cfg.mode == "paper":
            options.update(commission=cfg.commission, slippage=cfg.slippage, intrabar=cfg.intrabar,
                           volume_limit=cfg.volume_limit, broker=Broker)
        else:
            options.update(broker=ExchangeBroker)  # fees and fills come from the exchange
        self.engine = _engine(_strategy(cfg), warm, options)
        self.engine.skip()
        self.orders = OrderPath(self)
        broker = self.engine.broker
        broker.gate, broker.observer = self.orders.gate, self.orders.observe
        if cfg.mode == "exchange":
            broker.link = self.orders
        self.risk = Risk(cfg.risk, equity=self.engine.cash)
        self.baseline = float(self.journal.meta("baseline") or 0.0)
        self.appender = CacheAppender(cfg, self.client.id, self.log)

    def _replay(self):
        """Replays the journal, then reads the records and fills of the orders the session still
        holds (those in the engine's window, and those the exchange may still change): a long
        session's journal has many more, which a restart never holds all at once."""
        self.orders.track(self.journal.tracked_orders(TRACKED))  # (kept through the replay's window)
        self.replay = Replay(self, self.journal)
        self.replaying = True
        self.health = "replaying"
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self.replay.run()
        finally:
            self.replaying = False
            self.replay = None  # (the journal's events: read again at the next restart)
        held = {*self.orders.cids.values(), *self.orders.tracking}
        self.orders.load(self.journal.orders(held))
        for trade_id, cid, data in self.journal.fills(held):
            self.fill_ids.add(trade_id)
            self.fills_by_cid.setdefault(cid, []).append(data)

    def _summary(self):
        """Before real money moves: what, where, with which limits."""
        cfg = self.config
        if cfg.mode != "exchange" or not cfg.live:
            return
        base_total, quote_free, quote_total = self.caller.read(self.venue.balances, cfg.base, cfg.quote)
        limits = ", ".join(f"{k}={v}" for k, v in cfg.risk.to_dict().items() if v is not None) or "none"
        text = (f"LIVE, real money, on {cfg.exchange} ({', '.join(endpoints(self.client))}): {cfg.symbol} {cfg.timeframe}, "
                f"account {base_total:g} {cfg.base}, {quote_free:g} {cfg.quote} free of {quote_total:g}; "
                f"session cash {self.engine.cash:g} {cfg.quote}, position {self.engine.broker.position().size:g} "
                f"{cfg.base}; risk {self.risk.state}, limits: {limits}")
        if not cfg.exchange.startswith("binance"):
            text += " (exchange sessions are tested against Binance's API: try this exchange with --sandbox first)"
        self.log(text)
        if self.out is None:  # self.log shows it on the terminal given; else on stderr
            print(f"cracktrader live: {text}", file=sys.stderr, flush=True)

    # --- the loop -------------------------------------------------------------------------------
    def run(self, bars=None):
        """Trades until stopped (a `stop` command, SIGTERM, Ctrl+C) or, with `bars`, until that
        many new bars were processed. Returns the session."""
        if not self.started:
            self.start()
        restore = self._signals()
        try:
            while not self.stopping:
                self.poll()
                if bars is not None and self.bars_seen >= bars:
                    break
                if not self.stopping:
                    self._wait()
        except BaseException as e:
            if not isinstance(e, (KeyboardInterrupt, SystemExit)):
                self.health, self.last_error = "error", self.redact(f"{type(e).__name__}: {e}")
                with contextlib.suppress(Exception):
                    self.event("session", {"what": "error", "error": self.last_error})
            raise
        finally:
            restore()
            self.close()
        return self

    def poll(self):
        """One round: commands, order news, closed bars, the kill switch, the snapshot. The
        exchange is asked about orders whose fate is unsure at every round, about the others
        when a bar is due and every SYNC_EVERY seconds, and for bars only once one is due."""
        self._commands()
        self._log_stream_messages()
        try:
            if self.clock.due():
                self.caller.read(self.clock.sync)
            due = self.clock.now() >= self._next_bar() + self.config.bar_ms + self._settle_ms()
            if self.config.mode == "exchange":
                everything = due or self.killing or time.monotonic() - self._synced >= SYNC_EVERY
                self.orders.sync(urgent_only=not everything)
                if everything:
                    self._synced = time.monotonic()
            if self.killing:
                self._kill_step()
            bars = self._closed_bars() if due else []
            for bar in bars:
                if self.stopping:
                    break
                if self.config.mode == "exchange":
                    self.orders.sync()
                self.take_bar(bar)
                if self.killing:
                    self._kill_step()
            if self.unreachable_since is not None:
                self.log(f"the exchange answers again (it did not from {self.unreachable_since})")
                self.unreachable_since = None
            self.health = "ok"
        except Unreachable as e:
            if self.unreachable_since is None:
                self.unreachable_since = self.clock.now()
                self.log(f"the exchange does not answer: {self.redact(e)}; missed bars will be replayed")
            self.health, self.last_error = "exchange_unreachable", self.redact(str(e))
        self.save_state()
        self.journal.commit()
        self.journal.checkpoint()

    def _open_stream(self):
        """Bars from the exchange's WebSocket where ccxt has it (stream.py), else REST polling."""
        from . import stream

        kind = stream.mode(self.config, self.client)
        if kind != "rest":
            # the stream runs in its own thread: its messages wait here for the loop to journal them
            # (one thread writes the journal: its transaction is the loop's)
            self.stream = stream.open_stream(kind, lambda: make_exchange(self.config, None, pro=True), self.config.symbol,
                                             self.config.timeframe, self.config.bar_ms, self._stream_messages.append)

    def _log_stream_messages(self):
        while self._stream_messages:
            self.log(self._stream_messages.popleft())

    def _closed_bars(self):
        """The bars that closed since the last one used: the stream's, and over REST what it missed."""
        since, now = self._next_bar(), self.clock.now() - self._settle_ms()
        if self.stream is None:
            return self.venue.closed_bars(since, now, self.config.bar_ms)
        bars, rest_from = self.stream.bars(since, now)
        if rest_from is not None:
            bars += self.venue.closed_bars(rest_from, now, self.config.bar_ms)
        return bars

    def take_bar(self, bar):
        """Trades one closed bar; then its records are committed and, the bar's work done, the
        journal checkpointed if due (never between an order's record and its request)."""
        self._live_bar(bar)
        self.journal.commit()
        self.journal.checkpoint()

    def _live_bar(self, bar):
        self.journal.put_bars([bar])
        self.event("bar", dict(zip(("time", "open", "high", "low", "close", "volume"), bar)))
        self.push(bar)
        self._lines(1)
        self.appender.add(bar)
        self.bars_seen += 1

    def _lines(self, last):
        lines = lines_event(self.engine, last)
        if lines is not None:
            self.event("lines", lines)

    def push(self, bar):
        """Pushes one bar through the engine (live, or replaying) and books the risk state."""
        dropped = self.engine.dropped
        if self.replaying:
            self.engine.push(bar)
        else:
            self.engine.log.tee = _Printer(self)  # the engine takes the strategy's prints: a copy here
            try:
                self.engine.push(bar)
            finally:
                self.engine.log.tee = None
        if self.config.mode == "exchange" and not self.replaying:
            self.orders.settle_answered()  # a market order's fills, from the exchange's answer
        if self.engine.dropped != dropped:  # the engine's window moved: what it forgot goes here too
            self.orders.forget(self.engine.broker.orders)
        equity = self.engine.equity[-1]
        breach = self.risk.observe(equity, bar[0])  # the day the bar traded in
        if breach is not None and not self.replaying:
            self.set_risk(self.config.risk.on_breach, *breach)
        if not self.replaying:
            self.event("account", self.account())

    def _next_bar(self):
        times = self.engine.feeds[0].time.values
        return times[-1] + self.config.bar_ms if len(times) else self.clock.now() // self.config.bar_ms * self.config.bar_ms

    def _settle_ms(self):
        """A margin after a bar's close before it counts as closed (clock error, the exchange
        finishing the bar); none when the clock is the exchange's own."""
        return 0 if self.config.clock == "exchange" else min(1500, self.config.bar_ms // 10)

    def _wait(self):
        """Sleeps until the next bar is due, waking every `poll` seconds for commands. A bar due
        and not in yet (the stream waits for its last trades; the exchange is late with it, or
        leaves out a bar without trades) is asked for again after LATE_LOOK from the stream,
        after `poll` over REST: never in a spin."""
        due = self._next_bar() + self.config.bar_ms + self._settle_ms()
        seconds = (due - self.clock.now()) / 1000
        if seconds <= 0:
            seconds = LATE_LOOK if self.stream is not None else self.config.poll
        time.sleep(max(0.01, min(seconds, self.config.poll)))

    def _signals(self):
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        old = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM,)}

        def stop(signum, frame):
            self.stopping = True

        for sig in old:
            signal.signal(sig, stop)

        def restore():
            for sig, handler in old.items():
                signal.signal(sig, handler)
        return restore

    def close(self):
        if self.stream is not None:
            self.stream.stop()
            self.stream = None
        if self.journal is None:
            return
        self._log_stream_messages()
        if self.started and self.config.mode == "exchange":
            with contextlib.suppress(Exception):  # leave the journal as up to date as the exchange allows
                self.orders.sync()
        with contextlib.suppress(Exception):
            self.appender.flush()
        if self.health not in ("error",):
            self.health = "stopped"
        self.event("session", {"what": "stopped", "bars": self.bars_seen})
        self.save_state()
        self.journal.commit(durable=True)
        self.journal.close()
        self.journal = None
        self._release_lock()
        if self._status_shown:
            self.out.write("\n")
            self._status_shown = False

    # --- the journal and what others read -----------------------------------------------------------
    def event(self, kind, data):
        if self.replaying or self.journal is None:
            return None
        return self.journal.event(kind, data, self.clock.now())

    def log(self, text, source="session"):
        text = self.redact(text)
        self.event("log", {"source": source, "text": text})
        if self.out is not None:
            if self._status_shown:  # the message above the status line, which is drawn again
                self.out.write("\r\033[K")
            print(f"cracktrader live: {text}", file=self.out, flush=True)
            if self._status_shown:
                self._status_line()

    def account(self):
        broker = self.engine.broker
        pos = broker.position()
        return {"cash": broker.cash, "position": pos.size, "position_price": pos.price, "equity": broker.value,
                "fees": broker.fees, "open_orders": len(broker.open_orders)}

    def save_state(self):
        """Writes the state snapshot when it changed (and shows it on the status line)."""
        if self.journal is None:
            return
        state = snapshot(self)
        if state != self._saved_state:
            self._saved_state = state
            self.journal.set_state(dict(state, changed=self.clock.now()))
            self._status_line()

    def _status_line(self):
        """One line on a terminal, rewritten in place: bars, position, open orders, equity, risk."""
        if self.out is None or self.engine is None or not self.out.isatty():
            return
        a, cfg = self.account(), self.config
        risk = self.risk.state + (f" ({self.risk.rule})" if self.risk.rule else "")
        health = "" if self.health == "ok" else f" · {self.health}"
        self.out.write(f"\r\033[K{cfg.symbol} {cfg.mode} · {self.bars_seen} bars · position {a['position']:g} {cfg.base}"
                       f" · {a['open_orders']} open orders · equity {a['equity']:,.2f} {cfg.quote} · risk {risk}{health}")
        self.out.flush()
        self._status_shown = True

    def result(self):
        return self.engine.result()


class _Printer(io.TextIOBase):
    """The strategy's print(): each line becomes a "log" event, and goes on to stdout."""

    def __init__(self, session):
        self.session, self.buffer = session, ""

    def write(self, text):
        self.session.stdout.write(text)
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            self.session.event("log", {"source": "strategy", "text": self.session.redact(line)})
        return len(text)


def _strategy(cfg):
    from ..strategy import from_source

    return from_source(cfg.strategy_source, filename=cfg.strategy_file, name=cfg.strategy_class)


def _engine(cls, candles, options):
    from ..engine import Engine

    return Engine(cls, candles, **options)


def _bars_needed(cls, cfg):
    """Bars the strategy's indicators need before next() runs (measured on an empty engine)."""
    empty = Candles.from_columns([], [], [], [], [], [], symbol=cfg.symbol, timeframe=cfg.timeframe)
    return max(_engine(cls, empty, dict(params=cfg.params)).required) + 1


def _version():
    from .. import __version__

    return __version__


"""The session's side of commands (control.py is the other side: stop, kill, kill_stop,
resume), and what it does by its limits: changes of the risk state, the kill switch, the
session's own orders and cancels, adopting the exchange's position. Each of these is journaled where it
happens and applied again at the same point when the journal is replayed (replay.py)."""

from . import crash
from .control import COMMANDS
from .risk import HALTED, NORMAL
from ..orders import BUY, CANCELED, REJECTED, SELL


class Commands:
    """Part of Session (session.py)."""

    def _commands(self):
        for command_id, command in self.journal.commands():
            self.journal.take_command(command_id)
            if command not in COMMANDS:
                self.log(f"ignored an unknown command {command!r}")
                continue
            data = {"command": command, "id": command_id}
            self.event("control", data)
            self.apply_control(data)
        self.journal.commit()

    def apply_control(self, data):
        """Applies a command (live, or replaying it at the point it was taken)."""
        command = data["command"]
        if command == "stop" and not self.replaying:
            self.stopping = True
        elif command in ("kill", "kill_stop"):
            self.killing = True
            self.stop_after_kill = command == "kill_stop" and not self.replaying
            if not self.replaying:
                self.set_risk(HALTED, "kill_switch", "the kill switch: cancel every order, close the position")
        elif command == "kill_done":
            self.killing = False
        elif command == "resume" and not self.replaying:
            self.killing = False
            if self.risk.state != NORMAL:
                self.set_risk(NORMAL, "resume", "resumed by `live resume`")

    def set_risk(self, state, rule, reason):
        """A change of the risk state: journaled; on the way down, orders that would add to the
        position are canceled (exits stay)."""
        if (state, rule) == (self.risk.state, self.risk.rule):
            return
        self.risk.set(state, rule)
        self.event("risk", {"state": state, "rule": rule, "reason": reason})
        self.log(f"risk state {state}: {reason}")
        if state != NORMAL:
            position = self.engine.broker.position().size
            for order in self.engine.broker.open_orders:
                adds = not order.reduce_only and (position == 0 or (position > 0) == (order.side == BUY))
                if adds:
                    self.session_cancel(order, rule)

    # --- the kill switch ---------------------------------------------------------------------------
    def _kill_step(self):
        """One step of the kill switch: cancel what is open; once nothing is, close the position
        with a market order; once flat, done. Safe to repeat after a crash at any point."""
        broker = self.engine.broker
        for order in broker.open_orders:
            cid = self.orders.cid(order)
            if cid not in self.orders.cancels:
                self.session_cancel(order, "kill_switch")
        crash.point("kill_canceled")
        if broker.open_orders:
            return  # the exchange has not confirmed every cancel yet
        size = broker.position().size
        if size:
            order = self.session_order(SELL if size > 0 else BUY, abs(size))
            if self.config.mode == "exchange":
                self.orders.settle_answered()  # the close's fills, from the exchange's answer
            if order is None or order.status != REJECTED:
                return
            # what is left cannot be sold (dust under the market's minimum, or refused): placing
            # it again at every poll would change nothing; the session stays halted
            self.log(f"kill switch: {size:g} {self.config.base} left, which cannot be closed ({order.rule}: {order.reason})")
        self.killing = False
        self.event("control", {"command": "kill_done"})
        self.log(f"kill switch: no open orders, {'no position' if not size else f'position {size:g} left'}")
        if self.stop_after_kill:
            self.stopping = True

    def session_order(self, side, size):
        """An order of the session's own (the kill switch's close): market, reduce-only, exempt
        from the limits, with a client order id of its own kind."""
        path = self.orders
        path.origin = "session"
        try:
            return self.engine.place(side, size, reduce_only=True)
        finally:
            path.origin = "strategy"

    def session_cancel(self, order, rule):
        path = self.orders
        path.origin = "session"
        reason = f"canceled by the session ({rule})"
        try:
            self.event("cancel", {"cid": path.cid(order), "origin": "session", "rule": rule})
            if self.config.mode == "exchange" and path.at_exchange(order):
                path.cancel(order, rule, reason)
            else:
                self.engine.broker.end(order, CANCELED, rule, reason)
        finally:
            path.origin = "strategy"

    def apply_adopt(self, data):
        """Takes the exchange's position as the session's (reconcile.py, --adopt-position)."""
        delta = data["to"] - data["from"]
        feed = self.engine.feeds[0]
        if delta:
            self.engine.broker.account.book(feed, delta > 0, abs(delta), data["price"], 0.0, data["time"], self.engine.abs_step)

"""Before an exchange session sends anything new after a (re)start, its journal and the
exchange must agree:

1. every order the journal does not know the end of is looked up by client order id: fills
   and endings are booked; one the exchange never received is proven absent (its request can
   no longer be accepted) and ends `not_placed`;
2. open orders at the exchange the session did not place are reported and left alone;
3. the position: the exchange's (its base-asset balance less what the account held before the
   session, its "baseline") must equal the journal's, or the session refuses to start and says
   both numbers, unless told to adopt the exchange's (--adopt-position);
4. cancels asked for but not confirmed are asked again (a cancel is safe to repeat);
5. orders the strategy placed again during the replay that the journal never recorded (the
   process died before) are sent if their bar is still the last closed one, else end `not_sent`.

A paper session has nothing outside: its replayed account must equal its last journaled one.
"""

import time

from .config import LiveError
from ..orders import REJECTED

TOLERANCE = 1e-9


def run(session):
    s = session
    path = s.orders
    deadline = time.monotonic() + (s.absent_after_ms + 10_000) / 1000
    while True:
        path.sync()
        unsure = [cid for cid in path.tracked() if path.records[cid]["exchange"].get("status") in ("sending", "unknown")]
        if not unsure:
            break
        if time.monotonic() > deadline:
            raise LiveError(f"cannot tell whether {', '.join(unsure)} reached the exchange: it neither has them nor "
                            "has the time to have refused them passed; try again later")
        time.sleep(0.5)
    for order in s.venue.open_orders():
        if order["client_id"] not in path.records and not s.journal.has_order(order["client_id"]):
            s.event("external_order", order)
            s.log(f"an open order the session did not place is left alone: {order['side']} {order['amount']} "
                  f"{order['type']} at {order['price']} (id {order['id']})")
    base_total, _, _ = s.venue.balances(s.config.base, s.config.quote)
    theirs = base_total - s.baseline
    ours = s.engine.broker.position().size
    if abs(theirs - ours) > TOLERANCE * max(1.0, abs(theirs), abs(ours)):
        base = s.config.base
        if not s.adopt_position:
            raise LiveError(f"position mismatch: the journal has {ours:.12g} {base}, the exchange {theirs:.12g} {base} "
                            f"(its {base} balance {base_total:.12g} less the {s.baseline:.12g} held before the session); "
                            "resume with --adopt-position to take the exchange's")
        feed = s.engine.feeds[0]
        price = feed.close.values[-1] if len(feed.close.values) else 0.0
        data = {"from": ours, "to": theirs, "price": price, "time": s.clock.now()}
        s.event("adopt", data)
        s.apply_adopt(data)
        s.log(f"adopted the exchange's position: {ours:.12g} -> {theirs:.12g} {base}")
    for cid in sorted(path.cancels):
        order = path.orders.get(cid)
        if order is not None and order.alive and cid in path.sent:
            path.cancels.discard(cid)
            path.cancel(order, order.rule or "canceled", "canceled (asked again after a restart)")
    last = s.engine.feeds[0].time.values[-1] if len(s.engine.feeds[0].time.values) else None
    current = last is not None and s.clock.now() < last + 2 * s.config.bar_ms
    for order, kind in path.deferred:
        if not order.alive:
            continue
        if current and order.created == last:
            path.send(order, kind)
        else:
            s.engine.broker.end(order, REJECTED, "not_sent", "the session stopped before sending it and its bar has passed")
    path.deferred.clear()
    s.event("session", {"what": "reconciled", "position": s.engine.broker.position().size, "exchange_position": theirs})


def check_paper(session):
    s = session
    last = s.journal.last_event("account")
    if last is None:
        return
    want = last["data"]
    got = s.account()
    if abs(want["position"] - got["position"]) > TOLERANCE * max(1.0, abs(got["position"])) or \
            abs(want["cash"] - got["cash"]) > TOLERANCE * max(1.0, abs(got["cash"])):
        raise LiveError(f"the replay of {s.journal_path} gives position {got['position']:.12g} and cash {got['cash']:.12g}, "
                        f"the journal says {want['position']:.12g} and {want['cash']:.12g}: the code or data changed")

"""Client order ids, derived from the session, the bar and the order's place in it, so a
restarted session that replays its bars regenerates the very same ids (and the exchange can
never be sent one order twice under two names).

    ct <session: 8 hex> t <bar open time, seconds, hex> <kind> <sequence in the bar>

`kind` is "n" for the strategy's orders and "k" for the session's own (the kill switch). Only
letters and digits, at most 32 characters: Binance's `^[a-zA-Z0-9-_]{1,36}$` and the stricter
rules of other exchanges (OKX: alphanumeric, up to 32) alike.
"""

import secrets

STRATEGY, SESSION = "n", "k"


def new_session_id():
    return secrets.token_hex(4)


def client_order_id(session_id, bar_time_ms, seq, kind=STRATEGY):
    cid = f"ct{session_id}t{bar_time_ms // 1000:x}{kind}{seq}"
    assert len(cid) <= 32 and cid.isalnum(), cid
    return cid


class Sequencer:
    """Numbers the orders of each bar: 1, 2, ... again from 1 at every new bar."""

    def __init__(self):
        self.bar, self.counts = None, {}

    def next(self, bar_time_ms, kind=STRATEGY):
        if bar_time_ms != self.bar:
            self.bar, self.counts = bar_time_ms, {}
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]

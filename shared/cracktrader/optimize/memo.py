"""Kernel results kept across the trials of one search in one process: a grid over fast x slow
computes SMA(close, 10) once, not once per slow value.

Only indicators over a feed's own columns are kept (their key is the kernel, its parameters, the
feed and the column's length: a window's data is a prefix of the search's data, and the kernels
are causal); an indicator of a derived line is computed as usual. Results are shared between
trials read-only (a backtest never appends to them). The least recently used go first once
`limit_bytes` is reached.
"""

from collections import OrderedDict
from contextlib import contextmanager

from .. import ind

LIMIT_BYTES = 256 << 20


class KernelMemo:
    def __init__(self, limit_bytes=LIMIT_BYTES):
        self.limit, self.used = limit_bytes, 0
        self.items = OrderedDict()
        self.hits = self.misses = 0

    def __call__(self, node, compute):
        key = self.key(node)
        if key is None:
            return compute()
        if key in self.items:
            self.items.move_to_end(key)
            self.hits += 1
            return self.items[key][0]
        self.misses += 1
        out = compute()
        size = sum(8 * len(col) for col in (out if isinstance(out, tuple) else (out,)))
        if size <= self.limit:
            self.items[key] = (out, size)
            self.used += size
            while self.used > self.limit:
                _, (_, freed) = self.items.popitem(last=False)
                self.used -= freed
        return out

    @staticmethod
    def key(node):
        cols = []
        for line in node.inputs:
            feed = line.clock
            if getattr(feed, line.name, None) is not line:
                return None  # a derived line: its values depend on more than the data
            cols.append((feed.index, line.name, len(line.values)))
        return node.spec.kernel, node.args, tuple(cols)


@contextmanager
def installed(memo):
    """Indicators built inside, in this thread, use `memo` (the trial function's scope)."""
    previous = getattr(ind.hooks, "memo", None)
    ind.hooks.memo = memo
    try:
        yield memo
    finally:
        ind.hooks.memo = previous

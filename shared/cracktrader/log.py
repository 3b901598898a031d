"""The run's log: what the strategy prints (print(), or `self.log(...)`), line by line, each
with the bar it was printed on.

The engine sends the strategy's standard output here while strategy code runs, so a run in the
browser, on the server or from the command line keeps the same lines. A run that prints on
every bar of millions keeps the first `LIMIT` lines and counts the rest.
"""

LIMIT = 10_000


class Log:
    """A text stream (for `redirect_stdout`) that stamps each complete line with the engine's
    current step."""

    def __init__(self, engine):
        self.engine = engine
        self.lines = []  # (step, time, text): the time kept too, as a live run's window drops old bars
        self.partial = ""
        self.dropped = 0
        self.tee = None  # a stream that also gets every write (a live session's log events)

    def write(self, text):
        if self.tee is not None:
            self.tee.write(text)
        if "\n" not in text:
            self.partial += text
            return len(text)
        *done, self.partial = (self.partial + text).split("\n")
        step, time = self._now()
        for line in done:
            if len(self.lines) < LIMIT:
                self.lines.append((step, time, line))
            else:
                self.dropped += 1
        return len(text)

    def flush(self):
        pass

    def _now(self):
        """(step counted from the run's first bar, its time), or (-1, None) before the first bar."""
        engine = self.engine
        return (engine.abs_step, engine.times[engine.step]) if engine.step >= 0 else (-1, None)

    def bar(self, step):
        """The 1-based number of the step's bar within the run (None before the first bar)."""
        return step - self.engine.first_step() + 1 if step >= 0 else None

    def entries(self):
        """[{"time", "bar", "text"}]: `time` the bar's open time (UTC ms), `bar` its number in
        the run; both null for lines printed before the first bar (in init)."""
        lines = self.lines + ([(*self._now(), self.partial)] if self.partial else [])
        out = [{"time": time, "bar": self.bar(step), "text": text} for step, time, text in lines]
        if self.dropped:
            out.append({"time": None, "bar": None, "text": f"... {self.dropped:,} more lines not kept (the log keeps {LIMIT:,})"})
        return out

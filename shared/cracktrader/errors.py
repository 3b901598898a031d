"""Errors of the core that users catch by name. Tiny on purpose: `import cracktrader` loads it."""


class OrderRejected(ValueError):
    """An order broke one of its market's rules.

    `rule` names the rule (e.g. "amount_below_min", see `cracktrader.kernels.ORDER_STATUS`),
    `value` is the number that broke it (the side or order type given, for those two rules;
    None for a missing price) and `limit` the bound it broke (None when there is none). Raised
    alike by the native and the WASM build.
    """

    def __init__(self, rule, message, value=None, limit=None):
        super().__init__(message)
        self.rule, self.value, self.limit = rule, value, limit

    def __reduce__(self):
        return type(self), (self.rule, str(self), self.value, self.limit)

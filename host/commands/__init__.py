"""The `cracktrader` subcommands, one module each. Each module has `register(subparsers)`,
which adds its parser and sets `run(args)`; a `CommandError` becomes a one-line message."""


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""

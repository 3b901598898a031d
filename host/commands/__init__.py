"""The `cracktrader` subcommands, one module each. Each module has `register(subparsers)`,
which adds its parser and sets `run(args)`; a `CommandError` becomes a one-line message.

Every command module is imported to build the parser, so each imports at its top only the
standard library and this package: what a command needs (ccxt, pyarrow, starlette, optuna,
distributed, the core's cache...) is imported inside the function that runs it, as
`data.run_fetch` imports `fetch`. `cracktrader X` then loads only what X uses;
tests/test_cli_imports.py runs every command and checks the heavy modules it imported (a new
command gets its line there).
"""


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""

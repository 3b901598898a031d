"""The self-hosted CrackTrader server (Starlette) and the `cracktrader` command.

Installed as `cracktrader.host`. The host uses the core; the core never imports the host.
"""

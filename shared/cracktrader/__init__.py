"""CrackTrader: backtest and trade crypto strategies written in Python.

The core is pure Python and light to import: numeric kernels (`cracktrader.kernels`), ccxt,
pyarrow and the server are imported only where they are used.
"""

__version__ = "0.1.0"

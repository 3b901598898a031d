"""Candle-series kernels (wasm/src/ohlcv): the CSV reader, the validity rules, resampling.

The same Rust code runs on both backends, so a file gives the same candles and a bad file the
same error in the browser and on the server. Violations are `(row, field, rule, detail)`
tuples. Columns come back as buffers (format 'q' for times, 'd' for values): `Buffer` objects
owning the kernel's memory natively, array('q'/'d') on Pyodide.

- `parse_csv(data, delimiter, fields, first_line, unit="auto")` -> `(columns, violation,
  lines)`: reads a CSV body (bytes-like) whose time/open/high/low/close/volume are the given
  field indexes; the violation's row is the file line; `lines` maps rows to lines
  (`[(row, line), ...]` for the first row and each row not on the line after the previous one).
- `validate(time, open, high, low, close, volume, timeframe_ms)` -> violation or None (0-based
  row); timeframe_ms 0 skips the timeframe rule.
- `infer_timeframe(time)` -> the most common step in ms, or None.
- `gaps(time, timeframe_ms)` -> `[(start, end), ...]` of missing bars.
- `resample(time, open, high, low, close, volume, source_ms, target_ms)` -> columns.
- Native only (Parquet files are read on the server): `epoch_to_ms(values, unit="auto")` and
  `parse_times(texts, unit="auto")` -> `(time, violation)`.
"""

from ._backend import backend, implementation

__all__ = ["parse_csv", "validate", "infer_timeframe", "gaps", "resample"]

_impl = implementation("ohlcv")

parse_csv = _impl.ohlcv_parse_csv
validate = _impl.ohlcv_validate
infer_timeframe = _impl.ohlcv_infer_timeframe
gaps = _impl.ohlcv_gaps
resample = _impl.ohlcv_resample

if backend == "native":
    epoch_to_ms = _impl.ohlcv_epoch_to_ms
    parse_times = _impl.ohlcv_parse_times
    __all__ += ["epoch_to_ms", "parse_times"]

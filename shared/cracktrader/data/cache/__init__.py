"""The local candle cache (server only: pyarrow), one dataset per exchange/symbol/timeframe.

    store            Cache: where datasets live, writes under a lock, range reads, listing
    manifest         a dataset's manifest.json: partitions, covered ranges, gaps
    partition_files  one Parquet file per period: written, opened checked against its CRC-32
    periods, ranges  the calendar periods files are split by; sets of time ranges
    importer         a user's file into the cache, all or nothing
    fetcher          missing bars from an exchange, through ccxt
    verify           re-read everything and check it against the manifests and the rules
    export, ipc      a dataset out as CSV/Parquet/Arrow files, or as an Arrow IPC stream
"""

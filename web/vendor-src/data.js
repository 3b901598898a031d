// Bundled by esbuild into vendor/data.mjs (worker): Arrow IPC decoding for candles from the
// host or the static demo, and hyparquet (+ zstd/brotli/...) for Parquet files the user drops.
export { tableFromIPC } from "apache-arrow";
export { parquetRead } from "hyparquet";
export { compressors } from "hyparquet-compressors";

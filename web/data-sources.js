// Getting candles into the worker: Arrow IPC (host datasets, the static demo), CSV text and
// Parquet (files the user drops or links), or plain arrays from the automation API.
// Returns {name, csvBytes} for CSV (parsed and validated by the core in Python, with the same
// rules and errors as the server import), otherwise {name, columns: {time, open, ...}} with
// typed arrays.
import { compressors, parquetRead, tableFromIPC } from "./vendor/data.mjs";

const COLUMNS = ["time", "open", "high", "low", "close", "volume"];

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).error ?? ""; } catch { /* not JSON */ }
    throw new Error(`cannot load ${url}: HTTP ${response.status}${detail ? ` (${detail})` : ""}`);
  }
  return response.arrayBuffer();
}

function fromArrow(bytes, name) {
  const table = tableFromIPC(new Uint8Array(bytes));
  const columns = {};
  for (const col of COLUMNS) {
    const vector = table.getChild(col);
    if (!vector) throw new Error(`${name}: no '${col}' column in the Arrow data`);
    columns[col] = vector.toArray();
  }
  return { name, columns };
}

function toNumbers(values) {
  if (values instanceof Float64Array || values instanceof BigInt64Array) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v instanceof Date ? v.getTime() : typeof v === "bigint" ? Number(v) : v === null ? NaN : Number(v);
  }
  return out;
}

async function fromParquet(bytes, name) {
  const chunks = {};
  await parquetRead({
    file: bytes,
    compressors,
    onChunk: ({ columnName, columnData, rowStart }) => {
      (chunks[columnName.toLowerCase()] ??= []).push({ rowStart, data: columnData });
    },
  });
  const timeName = ["time", "timestamp", "date", "datetime", "open_time"].find((c) => chunks[c]);
  const columns = {};
  for (const col of COLUMNS) {
    const parts = chunks[col === "time" ? timeName : col];
    if (!parts) throw new Error(`${name}, row 1, ${col}: no '${col}' column in the Parquet file [missing_column]`);
    parts.sort((a, b) => a.rowStart - b.rowStart);
    const length = parts.reduce((n, p) => n + p.data.length, 0);
    const first = toNumbers(parts[0].data);
    const out = new first.constructor(length);
    let at = 0;
    for (const p of parts) {
      out.set(toNumbers(p.data), at);
      at += p.data.length;
    }
    columns[col] = out;
  }
  return { name, columns };
}

function isParquet(bytes) {
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  return head.length === 4 && String.fromCharCode(...head) === "PAR1";
}

function fromBytes(bytes, name) {
  if (isParquet(bytes)) return fromParquet(bytes, name);
  return { name, csvBytes: new Uint8Array(bytes) };
}

export async function loadCandles(data) {
  switch (data.kind) {
    case "dataset":
      return fromArrow(await fetchBytes(data.url), data.id);
    case "url": {
      const bytes = await fetchBytes(data.url);
      const name = decodeURIComponent(new URL(data.url, self.location.href).pathname.split("/").pop() || data.url);
      return fromBytes(bytes, name);
    }
    case "file":
      return fromBytes(data.bytes, data.name);
    case "columns": {
      const columns = {};
      for (const col of COLUMNS) {
        if (!data.columns[col]) throw new Error(`data.${col} is missing: expected {time, open, high, low, close, volume} arrays`);
        columns[col] = col === "time" ? Float64Array.from(data.columns[col], Number) : Float64Array.from(data.columns[col], Number);
      }
      return { name: data.name ?? "data", columns };
    }
    default:
      throw new Error(`unknown data kind ${data.kind}`);
  }
}

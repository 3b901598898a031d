// The selected session's tables: its state (position, balance, equity, risk), open orders,
// fills and log. Each row is built from the host's own words (docs/live.md).
import { fmtNumber } from "../tables.js";

const num = (v) => (v === null || v === undefined ? "—" : fmtNumber(v));

const MAX_ROWS = 500; // fills and log lines kept on the page (the journal keeps them all)

export const fmtTime = (ms) => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "—");

function cells(row, values, numeric = []) {
  values.forEach((v, i) => {
    const td = row.insertCell();
    td.textContent = v ?? "—";
    if (numeric.includes(i)) td.className = "num";
  });
}

export function renderSummary(el, state, worker) {
  const pos = state.position ?? {};
  const rows = [
    ["health", state.health + (worker && !worker.running ? " (no worker)" : "")],
    ["risk", `${state.risk?.state ?? "—"}${state.risk?.rule ? ` (${state.risk.rule})` : ""}`],
    ["position", pos.size ? `${num(pos.size)} @ ${num(pos.price)}` : "flat"],
    ["unrealized", num(pos.unrealized)],
    ["cash", num(state.balance?.cash)],
    ["equity", num(state.equity)],
    ["P&L", num(state.pnl)],
    ["fees", num(state.fees)],
    ["last bar", fmtTime(state.last_bar_time)],
    ["restarts", worker?.restarts ?? 0],
  ];
  if (state.last_error) rows.push(["last error", state.last_error]);
  el.replaceChildren();
  for (const [k, v] of rows) {
    const row = el.insertRow();
    row.dataset.key = k;
    cells(row, [k, v]);
  }
}

export function renderOrders(table, orders) {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const h of ["side", "type", "size", "filled", "limit", "stop", "status", "id"]) head.insertCell().textContent = h;
  const body = table.createTBody();
  for (const o of orders ?? []) cells(body.insertRow(), [o.side, o.type, num(o.size), num(o.filled), num(o.limit), num(o.stop), o.status, o.cid], [2, 3, 4, 5]);
}

export function clearFills(table) {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const h of ["time", "side", "qty", "price", "fee", "trade"]) head.insertCell().textContent = h;
  table.createTBody();
}

// Newest first.
export function addFill(table, f, side) {
  const row = table.tBodies[0].insertRow(0);
  row.dataset.trade = f.trade_id;
  cells(row, [fmtTime(f.time), side ?? "?", String(f.qty), String(f.price), num(f.fee_quote ?? f.fee), f.trade_id], [2, 3, 4]);
  while (table.tBodies[0].rows.length > MAX_ROWS) table.tBodies[0].deleteRow(-1);
}

export function addLog(list, event) {
  const line = document.createElement("div");
  const { kind, data } = event;
  line.className = `log-${kind === "log" ? data.source : kind}`;
  const text = kind === "log" ? data.text
    : kind === "session" ? `session ${data.what}${data.error ? `: ${data.error}` : ""}`
    : kind === "risk" ? `risk ${data.state}${data.rule ? ` (${data.rule}${data.reason ? `: ${data.reason}` : ""})` : ""}`
    : kind === "control" ? `command ${data.command}`
    : kind === "external_order" ? `an order the session did not place: ${JSON.stringify(data)}`
    : JSON.stringify(data);
  line.textContent = `${fmtTime(event.time)}  ${text}`;
  list.prepend(line);
  while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
}

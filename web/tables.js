// The stats table and the sortable trades table.
const fmtTime = (ms) => (ms === null || ms === undefined ? "—" : new Date(ms).toISOString().replace("T", " ").slice(0, 16));

export function fmtNumber(v) {
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1 || abs === 0) return v.toLocaleString("en-US", { maximumFractionDigits: abs >= 1000 ? 2 : 4 });
  return v.toLocaleString("en-US", { maximumSignificantDigits: 6 }); // 0.0000123456, not 0.000012
}

// How to show a stat: fractions as percents, times as dates, durations in days.
const PERCENT = new Set(["total_return", "cagr", "volatility", "max_drawdown", "win_rate", "exposure"]);
const TIMES = new Set(["start", "end"]);

function fmtDuration(ms) {
  const days = ms / 86_400_000;
  return days >= 1 ? `${days.toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`;
}

function fmtStat(key, value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}: ${v}`).join(", ");
  if (typeof value === "string") return value;
  if (PERCENT.has(key)) return `${(value * 100).toFixed(2)} %`;
  if (TIMES.has(key)) return fmtTime(value);
  if (key.endsWith("_ms")) return fmtDuration(value);
  return fmtNumber(value);
}

export function renderStats(table, stats) {
  const body = document.createElement("tbody");
  for (const [key, value] of Object.entries(stats)) {
    const row = body.insertRow();
    row.insertCell().textContent = key.replace(/_ms$/, "").replace(/_/g, " ");
    const cell = row.insertCell();
    cell.textContent = fmtStat(key, value);
    cell.className = "num";
    row.dataset.key = key;
  }
  table.replaceChildren(body);
}

const TRADE_COLUMNS = [
  ["entry_time", "Entry", fmtTime], ["exit_time", "Exit", fmtTime], ["side", "Side", String],
  ["size", "Size", fmtNumber], ["entry_price", "Entry price", fmtNumber], ["exit_price", "Exit price", fmtNumber],
  ["pnl", "P&L", fmtNumber], ["commission", "Fees", fmtNumber],
];

const PAGE_ROWS = 1000; // rows added to the DOM at a time; sorting covers every trade, the CSV has them all

// `onPick(trade)` is called when a row is clicked (the page shows that trade on the chart).
export function renderTrades(table, trades, note, onPick = () => {}) {
  let sortKey = "entry_time", ascending = true, sorted = [], shown = 0;
  const head = table.createTHead();
  head.replaceChildren();
  const headRow = head.insertRow();
  const body = document.createElement("tbody");
  table.querySelectorAll("tbody").forEach((b) => b.remove());
  table.append(body);
  const more = document.createElement("button");
  more.type = "button";
  more.className = "link";
  more.addEventListener("click", () => showMore());

  function row(t) {
    const tr = document.createElement("tr");
    tr.title = "Show this trade on the chart";
    tr.addEventListener("click", () => {
      body.querySelector("tr.selected")?.classList.remove("selected");
      tr.classList.add("selected");
      onPick(t);
    });
    for (const [key, , fmt] of TRADE_COLUMNS) {
      const td = tr.insertCell();
      td.textContent = fmt(t[key]);
      if (key === "pnl") td.className = t.pnl >= 0 ? "num win" : "num loss";
      else if (key !== "side") td.className = "num";
    }
    return tr;
  }

  function showMore() {
    const next = Math.min(sorted.length, shown + PAGE_ROWS);
    body.append(...sorted.slice(shown, next).map(row));
    shown = next;
    if (shown < sorted.length) {
      more.textContent = `show ${Math.min(PAGE_ROWS, sorted.length - shown).toLocaleString()} more`;
      note.replaceChildren(`Showing ${shown.toLocaleString()} of ${sorted.length.toLocaleString()} trades in this order (the CSV has them all): `, more);
    } else {
      note.replaceChildren();
    }
  }

  function fill() {
    sorted = [...trades].sort((x, y) => {
      const a = x[sortKey], b = y[sortKey];
      const c = a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
      return ascending ? c : -c;
    });
    body.replaceChildren();
    shown = 0;
    showMore();
    for (const th of headRow.cells) th.dataset.sort = th.dataset.key === sortKey ? (ascending ? "asc" : "desc") : "";
  }

  for (const [key, label] of TRADE_COLUMNS) {
    const th = document.createElement("th");
    th.textContent = label;
    th.dataset.key = key;
    th.addEventListener("click", () => {
      ascending = sortKey === key ? !ascending : true;
      sortKey = key;
      fill();
    });
    headRow.append(th);
  }
  fill();
}

export function tradesCsv(trades) {
  const keys = TRADE_COLUMNS.map(([key]) => key);
  const lines = [keys.join(",")];
  for (const t of trades) lines.push(keys.map((k) => (t[k] === null ? "" : t[k])).join(","));
  return lines.join("\n") + "\n";
}

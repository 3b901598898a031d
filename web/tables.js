// The result's tables: statistics (one run or several side by side), the sortable trades
// table (keyboard included), the performance summary, the log; and the trades as CSV.
const fmtTime = (ms) => (ms === null || ms === undefined ? "—" : new Date(ms).toISOString().replace("T", " ").slice(0, 16));

export function fmtNumber(v) {
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1 || abs === 0) return v.toLocaleString("en-US", { maximumFractionDigits: abs >= 1000 ? 2 : 4 });
  return v.toLocaleString("en-US", { maximumSignificantDigits: 6 }); // 0.0000123456, not 0.000012
}

const fixed = (v, digits) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
// Money: cents, or six significant digits below 1 (a coin priced 0.0000123).
const fmtMoney = (v) => (Math.abs(v) >= 1 || v === 0 ? fixed(v, 2) : v.toLocaleString("en-US", { maximumSignificantDigits: 6 }));
const fmtPercent = (v) => `${fixed(v * 100, 2)} %`;

// A header cell: the label of a column (scope "col") or of a row ("row").
function headerCell(text, scope) {
  const th = document.createElement("th");
  if (scope) th.scope = scope;
  th.textContent = text;
  return th;
}

function fmtDuration(ms) {
  const days = ms / 86_400_000;
  return days >= 1 ? `${fixed(days, 1)} days` : `${fixed(ms / 3_600_000, 1)} hours`;
}

// Every statistic, declared once: its label and how it reads.
const STATS = [
  ["engine", "Engine", "text"],
  ["start", "Start", "time"], ["end", "End", "time"], ["bars", "Bars", "count"],
  ["initial_cash", "Initial cash", "money"], ["final_value", "Final value", "money"],
  ["total_return", "Total return", "percent"], ["benchmark_return", "Buy & hold return", "percent"],
  ["cagr", "CAGR", "percent"], ["volatility", "Volatility (annual)", "percent"],
  ["sharpe", "Sharpe ratio", "ratio"], ["sortino", "Sortino ratio", "ratio"], ["calmar", "Calmar ratio", "ratio"],
  ["alpha", "Alpha (annual)", "percent"], ["beta", "Beta", "ratio"],
  ["max_drawdown", "Max drawdown", "percent"], ["max_drawdown_duration_ms", "Longest drawdown", "duration"],
  ["max_drawdown_duration_bars", "Longest drawdown (bars)", "count"],
  ["trades", "Trades", "count"], ["open_trades", "Open at the end", "count"], ["win_rate", "Win rate", "percent"],
  ["profit_factor", "Profit factor", "ratio"], ["expectancy", "Expectancy", "money"],
  ["best_trade", "Best trade", "money"], ["worst_trade", "Worst trade", "money"], ["exposure", "Exposure", "percent"],
  ["sqn", "SQN", "ratio"], ["fees", "Fees", "money"], ["annualization", "Annualization", "annualization"],
];
const KNOWN = new Set(STATS.map(([key]) => key));

function fmtStat(kind, value) {
  if (value === null || value === undefined) return "—";
  switch (kind) {
    case "time": return fmtTime(value);
    case "count": return value.toLocaleString("en-US");
    case "money": return fmtMoney(value);
    case "percent": return fmtPercent(value);
    case "ratio": return fixed(value, 2);
    case "duration": return fmtDuration(value);
    case "annualization":
      return value.periods_per_year
        ? `${value.periods_per_year.toLocaleString("en-US", { maximumFractionDigits: 1 })} bars a year (${value.days_per_year} days × ${value.hours_per_day} h)`
        : "—";
    default: return typeof value === "number" ? fmtNumber(value) : String(value);
  }
}

// `runs`: [{label, stats}], one column each (one run: no heading).
export function renderStats(table, runs) {
  const head = table.createTHead();
  head.replaceChildren();
  if (runs.length > 1) {
    const row = head.insertRow();
    row.append(document.createElement("th"));
    for (const run of runs) {
      row.append(headerCell(run.label, "col"));
    }
  }
  const body = document.createElement("tbody");
  const extra = Object.keys(runs[0]?.stats ?? {}).filter((k) => !KNOWN.has(k)).map((k) => [k, k.replace(/_/g, " "), "number"]);
  for (const [key, label, kind] of [...STATS, ...extra]) {
    if (!runs.some((r) => key in r.stats)) continue;
    const row = body.insertRow();
    row.dataset.key = key;
    row.append(headerCell(label, "row"));
    for (const run of runs) {
      const cell = row.insertCell();
      cell.textContent = fmtStat(kind, run.stats[key]);
      cell.className = "num";
    }
  }
  table.querySelectorAll("tbody").forEach((b) => b.remove());
  table.append(body);
}

const REASONS = { signal: "signal", stop_loss: "stop-loss", take_profit: "take-profit", trailing: "trailing" };
const fmtReason = (r) => (r === null ? "open" : REASONS[r] ?? r);
const fmtBars = (n) => n.toLocaleString("en-US");

// [key, heading, format]: what the table shows of a trade (README, Results).
const TRADE_COLUMNS = [
  ["entry_time", "Entry", fmtTime], ["exit_time", "Exit", (t) => (t === null ? "open" : fmtTime(t))],
  ["side", "Side", String], ["bars", "Bars", fmtBars], ["size", "Size", fmtNumber],
  ["entry_price", "Entry price", fmtNumber], ["exit_price", "Exit price", (p) => (p === null ? "—" : fmtNumber(p))],
  ["pnl", "P&L", fmtNumber], ["return", "Return", fmtPercent], ["mae", "MAE", fmtNumber], ["mfe", "MFE", fmtNumber],
  ["commission", "Fees", fmtNumber], ["entry_reason", "Entry reason", fmtReason], ["exit_reason", "Exit reason", fmtReason],
];
const TEXT_COLUMNS = new Set(["side", "entry_reason", "exit_reason"]);

const PAGE_ROWS = 1000; // rows added to the DOM at a time; sorting covers every trade, the CSV has them all

// Trades with the position still open at the end (marked "open"). A row is picked by a click,
// or Enter/Space on it (rows are focusable; arrow keys move between them): `onPick(trade)`.
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

  function pick(tr, t) {
    body.querySelector("tr.selected")?.classList.remove("selected");
    body.querySelector("tr[aria-selected=true]")?.setAttribute("aria-selected", "false");
    tr.classList.add("selected");
    tr.setAttribute("aria-selected", "true");
    onPick(t);
  }

  function row(t) {
    const tr = document.createElement("tr");
    tr.title = "Show this trade on the chart";
    tr.tabIndex = 0;
    tr.setAttribute("aria-selected", "false");
    if (t.exit_time === null) tr.classList.add("open");
    tr.addEventListener("click", () => pick(tr, t));
    tr.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        pick(tr, t);
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        (e.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling)?.focus();
      }
    });
    for (const [key, , fmt] of TRADE_COLUMNS) {
      const td = tr.insertCell();
      td.textContent = fmt(t[key]);
      td.dataset.key = key;
      if (key === "pnl" || key === "return") td.className = t.pnl >= 0 ? "num win" : "num loss";
      else if (!TEXT_COLUMNS.has(key)) td.className = "num";
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
    for (const th of headRow.cells) {
      const sort = th.dataset.key === sortKey ? (ascending ? "asc" : "desc") : "";
      th.dataset.sort = sort;
      th.setAttribute("aria-sort", sort === "asc" ? "ascending" : sort === "desc" ? "descending" : "none");
    }
  }

  // Headings sort (click, or Enter/Space on their button); again reverses.
  for (const [key, label] of TRADE_COLUMNS) {
    const th = document.createElement("th");
    th.scope = "col";
    th.dataset.key = key;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = label;
    button.title = `Sort by ${label.toLowerCase()}`;
    th.append(button);
    th.addEventListener("click", () => {
      ascending = sortKey === key ? !ascending : true;
      sortKey = key;
      fill();
    });
    headRow.append(th);
  }
  fill();
}

// The performance summary: long and short trades apart, and the return of each month (a row
// per year, as TradingView shows it).
export function renderSummary(box, summary) {
  const sides = document.createElement("table");
  sides.className = "summary-sides";
  const rows = [["trades", "Trades", "count"], ["win_rate", "Win rate", "percent"], ["pnl", "Net P&L", "money"],
    ["profit_factor", "Profit factor", "ratio"], ["avg_pnl", "Average trade", "money"], ["best", "Best trade", "money"],
    ["worst", "Worst trade", "money"]];
  const head = sides.createTHead().insertRow();
  for (const text of ["", "Long", "Short"]) {
    head.append(headerCell(text));
  }
  const body = sides.createTBody();
  for (const [key, label, kind] of rows) {
    const row = body.insertRow();
    row.append(headerCell(label, "row"));
    for (const side of ["long", "short"]) {
      const td = row.insertCell();
      td.className = "num";
      td.textContent = fmtStat(kind, summary[side][key]);
    }
  }
  const monthly = document.createElement("table");
  monthly.className = "summary-monthly";
  const mh = monthly.createTHead().insertRow();
  for (const text of ["Year", ..."Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ")]) {
    mh.append(headerCell(text));
  }
  const years = new Map();
  for (const { month, return: r } of summary.monthly) {
    const [year, m] = month.split("-");
    if (!years.has(year)) years.set(year, Array(12).fill(undefined));
    years.get(year)[Number(m) - 1] = r;
  }
  const mb = monthly.createTBody();
  for (const [year, values] of years) {
    const row = mb.insertRow();
    row.append(headerCell(year, "row"));
    for (const r of values) {
      const td = row.insertCell();
      td.className = r === undefined || r === null ? "num" : `num ${r >= 0 ? "win" : "loss"}`;
      td.textContent = r === undefined ? "" : r === null ? "—" : fmtPercent(r);
    }
  }
  const title = (text) => Object.assign(document.createElement("h3"), { textContent: text });
  box.replaceChildren(title("Long and short trades"), sides, title("Monthly returns"), monthly);
}

// What the strategy printed, each line with its bar.
export function renderLog(box, log) {
  if (!log.length) {
    box.replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: "The strategy printed nothing (print() and self.log() show here, with the bar's time)." }));
    return;
  }
  const pre = document.createElement("pre");
  pre.textContent = log.map((e) => `${e.time === null ? "init            " : fmtTime(e.time)}  ${e.bar === null ? "" : `#${e.bar}  `}${e.text}`).join("\n");
  box.replaceChildren(pre);
}

// Decimals of a ccxt precision in the modes it uses: TICK_SIZE (a step like 0.01) or
// DECIMAL_PLACES (a count); null: unknown.
function rounder(precision, mode) {
  if (precision === undefined || precision === null) return null;
  if (mode === "TICK_SIZE") {
    const decimals = Math.max(0, Math.ceil(-Math.log10(precision) - 1e-9));
    return (v) => (Math.round(v / precision) * precision).toFixed(decimals);
  }
  if (mode === "DECIMAL_PLACES") return (v) => v.toFixed(precision);
  return null;
}

const CSV_COLUMNS = ["entry_time", "exit_time", "side", "size", "entry_price", "exit_price", "pnl", "commission",
  "bars", "duration_ms", "return", "mae", "mfe", "entry_reason", "exit_reason"];

// The trades (open ones last) as CSV: ISO 8601 UTC times; prices and sizes at the market's
// precision when the run used market rules (`market`: {precision: {price, amount}, precision_mode}),
// else every number as the shortest text that reads back to it.
export function tradesCsv(trades, market = null) {
  const price = rounder(market?.market?.precision?.price, market?.precision_mode);
  const amount = rounder(market?.market?.precision?.amount, market?.precision_mode);
  const format = {
    entry_time: (t) => new Date(t).toISOString().replace(".000Z", "Z"),
    exit_time: (t) => new Date(t).toISOString().replace(".000Z", "Z"),
    entry_price: price, exit_price: price, size: amount,
  };
  const lines = [CSV_COLUMNS.join(",")];
  for (const t of trades) {
    lines.push(CSV_COLUMNS.map((k) => (t[k] === null || t[k] === undefined ? "" : (format[k] ?? String)(t[k]))).join(","));
  }
  return lines.join("\n") + "\n";
}

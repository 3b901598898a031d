// The Live view: start a session from the strategy in the editor, the host's sessions, and the
// selected one as it trades (chart, state, orders, fills, log) with its controls. The kill
// switch stays in sight (the session bar is sticky, also on a phone).
import { $ } from "../dom.js";
import { state } from "../state.js";
import { currentStrategy, editor, readParams } from "../backtest/strategy.js";
import { readSettings } from "../backtest/settings.js";
import { api, rememberToken, token } from "./api.js";
import { LiveChart } from "./chart.js";
import { replay } from "./replay.js";
import { EventStream } from "./socket.js";
import { addFill, addLog, clearFills, fmtTime, renderOrders, renderSummary } from "./tables.js";

const L = state.live;
const REFRESH_MS = 3000;
const RISK = ["max_order_notional", "max_position_notional", "max_open_orders", "max_daily_loss", "max_drawdown"];
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const LOGGED = new Set(["log", "session", "risk", "control", "external_order"]);

const timeframeMs = (tf) => Number.parseInt(tf, 10) * (UNIT_MS[tf.slice(-1)] ?? 60_000);

export function initLive() {
  $("live-online").hidden = false;
  if (!state.site.server) { // the static demo: sessions need `cracktrader serve`; a replay instead
    $("view-live").classList.add("replay-mode");
    $("live-selected").hidden = false;
    $("live-replay-again").addEventListener("click", replay);
    return;
  }
  $("live-token").value = sessionStorage.getItem("cracktrader.token") ?? "";
  $("live-token").addEventListener("change", () => { rememberToken(); refresh(); });
  $("live-start").addEventListener("submit", (e) => { e.preventDefault(); start(); });
  $("live-mode").addEventListener("change", showConfirm);
  $("live-account").addEventListener("change", showConfirm);
  $("live-kill").addEventListener("click", kill);
  $("live-stop").addEventListener("click", () => control("stop"));
  $("live-resume").addEventListener("click", () => control("resume"));
  setInterval(() => { if (!$("view-live").hidden) refresh(); }, REFRESH_MS);
}

// When the view is shown: the accounts and the sessions, fresh.
export async function showLive() {
  if (!state.site.server) {
    replay();
    return;
  }
  const params = Object.entries(readParams()).map(([k, v]) => `${k}=${v}`).join(", ");
  $("live-strategy").textContent = `${currentStrategy()?.name ?? "—"}${params ? ` (${params})` : ""}`;
  await refresh();
}

function fail(err) {
  $("live-error").hidden = false;
  $("live-error").textContent = err.status === 401 ? "the API token is missing or wrong" : err.message;
}

async function refresh() {
  if (!token()) {
    fail({ message: "enter the server's API token" });
    return;
  }
  try {
    if (!L.accounts) {
      L.accounts = (await api("GET", "api/live/accounts")).accounts;
      $("live-account").replaceChildren(...L.accounts.map((a) => new Option(`${a.name} (${a.exchange}${a.sandbox ? ", sandbox" : ""}${a.trading ? "" : ", data only"})`, a.name)));
      showConfirm();
    }
    L.sessions = (await api("GET", "api/live")).sessions;
    $("live-error").hidden = true;
    renderSessions();
  } catch (err) {
    if (err.status === 401) L.accounts = null;
    fail(err);
  }
}

// Real money needs its own tick: an exchange session on an account that is not a sandbox.
function showConfirm() {
  const account = L.accounts?.find((a) => a.name === $("live-account").value);
  $("live-confirm-row").hidden = !($("live-mode").value === "exchange" && account && !account.sandbox);
}

function renderSessions() {
  const body = $("live-sessions").tBodies[0];
  body.replaceChildren();
  for (const s of L.sessions) {
    const row = body.insertRow();
    row.dataset.id = s.id;
    row.classList.toggle("selected", s.id === L.selected);
    const st = s.state ?? {};
    for (const v of [s.name, s.config.mode, `${s.config.symbol} ${s.config.timeframe}`, st.health ?? (s.worker.running ? "starting" : "stopped"), st.risk?.state ?? "—", st.equity?.toFixed?.(2) ?? "—", st.pnl?.toFixed?.(2) ?? "—"]) {
      row.insertCell().textContent = v;
    }
    row.addEventListener("click", () => select(s.id));
  }
  $("live-none").hidden = L.sessions.length > 0;
}

function readRisk() {
  const risk = {};
  for (const key of RISK) {
    const v = $(`live-${key}`).value.trim();
    if (v) risk[key] = v.endsWith("%") ? v : Number(v);
  }
  return risk;
}

async function start() {
  const strategy = currentStrategy();
  const settings = readSettings();
  const body = {
    strategy: editor.source, strategy_class: strategy?.name, params: readParams(),
    account: $("live-account").value, mode: $("live-mode").value, symbol: $("live-symbol").value.trim(),
    timeframe: $("live-timeframe").value, cash: Number($("live-cash").value), commission: settings.commission,
    slippage: settings.slippage, risk: readRisk(),
  };
  if ($("live-name").value.trim()) body.name = $("live-name").value.trim();
  if (!$("live-confirm-row").hidden) body.confirm_live = $("live-confirm").checked;
  try {
    const session = await api("POST", "api/live", body);
    $("live-error").hidden = true;
    await refresh();
    await select(session.id);
  } catch (err) {
    fail(err);
  }
}

async function control(action) {
  if (!L.selected) return;
  try {
    showState(await api("POST", `api/live/${L.selected}/${action}`));
    await refresh();
  } catch (err) {
    fail(err);
  }
}

function kill() {
  const s = L.sessions.find((x) => x.id === L.selected);
  if (s && confirm(`Kill switch for "${s.name}": cancel every open order and close the position, then stay halted?`)) control("kill");
}

function showState({ state: st, worker }) {
  if (!st) return;
  renderSummary($("live-summary"), st, worker);
  renderOrders($("live-orders"), st.open_orders);
  $("live-health").textContent = st.health ?? "—";
  $("live-health").dataset.health = st.health ?? "";
  $("live-risk").textContent = st.risk?.state ?? "—";
  $("live-risk").dataset.risk = st.risk?.state ?? "";
}

// Shows a session: its bars, then every event from the first (fills, equity, log), then live.
export async function select(sid) {
  L.stream?.close();
  L.chart?.remove();
  Object.assign(L, { selected: sid, lastSeq: 0, orders: new Map(), fillsShown: new Map(), stream: null, chart: null });
  const session = await api("GET", `api/live/${sid}`);
  $("live-selected").hidden = false;
  $("live-title").textContent = `${session.name} · ${session.config.symbol} ${session.config.timeframe} · ${session.config.mode}`;
  renderSessions();
  showState(session);
  clearFills($("live-fills"));
  $("live-log").replaceChildren();
  const chart = (L.chart = new LiveChart($("live-chart")));
  const bars = await api("GET", `api/live/${sid}/bars`);
  chart.setBars(bars.time.map((time, i) => ({ time, open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i] })));
  chart.setLines(bars.overlays ?? [], bars.time);
  const tf = timeframeMs(session.config.timeframe);
  L.stream = new EventStream(sid, 0, {
    hello: showState,
    state: showState,
    forming: (bar) => chart.bar(bar),
    status: (text, ok) => { $("live-conn").textContent = text; $("live-conn").dataset.ok = ok; },
    events: (events) => {
      for (const e of events) {
        const d = e.data;
        if (e.kind === "bar") chart.bar(d);
        else if (e.kind === "lines") chart.lines(d);
        else if (e.kind === "order" && d.side) L.orders.set(d.cid, d.side);
        else if (e.kind === "fill") {
          addFill($("live-fills"), d, L.orders.get(d.cid));
          chart.fill(d, L.orders.get(d.cid), tf);
          L.fillsShown.set(d.trade_id, performance.timeOrigin + performance.now());
        } else if (e.kind === "account") chart.equityPoint(e.time, d.equity);
        if (LOGGED.has(e.kind)) addLog($("live-log"), e);
        L.lastSeq = e.seq;
      }
      $("live-seq").textContent = `event ${L.lastSeq} · ${fmtTime(events[events.length - 1].time)}`;
    },
  });
}

// For scripts and tests (window.cracktrader.live): what the page shows.
export const liveApi = {
  select,
  get selected() { return L.selected; },
  get lastSeq() { return L.lastSeq; },
  // {trade id: epoch ms when the fill was drawn}
  fillsShown: () => Object.fromEntries(L.fillsShown),
  // {label: [{time (s), value}]}: the indicator lines drawn
  lines: () => Object.fromEntries([...(L.chart?.lineSeries ?? [])].map(([label, l]) => [label, l.series.data()])),
};

// Result charts with lightweight-charts (global `LightweightCharts`, loaded by the page):
// one chart, several panes sharing the time axis — candles with indicator overlays and trade
// markers, indicators that need their own scale, equity, drawdown.
//
// Long series are drawn as OHLC groups of `k` bars so painting stays fast, and the grouping
// follows the zoom: zoomed in, the chart holds a window of finer groups (down to single bars)
// around what is visible, and it is rebuilt when the view leaves that window or the zoom
// changes a lot.
import { fmtNumber } from "./tables.js";

const LC = globalThis.LightweightCharts;
// Points per series: painting 20k candles and lines took ~130 ms of main thread per frame at
// 100k bars, 10k about 80 ms (bench/web.py), and 10k is still 5+ points per screen pixel.
const MAX_POINTS = 10_000;
// Zoomed in, the view gets about this many points, and the window three times as many.
const VIEW_POINTS = 2_500;
const MAX_TRADES_WITH_EXITS = 5_000;
export const COLORS = ["#2962ff", "#ff6d00", "#8e24aa", "#00897b", "#c2185b", "#5d4037", "#7cb342"];

// The first index whose time is >= t (times ascending).
function lowerBound(time, t) {
  let lo = 0, hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// One point per group of k bars from index lo (inclusive) to hi (exclusive).
function candlePoints(a, k, lo, hi) {
  const out = [];
  for (let i = lo; i < hi; i += k) {
    const end = Math.min(i + k, hi);
    let high = -Infinity, low = Infinity;
    for (let j = i; j < end; j++) {
      if (a.high[j] > high) high = a.high[j];
      if (a.low[j] < low) low = a.low[j];
    }
    out.push({ time: a.time[i] / 1000, open: a.open[i], high, low, close: a.close[end - 1] });
  }
  return out;
}

function linePoints(time, values, k, lo, hi, pick = "last") {
  const out = [];
  for (let i = lo; i < hi; i += k) {
    const end = Math.min(i + k, hi);
    let v = values[end - 1];
    if (pick === "min") for (let j = i; j < end; j++) if (values[j] < v) v = values[j];
    out.push(Number.isFinite(v) ? { time: time[i] / 1000, value: v } : { time: time[i] / 1000 });
  }
  return out;
}

function drawdown(values) {
  const out = new Float64Array(values.length);
  let peak = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > peak) peak = values[i];
    out[i] = peak > 0 ? (values[i] / peak - 1) * 100 : 0;
  }
  return out;
}

function swatch(mark, color, name) {
  const item = document.createElement("span");
  const sign = document.createElement("span");
  sign.style.color = color;
  sign.textContent = mark;
  item.append(sign, ` ${name}`);
  return item;
}

// Trade markers on the groups of a window: entries, and exits while there are few trades
// (`strong`: the selected trade's, larger and labelled).
function tradeMarkers(trades, time, view, strong = false) {
  const { k, lo, hi } = view;
  const t0 = time[lo], t1 = time[hi - 1];
  const snap = (t) => {
    const i = Math.max(lowerBound(time, t + 1) - 1, lo);
    return time[i - ((i - lo) % k)] / 1000;
  };
  const exits = trades.length <= MAX_TRADES_WITH_EXITS; // past that, entries only: exits would be noise
  const markers = [];
  for (const t of trades) {
    const long = t.side === "long";
    if (t.entry_time >= t0 && t.entry_time <= t1) {
      markers.push({ time: snap(t.entry_time), position: long ? "belowBar" : "aboveBar", color: long ? "#26a69a" : "#ef5350", shape: long ? "arrowUp" : "arrowDown", size: strong ? 2 : 0.6, ...(strong ? { text: "entry" } : {}) });
    }
    if ((exits || strong) && t.exit_time !== null && t.exit_time >= t0 && t.exit_time <= t1) {
      markers.push({ time: snap(t.exit_time), position: long ? "aboveBar" : "belowBar", color: t.pnl >= 0 ? "#2e7d32" : "#c62828", shape: "circle", size: strong ? 1.6 : 0.5, ...(strong ? { text: "exit" } : {}) });
    }
  }
  return markers.sort((x, y) => x.time - y.time);
}

// Decimals to show prices with: about five significant digits of a typical close (a coin at
// 0.00001234 needs nine), never fewer than two.
function pricePrecision(close) {
  const sample = [];
  const step = Math.max(1, Math.floor(close.length / 1000));
  for (let i = 0; i < close.length; i += step) if (close[i] > 0) sample.push(close[i]);
  if (!sample.length) return 2;
  sample.sort((x, y) => x - y);
  const typical = sample[sample.length >> 1];
  return Math.min(12, Math.max(2, 4 - Math.floor(Math.log10(typical))));
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

// The window to hold for a visible index range [vlo, vhi] of n bars, or the whole series.
function viewFor(n, vlo, vhi) {
  const coarsest = Math.max(1, Math.ceil(n / MAX_POINTS));
  const k = Math.min(coarsest, Math.max(1, Math.ceil((vhi - vlo + 1) / VIEW_POINTS)));
  if (k === coarsest) return { k, lo: 0, hi: n };
  const span = Math.min(n, 3 * VIEW_POINTS * k);
  const lo = Math.max(0, Math.min(n - span, Math.round((vlo + vhi) / 2 - span / 2)));
  return { k, lo, hi: lo + span };
}

let current = null; // the chart on screen: removed (observers and all) before the next one

// The chart's colors follow the page's theme (light or dark, from prefers-color-scheme).
export function chartTheme() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    layout: { background: { type: "solid", color: v("--bg") }, textColor: v("--text"), attributionLogo: false,
              panes: { separatorColor: v("--line") } },
    grid: { vertLines: { color: v("--grid") }, horzLines: { color: v("--grid") } },
  };
}

const MARKER_LEGEND = [["▲", "#26a69a", "long entry"], ["▼", "#ef5350", "short entry"], ["●", "#2e7d32", "exit, won"],
  ["●", "#c62828", "exit, lost"]];

// Its points are made in several tasks (see show) so that a long run never blocks the page for
// long. `onGroups(k)` is told the group size whenever it changes (1: every bar).
// The series are named in a legend above the chart (not on the price scales, where their
// titles covered the candles and their last-value badges the axis labels).
export async function drawResult(container, run, { onGroups = () => {} } = {}) {
  current?.remove();
  container.replaceChildren();
  const chart = LC.createChart(container, {
    autoSize: true,
    ...chartTheme(),
    timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.001, rightOffset: 4 },
    rightPriceScale: { scaleMargins: { top: 0.08, bottom: 0.05 } },
  });
  current = chart;
  const a = run.arrays;
  const n = a.time.length;
  const digits = pricePrecision(a.close);
  const priceFormat = { type: "price", precision: digits, minMove: 10 ** -digits };
  const candles = chart.addSeries(LC.CandlestickSeries, { priceFormat, upColor: "#26a69a", downColor: "#ef5350", wickUpColor: "#26a69a", wickDownColor: "#ef5350", borderVisible: false });
  let pane = 1;
  const quiet = { priceLineVisible: false, lastValueVisible: false };
  const overlays = run.overlays.map((o, i) => [o, chart.addSeries(LC.LineSeries, { ...(o.pane === "price" ? { priceFormat } : {}), color: COLORS[i % COLORS.length], lineWidth: 1.5, ...quiet }, o.pane === "price" ? 0 : pane++)]);
  const markers = LC.createSeriesMarkers(candles, []);
  const equityPane = pane++;
  const equity = chart.addSeries(LC.LineSeries, { color: "#2962ff", lineWidth: 2, ...quiet }, equityPane);
  const benchmark = a.benchmark ? chart.addSeries(LC.LineSeries, { color: "#9e9e9e", lineWidth: 1, lineStyle: LC.LineStyle.Dashed, ...quiet }, equityPane) : null;
  const dd = chart.addSeries(LC.AreaSeries, { lineColor: "#c62828", topColor: "#c6282833", bottomColor: "#c6282866", lineWidth: 1, invertFilledArea: true, ...quiet }, pane++);
  const ddValues = drawdown(a.equity);
  let selected = null; // the trade picked in the table: drawn larger, with its entry and exit prices

  // The equity curve has its own times (one per bar of the run's clock): the same window.
  const equityRange = (view) => [lowerBound(a.equity_time, a.time[view.lo]), view.hi === n ? a.equity_time.length : lowerBound(a.equity_time, a.time[view.hi])];
  let view = null;
  // While new points are being set, the chart reports the ranges of half-replaced data: the
  // zoom follower ignores them (every show is followed by setting the range it is for).
  let showing = false;
  const trades = run.open_trades ? [...run.trades, ...run.open_trades] : run.trades;
  const placeMarkers = () => {
    const list = tradeMarkers(trades, a.time, view);
    if (selected) list.push(...tradeMarkers([selected], a.time, view, true));
    markers.setMarkers(list.sort((x, y) => x.time - y.time));
  };
  // The points are made in tasks of their own, so the page stays responsive, and set in one:
  // each frame that follows a change of any series repaints the whole chart (about as long as
  // painting all of them), so the series change together. Markers come last: they are placed
  // on the time scale of all series, and are not told when another series changes it.
  const show = async (next) => {
    view = next;
    showing = true;
    try {
      const bars = candlePoints(a, next.k, next.lo, next.hi);
      await nextTask();
      const lines = overlays.map(([o]) => linePoints(a.time, o.values, next.k, next.lo, next.hi));
      const [elo, ehi] = equityRange(next);
      const curve = linePoints(a.equity_time, a.equity, next.k, elo, ehi);
      const hold = benchmark && linePoints(a.time, a.benchmark, next.k, next.lo, next.hi);
      const drops = linePoints(a.equity_time, ddValues, next.k, elo, ehi, "min");
      await nextTask();
      candles.setData(bars);
      overlays.forEach(([, series], i) => series.setData(lines[i]));
      equity.setData(curve);
      benchmark?.setData(hold);
      dd.setData(drops);
      placeMarkers();
    } finally {
      showing = false;
    }
    onGroups(next.k);
  };
  const legend = document.createElement("div");
  legend.className = "chart-legend";
  container.append(legend);
  if (n === 0) return { chart, focus: async () => {}, select: () => {} };
  await show(viewFor(n, 0, n - 1));

  // Candles get half the height; indicators, equity and drawdown share the rest.
  const panes = chart.panes();
  panes.forEach((p, i) => p.setStretchFactor(i === 0 ? panes.length - 1 : 1));
  chart.timeScale().fitContent();

  // The legend names every series (with its color) and the markers; under the crosshair it
  // also shows the bar (or group) and each series' value there.
  const names = [...overlays.map(([o], i) => [o.name, COLORS[i % COLORS.length]]), ["equity", "#2962ff"],
    ...(benchmark ? [["buy & hold", "#9e9e9e"]] : []), ["drawdown %", "#c62828"]];
  const keys = document.createElement("div");
  keys.className = "chart-keys";
  for (const [name, color] of names) keys.append(swatch("━", color, name));
  for (const [mark, color, name] of MARKER_LEGEND) keys.append(swatch(mark, color, name));
  const values = document.createElement("div");
  values.className = "chart-values";
  const picked = document.createElement("div");
  picked.className = "chart-selected";
  legend.append(keys, values, picked);
  chart.subscribeCrosshairMove((param) => {
    const bar = param.time === undefined ? undefined : param.seriesData.get(candles);
    if (!bar) {
      values.textContent = "";
      return;
    }
    const when = new Date(bar.time * 1000).toISOString().replace("T", " ").slice(0, 16);
    const parts = [when, ...["open", "high", "low", "close"].map((f) => `${f[0].toUpperCase()} ${fmtNumber(bar[f])}`)];
    for (const [o, series] of overlays) {
      const v = param.seriesData.get(series)?.value;
      if (v !== undefined) parts.push(`${o.name} ${fmtNumber(v)}`);
    }
    values.textContent = parts.join(" · ");
  });

  // Shows the bars from fromMs to toMs (the latest bar when null) with some room around them.
  const focus = async (fromMs, toMs) => {
    const first = lowerBound(a.time, fromMs);
    const last = toMs === null ? n - 1 : Math.max(first, lowerBound(a.time, toMs + 1) - 1);
    const pad = Math.max(20, last - first);
    const vlo = Math.max(0, first - pad), vhi = Math.min(n - 1, last + pad);
    await show(viewFor(n, vlo, vhi));
    chart.timeScale().setVisibleRange({ from: a.time[vlo] / 1000, to: a.time[vhi] / 1000 });
  };

  // Highlights one trade: its markers drawn larger and labelled, lines at its entry and exit
  // prices, and what it was in the legend; then shows it.
  let lines = [];
  const select = async (trade) => {
    selected = trade;
    for (const line of lines) candles.removePriceLine(line);
    const color = trade.pnl >= 0 ? "#2e7d32" : "#c62828";
    lines = [candles.createPriceLine({ price: trade.entry_price, color: "#2962ff", lineWidth: 1, lineStyle: LC.LineStyle.Dotted, axisLabelVisible: true, title: "entry" })];
    if (trade.exit_price !== null) lines.push(candles.createPriceLine({ price: trade.exit_price, color, lineWidth: 1, lineStyle: LC.LineStyle.Dotted, axisLabelVisible: true, title: "exit" }));
    const end = trade.exit_time === null ? "still open" : `${trade.exit_reason.replace("_", "-")} exit`;
    picked.textContent = `Selected: ${trade.side} ${fmtNumber(trade.size)} at ${fmtNumber(trade.entry_price)}, ${end}, ` +
      `P&L ${fmtNumber(trade.pnl)} (${(trade.return * 100).toFixed(2)} %), ${trade.bars} bars`;
    await focus(trade.entry_time, trade.exit_time);
  };

  // Follow the zoom, a moment after it settles.
  let timer = 0;
  chart.timeScale().subscribeVisibleTimeRangeChange(() => {
    clearTimeout(timer);
    if (current !== chart || showing) return;
    timer = setTimeout(async () => {
      // The range now, not the one reported: the chart reports a range change a frame late.
      const range = chart.timeScale().getVisibleRange();
      if (!range || current !== chart || showing) return;
      const vlo = Math.min(lowerBound(a.time, range.from * 1000), n - 1);
      const vhi = Math.max(vlo, Math.min(lowerBound(a.time, range.to * 1000 + 1) - 1, n - 1));
      const next = viewFor(n, vlo, vhi);
      const zoomChanged = next.k * 2 <= view.k || next.k >= view.k * 2;
      const nearEdge = (view.lo > 0 && vlo < view.lo + (vhi - vlo) / 2) || (view.hi < n && vhi > view.hi - (vhi - vlo) / 2);
      if (zoomChanged || nearEdge) {
        await show(next);
        chart.timeScale().setVisibleRange(range); // the same times, now over the new points
      }
    }, 150);
  });
  return { chart, focus, select };
}

// The chart on screen takes the page's theme again (it changed: light/dark).
export function applyTheme() {
  current?.applyOptions(chartTheme());
}

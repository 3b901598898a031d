// Result charts with lightweight-charts (global `LightweightCharts`, loaded by the page):
// one chart, several panes sharing the time axis — candles with indicator overlays and trade
// markers, indicators that need their own scale, equity, drawdown. Long series are
// downsampled for display (OHLC per group of bars) so drawing stays fast.
const LC = globalThis.LightweightCharts;
// Points per series: painting 20k candles and lines took ~130 ms of main thread per frame at
// 100k bars, 10k about 80 ms (bench/web.py), and 10k is still 5+ points per screen pixel.
const MAX_POINTS = 10_000;
const MAX_TRADES_WITH_EXITS = 5_000;
const COLORS = ["#2962ff", "#ff6d00", "#8e24aa", "#00897b", "#c2185b", "#5d4037", "#7cb342"];

function groupSize(n) {
  return Math.max(1, Math.ceil(n / MAX_POINTS));
}

function candlePoints(a, k) {
  const out = [];
  for (let i = 0; i < a.time.length; i += k) {
    const end = Math.min(i + k, a.time.length);
    let high = -Infinity, low = Infinity;
    for (let j = i; j < end; j++) {
      if (a.high[j] > high) high = a.high[j];
      if (a.low[j] < low) low = a.low[j];
    }
    out.push({ time: a.time[i] / 1000, open: a.open[i], high, low, close: a.close[end - 1] });
  }
  return out;
}

function linePoints(time, values, k, pick = "last") {
  const out = [];
  for (let i = 0; i < time.length; i += k) {
    const end = Math.min(i + k, time.length);
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

// Snap a time (ms) to the display bar that contains it.
function snapper(time, k) {
  return (t) => {
    let lo = 0, hi = time.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (time[mid] <= t) lo = mid; else hi = mid - 1;
    }
    return time[lo - (lo % k)] / 1000;
  };
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

// Drawn in several tasks (candles, overlays, markers, equity) so that a long run never blocks
// the page for long.
export async function drawResult(container, run) {
  container.replaceChildren();
  const chart = LC.createChart(container, {
    autoSize: true,
    layout: { attributionLogo: false, panes: { separatorColor: "#8884" } },
    timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.001 },
    rightPriceScale: { scaleMargins: { top: 0.05, bottom: 0.05 } },
  });
  const a = run.arrays;
  const k = groupSize(a.time.length);
  const candles = chart.addSeries(LC.CandlestickSeries, { upColor: "#26a69a", downColor: "#ef5350", wickUpColor: "#26a69a", wickDownColor: "#ef5350", borderVisible: false });
  candles.setData(candlePoints(a, k));
  await nextTask();

  let pane = 1;
  run.overlays.forEach((o, i) => {
    const series = chart.addSeries(LC.LineSeries, { color: COLORS[i % COLORS.length], lineWidth: 1.5, title: o.name, priceLineVisible: false, lastValueVisible: false }, o.pane === "price" ? 0 : pane++);
    series.setData(linePoints(a.time, o.values, k));
  });

  await nextTask();
  const snap = snapper(a.time, k);
  const markers = [];
  const exits = run.trades.length <= MAX_TRADES_WITH_EXITS; // past that, entries only: exits would be noise
  for (const t of run.trades) {
    const long = t.side === "long";
    markers.push({ time: snap(t.entry_time), position: long ? "belowBar" : "aboveBar", color: long ? "#26a69a" : "#ef5350", shape: long ? "arrowUp" : "arrowDown", size: 0.6 });
    if (exits && t.exit_time !== null) {
      markers.push({ time: snap(t.exit_time), position: long ? "aboveBar" : "belowBar", color: t.pnl >= 0 ? "#2e7d32" : "#c62828", shape: "circle", size: 0.5 });
    }
  }
  markers.sort((x, y) => x.time - y.time);
  LC.createSeriesMarkers(candles, markers);
  await nextTask();

  const equityPane = pane++;
  const equity = chart.addSeries(LC.LineSeries, { color: "#2962ff", lineWidth: 2, title: "equity", priceLineVisible: false }, equityPane);
  equity.setData(linePoints(a.equity_time, a.equity, k));
  await nextTask();
  const ddValues = drawdown(a.equity);
  await nextTask();
  const ddPane = pane++;
  const dd = chart.addSeries(LC.AreaSeries, { lineColor: "#c62828", topColor: "#c6282833", bottomColor: "#c6282866", lineWidth: 1, title: "drawdown %", priceLineVisible: false, invertFilledArea: true }, ddPane);
  dd.setData(linePoints(a.equity_time, ddValues, k, "min"));

  // Candles get half the height; indicators, equity and drawdown share the rest.
  const panes = chart.panes();
  panes.forEach((p, i) => p.setStretchFactor(i === 0 ? panes.length - 1 : 1));
  chart.timeScale().fitContent();
  return { chart, downsampled: k > 1 ? k : 0 };
}

// The selected session's chart (lightweight-charts, as the backtest's): candles as they close
// and the bar forming, the strategy's indicators (over the candles, or in panes of their own),
// a marker per fill, and equity after each bar in a pane below.
import { COLORS } from "../charts.js";

const LC = globalThis.LightweightCharts;

export class LiveChart {
  constructor(container) {
    container.replaceChildren();
    this.chart = LC.createChart(container, {
      autoSize: true,
      layout: { attributionLogo: false, panes: { separatorColor: "#8884" } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    this.candles = this.chart.addSeries(LC.CandlestickSeries, { upColor: "#26a69a", downColor: "#ef5350", wickUpColor: "#26a69a", wickDownColor: "#ef5350", borderVisible: false });
    this.markerLayer = LC.createSeriesMarkers(this.candles, []);
    this.equity = this.chart.addSeries(LC.LineSeries, { color: "#2962ff", lineWidth: 2, title: "equity", priceLineVisible: false }, 1);
    this.chart.panes()[0].setStretchFactor(3);
    this.lastTime = -Infinity; // seconds: the last bar set (closed or forming)
    this.markers = [];
    this.fitted = false;
    this.lineSeries = new Map(); // label -> {series, last: seconds of its last point}
  }

  // The strategy's lines from GET bars: [{name, pane, values}] aligned with `times` (ms).
  setLines(overlays, times) {
    for (const o of overlays) {
      const line = this.line(o.name, o.pane);
      const data = [];
      o.values.forEach((value, i) => { if (value !== null) data.push({ time: times[i] / 1000, value }); });
      line.series.setData(data);
      line.last = data.length ? data[data.length - 1].time : -Infinity;
    }
  }

  // A "lines" event: {panes, time: [ms], values: {label: [value | null]}}; older points than a
  // line's last are already drawn.
  lines(d) {
    for (const [label, values] of Object.entries(d.values)) {
      const line = this.line(label, d.panes[label]);
      values.forEach((value, i) => {
        const time = d.time[i] / 1000;
        if (value === null || time < line.last) return;
        line.series.update({ time, value });
        line.last = time;
      });
    }
  }

  line(label, pane) {
    let line = this.lineSeries.get(label);
    if (!line) {
      const own = pane === "price" ? 0 : this.chart.panes().length; // a new pane below the others
      const series = this.chart.addSeries(LC.LineSeries, { color: COLORS[this.lineSeries.size % COLORS.length], lineWidth: 1.5,
        title: label, priceLineVisible: false, lastValueVisible: false }, own);
      line = { series, last: -Infinity };
      this.lineSeries.set(label, line);
    }
    return line;
  }

  // Closed bars [{time ms, open, high, low, close}], oldest first.
  setBars(bars) {
    this.candles.setData(bars.map(point));
    this.lastTime = bars.length ? bars[bars.length - 1].time / 1000 : -Infinity;
    if (!this.fitted && bars.length) {
      this.chart.timeScale().fitContent();
      this.fitted = true;
    }
  }

  // A closed bar or the forming one: the same time updates it, a later one adds it.
  bar(b) {
    const p = point(b);
    if (p.time < this.lastTime) return; // an older bar than the chart's last: already there
    this.candles.update(p);
    this.lastTime = p.time;
  }

  // A fill: an arrow at its bar (the bar holding its time), buys below, sells above.
  fill(f, side, timeframeMs) {
    const buy = side === "buy";
    const barTime = Math.floor(f.time / timeframeMs) * timeframeMs / 1000;
    this.markers.push({ time: barTime, position: buy ? "belowBar" : "aboveBar", color: buy ? "#26a69a" : "#ef5350",
      shape: buy ? "arrowUp" : "arrowDown" });
    this.markers.sort((a, b) => a.time - b.time);
    this.markerLayer.setMarkers(this.markers);
  }

  equityPoint(timeMs, value) {
    const time = Math.floor(timeMs / 1000);
    if (!Number.isFinite(value) || time < (this.equityTime ?? -Infinity)) return;
    this.equity.update({ time, value });
    this.equityTime = time;
  }

  remove() {
    this.chart.remove();
  }
}

const point = (b) => ({ time: b.time / 1000, open: b.open, high: b.high, low: b.low, close: b.close });

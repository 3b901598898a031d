// The selected session's chart (lightweight-charts, as the backtest's): candles as they close
// and the bar forming, a marker per fill, and equity after each bar in a pane below.
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

// The sweep's two pictures, drawn on a canvas: the heatmap of the objective over two
// parameters (the best starred) and a line (the walk-forward's stitched equity).
import { fmtNumber } from "../tables.js";

// Viridis, sampled: dark (low) to yellow (high).
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function color(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - k;
  const c = RAMP[k].map((v, i) => Math.round(v + f * (RAMP[k + 1][i] - v)));
  return `rgb(${c.join(",")})`;
}

// [min, max] of a long array (spreading a million values into Math.min would overflow the stack).
function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function setup(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  ctx.font = "11px system-ui, sans-serif";
  return ctx;
}

// heatmap: {x, y, xs, ys, cells: [row per y][column per x] (null: no trial)}; best: {x value, y value}.
// `larger` says whether larger values are better (the colours' direction).
export function drawHeatmap(canvas, heatmap, best, { label = "", larger = true } = {}) {
  const { xs, ys, cells } = heatmap;
  const left = 56, bottom = 40, top = 18, right = 70;
  const cw = Math.max(14, Math.min(48, Math.floor(560 / xs.length)));
  const ch = Math.max(12, Math.min(36, Math.floor(360 / ys.length)));
  const ctx = setup(canvas, left + cw * xs.length + right, top + ch * ys.length + bottom);
  const [lo, hi] = extent(cells.flat().filter((v) => v !== null));
  const scale = (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  ys.forEach((yv, j) => {
    xs.forEach((xv, i) => {
      const v = cells[j][i];
      const x = left + i * cw, y = top + (ys.length - 1 - j) * ch;
      ctx.fillStyle = v === null ? "#eee" : color(larger ? scale(v) : 1 - scale(v));
      ctx.fillRect(x, y, cw - 1, ch - 1);
      if (best && best[0] === xv && best[1] === yv) {
        ctx.fillStyle = "#e53935";
        ctx.font = `${Math.min(cw, ch)}px system-ui`;
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText("★", x + cw / 2, y + ch / 2);
        ctx.font = "11px system-ui, sans-serif";
      }
    });
  });
  ctx.fillStyle = "#333";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const every = Math.ceil(xs.length / 16);
  xs.forEach((v, i) => { if (i % every === 0) ctx.fillText(String(v), left + i * cw + cw / 2, top + ch * ys.length + 3); });
  ctx.fillText(heatmap.x, left + (cw * xs.length) / 2, top + ch * ys.length + 20);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const everyY = Math.ceil(ys.length / 14);
  ys.forEach((v, j) => { if (j % everyY === 0) ctx.fillText(String(v), left - 4, top + (ys.length - 1 - j) * ch + ch / 2); });
  ctx.save();
  ctx.translate(12, top + (ch * ys.length) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(heatmap.y, 0, 0);
  ctx.restore();
  // the scale, low to high
  const sx = left + cw * xs.length + 14, sh = ch * ys.length;
  for (let k = 0; k < sh; k++) {
    ctx.fillStyle = color(larger ? 1 - k / sh : k / sh);
    ctx.fillRect(sx, top + k, 10, 1);
  }
  ctx.fillStyle = "#333";
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.fillText(fmtNumber(larger ? hi : lo), sx + 13, top);
  ctx.textBaseline = "bottom";
  ctx.fillText(fmtNumber(larger ? lo : hi), sx + 13, top + sh);
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText(label, left, 2);
}

// A line of values over times (ms), with shaded spans [[start, end], ...].
export function drawLine(canvas, times, values, { spans = [], label = "" } = {}) {
  const width = Math.min(900, canvas.parentElement?.clientWidth || 700), height = 260;
  const left = 64, right = 10, top = 18, bottom = 24;
  const ctx = setup(canvas, width, height);
  if (!times.length) return;
  const t0 = Math.min(times[0], ...spans.map((s) => s[0])), t1 = Math.max(times[times.length - 1], ...spans.map((s) => s[1]));
  const [lo, hi] = extent(values);
  const X = (t) => left + ((t - t0) / (t1 - t0 || 1)) * (width - left - right);
  const Y = (v) => top + (1 - (v - lo) / (hi - lo || 1)) * (height - top - bottom);
  spans.forEach(([a, b], k) => {
    ctx.fillStyle = k % 2 ? "#e3ecfa" : "#fdf0e1";
    ctx.fillRect(X(a), top, X(b) - X(a), height - top - bottom);
  });
  ctx.strokeStyle = "#2962ff";
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  const step = Math.max(1, Math.floor(times.length / 2000));
  for (let i = 0; i < times.length; i += step) {
    if (i === 0) ctx.moveTo(X(times[i]), Y(values[i]));
    else ctx.lineTo(X(times[i]), Y(values[i]));
  }
  ctx.stroke();
  ctx.fillStyle = "#333";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of [lo, (lo + hi) / 2, hi]) ctx.fillText(fmtNumber(v), left - 4, Y(v));
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of [t0, (t0 + t1) / 2, t1]) ctx.fillText(new Date(t).toISOString().slice(0, 10), X(t), height - bottom + 4);
  ctx.textAlign = "left";
  ctx.fillText(label, left, 2);
}

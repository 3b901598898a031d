// The run's settings on the page (the Broker box), declared once: each one's input, its name
// in a run request (the CLI's and POST /api/backtests's), in the automation API, and how the
// typed value becomes the run's.
import { $ } from "../dom.js";

const number = (text) => Number(text);
const SETTINGS = [
  // [input id, run setting, automation API name, typed -> run value]
  ["cash", "cash", "cash", number],
  ["commission", "commission", "commission", (text) => Number(text) / 100], // the page shows percent
  ["slippage", "slippage", "slippage", number], // basis points
  ["sizing", "sizing", "sizing", (text) => (text.trim().endsWith("%") ? text.trim() : Number(text))],
  ["leverage", "leverage", "leverage", number],
  ["fill", "fill", "fill", String],
  ["intrabar", "intrabar", "intrabar", String],
  ["intrabar-data", "intrabar_data", "intrabarData", Boolean],
  ["market-rules", "market_rules", "marketRules", (id) => id || null],
];

const typed = (input) => (input.type === "checkbox" ? input.checked : input.value);

// The saved markets the site offers (site.json "markets": [{id, label}]) as choices.
export function initSettings(site) {
  for (const market of site.markets ?? []) {
    const option = new Option(market.id.replace(":", " "), market.id);
    option.title = market.label;
    $("market-rules").add(option);
  }
}

// The settings of a run: the page's, with the automation API's `config` over them.
export function readSettings(config = {}) {
  const out = {};
  for (const [id, key, api, parse] of SETTINGS) {
    const value = config[api] !== undefined ? config[api] : parse(typed($(id)));
    if (value !== null && value !== false) out[key] = value;
  }
  return out;
}

// The inputs as typed (by input id), for a link.
export function settingsAsTyped() {
  return Object.fromEntries(SETTINGS.map(([id]) => [id, typed($(id))]));
}

export function showSettings(saved) {
  for (const [id] of SETTINGS) {
    if (saved[id] === undefined) continue;
    const input = $(id);
    if (input.type === "checkbox") input.checked = saved[id] === true || saved[id] === "true";
    else input.value = saved[id];
  }
}

// The automation API's setting names, for its documentation and checks.
export const API_SETTINGS = SETTINGS.map(([, , api]) => api);

export function runOnServerChosen(site) {
  return site.server && $("on-server").checked;
}

export function serverToken() {
  return $("token").value;
}

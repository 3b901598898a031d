// The run's settings on the page (the Broker box): read for a run, written back from a link.
import { $ } from "../dom.js";

// [input id, setting]: the page shows commission in percent, the run takes a fraction.
const FIELDS = ["cash", "commission", "slippage"];

// The settings a run takes: {cash, commission (fraction), slippage (bps)}.
export function readSettings() {
  return {
    cash: Number($("cash").value),
    commission: Number($("commission").value) / 100,
    slippage: Number($("slippage").value),
  };
}

// The inputs as typed, for a link.
export function settingsAsTyped() {
  return Object.fromEntries(FIELDS.map((key) => [key, $(key).value]));
}

export function showSettings(typed) {
  for (const key of FIELDS) if (typed[key] !== undefined) $(key).value = typed[key];
}

export function runOnServerChosen(site) {
  return site.server && $("on-server").checked;
}

export function serverToken() {
  return $("token").value;
}

// The host's live API (/api/live*, README "Live sessions"): JSON over HTTP with the API token.
// The token is typed once per tab (sessionStorage: gone with the tab, never in the URL).
import { $ } from "../dom.js";

const KEY = "cracktrader.token";

export function token() {
  return $("live-token").value || sessionStorage.getItem(KEY) || "";
}

export function rememberToken() {
  if ($("live-token").value) sessionStorage.setItem(KEY, $("live-token").value);
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.field = body?.field;
    this.kind = body?.kind;
  }
}

// The answer's JSON; a non-2xx answer throws an ApiError with the host's message.
export async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

// The run's inputs in the URL fragment, so a link reproduces the run. The strategy source is
// deflated and base64url-encoded; everything else is plain query syntax:
//   s source, c strategy class, p parameters (JSON), d dataset id, f a local file's name (it
//   cannot travel: the page asks for it), since/until/timeframe the view, and every other key a
//   setting as typed on the page (cash, commission, slippage, sizing, ...).
async function deflate(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

const toBase64Url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

const RESERVED = new Set(["s", "d", "f", "c", "p", "since", "until", "timeframe"]);

export async function encodeState(state) {
  const q = new URLSearchParams();
  q.set("s", toBase64Url(await deflate(state.source)));
  if (state.dataset) q.set("d", state.dataset);
  if (state.file) q.set("f", state.file);
  if (state.strategy) q.set("c", state.strategy);
  for (const [key, value] of Object.entries(state.settings ?? {})) if (value !== undefined) q.set(key, String(value));
  if (state.params && Object.keys(state.params).length) q.set("p", JSON.stringify(state.params));
  for (const key of ["since", "until", "timeframe"]) {
    if (state.view?.[key] !== undefined) q.set(key, String(state.view[key]));
  }
  return q.toString();
}

export async function decodeState(fragment) {
  const q = new URLSearchParams(fragment.replace(/^#/, ""));
  if (!q.has("s")) return null;
  const settings = {};
  for (const [key, value] of q) if (!RESERVED.has(key)) settings[key] = value;
  const view = {};
  for (const key of ["since", "until"]) if (q.has(key)) view[key] = Number(q.get(key));
  if (q.has("timeframe")) view.timeframe = q.get("timeframe");
  return {
    source: await inflate(fromBase64Url(q.get("s"))),
    view,
    dataset: q.get("d") ?? undefined,
    file: q.get("f") ?? undefined,
    strategy: q.get("c") ?? undefined,
    settings,
    params: q.has("p") ? JSON.parse(q.get("p")) : {},
  };
}

// The page's state, declared once. Modules read and write these fields and no others; what the
// user typed stays in the page's inputs (read through the panels that own them).
// A view added later (Live, Optimize) declares its own section here.
export const state = {
  // What this site offers: site.json ({server, datasets, markets}), and every dataset the
  // picker lists, by id.
  site: { server: false, datasets: [], markets: [] },
  datasets: new Map(),
  // The files the user dropped or chose, by name ({name, bytes, info: {rows, first, last,
  // timeframe} once loaded}): they stay in the browser.
  localFiles: new Map(),

  // The example picker's entry (an example's id, or "custom") and the edits made to each entry
  // (id -> source), kept across reloads in localStorage.
  example: null,
  drafts: new Map(),
  // The strategies the editor's source defines ([{name, params}]) and the source they describe;
  // the strategy the parameters form is for and the code's defaults it was built from.
  strategies: [],
  inspected: null,
  params: { strategy: null, defaults: {} },

  // The run in progress (a promise, null when idle) and how many runs have ended.
  running: null,
  completedRuns: 0,
  // The last run's timings in ms: data, python, transfer (worker), show and total (page).
  timing: null,

  // The result on screen (the worker's reply, or the server's adapted to it, with the run's
  // strategy, settings and data label), its chart ({chart, focus, select}), and the result the
  // trades table was built for.
  last: null,
  chart: null,
  tradesShown: null,
  // The session's last runs, for comparing: [{id, label, data, settings, stats, time, equity, chosen}].
  runs: [],

  // The Optimize panel (optimize/panel.js): a sweep running, its records so far, the last
  // result document, whether Stop ended it, and what a click on a trial does.
  optimize: { running: false, records: [], result: null, stopped: false, onPick: null },
  // The Live view (live/): the host's accounts and sessions, the selected session (its id, the
  // last event shown, its chart and events stream, its orders' sides by client id, when each
  // of its fills was drawn).
  live: { accounts: null, sessions: [], selected: null, lastSeq: 0, chart: null, stream: null, orders: new Map(), fillsShown: new Map() },
};

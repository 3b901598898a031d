// The page's handle on the Pyodide worker: requests with ids, progress events, and Stop —
// which terminates the worker (the only way to end an infinite loop in user code) and starts
// a fresh one, so the page stays usable.
export class WorkerClient extends EventTarget {
  // `early`: {worker, messages} of a worker of this url already started, and what it sent.
  constructor(url, early = null) {
    super();
    this.url = url;
    this.nextId = 1;
    this.restarting = false;
    this.start(early);
  }

  start(early = null) {
    this.pending = new Map();
    this.worker = early?.worker ?? new Worker(this.url, { type: "module" });
    this.ready = new Promise((resolve, reject) => {
      const receive = ({ data }) => {
        if (data.type === "step") this.emit("step", data);
        else if (data.type === "ready") {
          this.startup = data; // {timings, marks, resources}: see worker-boot.js
          resolve(data.timings);
        }
        else if (data.type === "fatal") reject(new Error(data.message));
        else this.reply(data);
      };
      if (early) {
        this.worker.onmessage = null;
        early.messages.forEach(receive);
      }
      this.worker.addEventListener("message", receive);
    });
    this.ready.catch(() => {}); // reported by whoever awaits it
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  reply(data) {
    const entry = this.pending.get(data.id);
    if (!entry) return;
    if (data.type === "progress") {
      entry.onProgress?.(data.done, data.total);
      return;
    }
    this.pending.delete(data.id);
    if (data.type === "error") {
      const err = new Error(data.error.message);
      Object.assign(err, data.error);
      entry.reject(err);
    } else {
      entry.resolve(data.result);
    }
  }

  async request(type, args = {}, { onProgress, transfer = [] } = {}) {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...args }, transfer);
    });
  }

  // Asks the worker to fetch and decode candles now, for a run to come (no reply).
  prefetch(data) {
    this.worker.postMessage({ type: "prefetch", data });
  }

  get busy() {
    return this.pending.size > 0;
  }

  // Ends whatever runs now (pending requests reject with kind "stopped") and boots a new worker;
  // `restarting` is true until it is up.
  stop() {
    this.close();
    this.start();
    this.restarting = true;
    const ready = this.ready;
    ready.then(() => {
      if (this.ready === ready) this.restarting = false;
    }, () => {});
    this.emit("restarted", {});
  }

  // Ends the worker for good (a sweep's pool: Stop ends its workers).
  close() {
    this.worker.terminate();
    for (const { reject } of this.pending.values()) {
      const err = new Error("stopped");
      err.kind = "stopped";
      reject(err);
    }
    this.pending.clear();
  }
}

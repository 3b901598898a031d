// The sweep's pool of Pyodide workers, one per core: each boots Pyodide, the core and the kernels
// once, loads the data once (sweep_prepare), then runs trials as they are handed out. Stop ends
// them all; the next sweep starts new ones.
import { WorkerClient } from "../worker-client.js";

export const defaultSize = () => Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 16));

export class Pool {
  constructor() {
    this.workers = [];
  }

  // Boots the workers missing (or ends those too many) and gives each the job.
  async prepare(size, job) {
    while (this.workers.length > size) this.workers.pop().close();
    while (this.workers.length < size) this.workers.push(new WorkerClient(new URL("../worker.js", import.meta.url)));
    await Promise.all(this.workers.map((w) => w.request("sweep_prepare", job)));
  }

  // Runs the tasks [[index, params, window]], one at a time per worker, in order of hand-out;
  // `onRecord(record)` as each finishes. Resolves to the records in task order.
  async run(tasks, onRecord) {
    const records = new Array(tasks.length);
    let next = 0;
    const drain = async (worker) => {
      while (next < tasks.length) {
        const k = next++;
        const [record] = await worker.request("sweep_trials", { tasks: [tasks[k]] });
        records[k] = record;
        onRecord(record);
      }
    };
    await Promise.all(this.workers.map(drain));
    return records;
  }

  close() {
    for (const w of this.workers) w.close();
    this.workers = [];
  }
}

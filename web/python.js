// The page's Python: one Pyodide worker (worker.js) behind a WorkerClient.
import { WorkerClient } from "./worker-client.js";

// The worker index.html started, when it did.
export const client = new WorkerClient(new URL("worker.js", import.meta.url), self.earlyWorker);
delete self.earlyWorker;

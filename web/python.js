// The page's Python: one Pyodide worker (worker.js) behind a WorkerClient.
import { WorkerClient } from "./worker-client.js";

export const client = new WorkerClient(new URL("worker.js", import.meta.url));
performance.mark("worker created");

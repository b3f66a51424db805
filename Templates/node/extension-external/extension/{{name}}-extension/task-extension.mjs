// The external extension process: it takes tasks from the function over localhost HTTP and runs
// them after the response.
//
// Lambda freezes the environment only when the runtime has asked for its next event *and* every
// extension has called /event/next. For each INVOKE this process waits until the function says it
// has handed over all its tasks (POST /tasks/{requestId}/done), runs them, and only then calls
// /event/next. On SHUTDOWN it runs whatever is still queued, within Lambda's 2-second budget, and exits.
import http from "node:http";
import { request } from "./lambda-http.mjs";
import { logger } from "./log.mjs";
import { runTask } from "./retries.mjs";
import { run } from "./tasks.mjs";

export const PORT = Number.parseInt(process.env.TASKS_PORT ?? "4243", 10);
// Lambda kills an extension still busy past the timeout; leave it room to answer.
const SAFETY_MS = 500;
// At SHUTDOWN an external extension has about 2 seconds in all (500 ms with internal ones too).
const SHUTDOWN_BUDGET_MS = 1_500;

/** Tasks by request id, and which invocations have handed over all of theirs. */
export class Inbox {
  tasks = new Map();
  closed = new Set();
  waiters = new Map();

  put(requestId, task) {
    if (!this.tasks.has(requestId)) this.tasks.set(requestId, []);
    this.tasks.get(requestId).push(task);
  }

  close(requestId) {
    this.closed.add(requestId);
    this.waiters.get(requestId)?.();
  }

  /** Resolves true when the invocation is closed, false when `ms` ran out first. */
  waitClosed(requestId, ms) {
    if (this.closed.has(requestId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, ms));
      this.waiters.set(requestId, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The tasks of one invocation, or of all of them when no request id is given. */
  take(requestId) {
    const ids = requestId === undefined ? [...this.tasks.keys()] : [requestId];
    const taken = ids.flatMap((id) => (this.tasks.get(id) ?? []).map((task) => [id, task]));
    for (const id of ids) {
      this.tasks.delete(id);
      this.closed.delete(id);
      this.waiters.delete(id);
    }
    return taken;
  }
}

/** Loopback only: nothing outside the execution environment can queue work. */
export function startServer(inbox, port = PORT) {
  const server = http.createServer((req, res) => {
    const parts = req.url.split("/").filter(Boolean); // tasks/{requestId}[/done]
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method === "POST" && parts[0] === "tasks" && parts.length === 2) {
        inbox.put(parts[1], JSON.parse(Buffer.concat(chunks).toString() || "{}"));
        res.writeHead(202).end();
      } else if (req.method === "POST" && parts[0] === "tasks" && parts[2] === "done") {
        inbox.close(parts[1]);
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

export class ExtensionsAPI {
  constructor(address) {
    this.base = `http://${address}/2020-01-01/extension`;
  }

  async register(name) {
    const response = await request("POST", `${this.base}/register`, {
      headers: { "Lambda-Extension-Name": name },
      body: { events: ["INVOKE", "SHUTDOWN"] },
    });
    if (response.status !== 200) throw new Error(`register failed: ${response.status} ${response.text}`);
    this.identifier = response.headers["lambda-extension-identifier"];
  }

  async next() {
    const response = await request("GET", `${this.base}/event/next`, {
      headers: { "Lambda-Extension-Identifier": this.identifier },
    });
    // Anything but 200 is fatal (an identifier Lambda no longer knows, an environment shutting down):
    // taken for an event, it would be asked again at once, for ever.
    if (response.status !== 200) throw new Error(`event/next failed: ${response.status} ${response.text}`);
    return response.json();
  }
}

/** Each task with retries until the deadline; what still fails goes to the failed-tasks queue. */
async function runAll(queued, deadlineMs, functionArn = null) {
  for (const [requestId, task] of queued) {
    try {
      await runTask(run, task, () => deadlineMs - Date.now(), { requestId, functionArn });
    } catch (error) {
      // A bug in the retry path itself must not end the extension.
      logger.error("task could not be run", { requestId, error: String(error) });
    }
  }
}

/** Handles events until SHUTDOWN; resolves with the shutdown reason. */
export async function serve(api, inbox) {
  for (;;) {
    const event = await api.next();
    if (event.eventType === "SHUTDOWN") {
      const left = inbox.take();
      logger.info("shutting down", { reason: event.shutdownReason, queued: left.length });
      await runAll(left, event.deadlineMs || Date.now() + SHUTDOWN_BUDGET_MS);
      return event.shutdownReason;
    }
    const deadlineMs = (event.deadlineMs ?? 0) - SAFETY_MS;
    if (!(await inbox.waitClosed(event.requestId, deadlineMs - Date.now()))) {
      logger.warn("the function did not close its tasks before the deadline", { requestId: event.requestId });
    }
    await runAll(inbox.take(event.requestId), deadlineMs, event.invokedFunctionArn);
  }
}

export async function main(name) {
  const inbox = new Inbox();
  const server = await startServer(inbox);
  const api = new ExtensionsAPI(process.env.AWS_LAMBDA_RUNTIME_API);
  await api.register(name);
  await serve(api, inbox);
  server.close();
  process.exit(0);
}

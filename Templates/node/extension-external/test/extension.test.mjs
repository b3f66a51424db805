import { test, beforeEach, afterEach, mock } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { fakeContext, fakeFailedTasksQueue } from "./context.mjs";
import { client } from "../src/extension-client.mjs";
import { handler } from "../src/app.mjs";
import { logger } from "../extension/{{name}}-extension/log.mjs";
import { Inbox, serve, startServer } from "../extension/{{name}}-extension/task-extension.mjs";

let queue;
beforeEach(async () => {
  queue = await fakeFailedTasksQueue();
  for (const level of ["info", "warn", "error"]) mock.method(logger, level, () => {});
});
afterEach(() => {
  queue.restore();
  mock.restoreAll();
});

/** The messages logged so far at `level`. */
const logged = (level) => logger[level].mock.calls.map((call) => ({ message: call.arguments[0], ...call.arguments[1] }));

/** Hands out queued events and records, for each /event/next, what `snapshot` said at that moment. */
function fakeExtensionsAPI(events, snapshot = () => null) {
  return { nextCalls: [], async next() { this.nextCalls.push(snapshot()); return events.shift(); } };
}

test("answers, then runs the task outside Lambda", async () => {
  const ran = [];
  client.runInline = async (task) => ran.push(task);
  const response = await handler({ orderId: "o-1" }, fakeContext());
  assert.equal(response.statusCode, 202);
  assert.deepEqual(ran, [{ taskId: "o-1", orderId: "o-1", fail: false }]);
});

test("the extension runs an invocation's tasks before asking for its next event", async () => {
  const inbox = new Inbox();
  const server = await startServer(inbox, 0);
  client.port = server.address().port;
  process.env.AWS_LAMBDA_RUNTIME_API = "127.0.0.1:9";
  process.env.TASK_MS = "200";
  try {
    await (async () => {
      const tasksDone = () => logged("info").filter((line) => line.message === "task done").length;
      const context = fakeContext();
      const deadlineMs = Date.now() + 10_000;
      const api = fakeExtensionsAPI(
        [
          { eventType: "INVOKE", requestId: context.awsRequestId, deadlineMs },
          { eventType: "SHUTDOWN", shutdownReason: "spindown", deadlineMs },
        ],
        tasksDone,
      );
      const loop = serve(api, inbox);
      const response = await handler({ orderId: "o-1" }, context); // hands the task over, then says done
      // Ordering, not timing: the caller is answered while the task still runs, and the environment
      // may freeze (second /event/next) only once it has finished.
      assert.equal(tasksDone(), 0, "the handler waited for the task");
      assert.equal(await loop, "spindown");
      assert.equal(response.statusCode, 202);
      assert.deepEqual(api.nextCalls, [0, 1], "/event/next came before the task finished");
    })();
  } finally {
    delete process.env.AWS_LAMBDA_RUNTIME_API;
    delete process.env.TASK_MS;
    server.close();
  }
});

test("SHUTDOWN runs what is still queued; a task that keeps failing is queued once", async () => {
  const inbox = new Inbox();
  inbox.put("r-late", { taskId: "o-9", orderId: "o-9", fail: true });
  inbox.put("r-late", { taskId: "o-10", orderId: "o-10" });
  const api = fakeExtensionsAPI([{ eventType: "SHUTDOWN", shutdownReason: "timeout", deadlineMs: 0 }]);
  assert.equal(await serve(api, inbox), "timeout");
  assert.deepEqual(queue.records.map((record) => [record.requestPayload.orderId, record.requestContext.requestId,
    record.requestContext.approximateInvokeCount]), [["o-9", "r-late", 3]]);
  assert.ok(logged("info").some((l) => l.message === "task done" && l.orderId === "o-10"));
  assert.deepEqual(inbox.take(), []);
});

/**
 * Runs the extension's entry script against a fake Extensions API that accepts its registration and
 * answers each /event/next with `answerNext(res)`; resolves with its exit code and every request seen.
 */
async function runEntry(answerNext) {
  const seen = [];
  const api = http.createServer((req, res) => {
    seen.push([req.method, req.url, req.headers["lambda-extension-name"] ?? req.headers["lambda-extension-identifier"]]);
    req.resume();
    if (req.url.endsWith("/register")) {
      res.writeHead(200, { "Lambda-Extension-Identifier": "ext-1" }).end("{}");
    } else {
      answerNext(res);
    }
  });
  await new Promise((resolve) => api.listen(0, "127.0.0.1", resolve));
  const entry = fileURLToPath(new URL("../extension/extensions/{{extensionName}}", import.meta.url));
  try {
    const child = spawn(entry, [], {
      env: { ...process.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.address().port}`, TASKS_PORT: "0" },
      stdio: "ignore",
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    return { code, seen };
  } finally {
    api.close();
  }
}

test("a refused /event/next ends the extension instead of being asked again", async () => {
  const { code, seen } = await runEntry((res) =>
    res.writeHead(403).end(JSON.stringify({ errorType: "Extension.InvalidExtensionIdentifier" })));
  assert.notEqual(code, 0);
  assert.equal(seen.filter(([, url]) => url.endsWith("/event/next")).length, 1);
});

test("the extension's entry script registers under its file name and exits on SHUTDOWN", async () => {
  const { code, seen } = await runEntry((res) =>
    res.writeHead(200).end(JSON.stringify({ eventType: "SHUTDOWN", shutdownReason: "spindown", deadlineMs: Date.now() + 2000 })));
  assert.equal(code, 0);
  assert.deepEqual(seen, [
    ["POST", "/2020-01-01/extension/register", "{{extensionName}}"],
    ["GET", "/2020-01-01/extension/event/next", "ext-1"],
  ]);
});

// The loop against a stand-in Runtime API: the response is posted before the task runs, errors are
// reported as Lambda expects, and a failing task does not stop the loop.
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { handler } from "../src/app.mjs";
import { fakeFailedTasksQueue } from "./context.mjs";
import { logger } from "../src/log.mjs";
import { jsonConsole, loadHandler, MAX_RESPONSE_BYTES, RuntimeAPI, serve } from "../src/runtime.mjs";

async function fakeRuntimeAPI(events) {
  const log = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method === "GET") {
        const [requestId, event] = events.shift();
        log.push({ path: "next", at: performance.now() });
        res.writeHead(200, { "Lambda-Runtime-Aws-Request-Id": requestId, "Lambda-Runtime-Deadline-Ms": String(Date.now() + 30_000) });
        res.end(JSON.stringify(event));
      } else {
        log.push({ path: req.url, at: performance.now(), body: JSON.parse(Buffer.concat(chunks).toString()), type: req.headers["lambda-runtime-function-error-type"] });
        res.writeHead(202).end("{}");
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { log, server, api: new RuntimeAPI(`127.0.0.1:${server.address().port}`) };
}

test("posts the response, then runs the task, then asks for the next event", async () => {
  const { log, server, api } = await fakeRuntimeAPI([["r-1", { orderId: "o-1" }]]);
  process.env.TASK_MS = "200";
  try {
    const started = performance.now();
    await serve(api, handler, { invocations: 1 });
    const finished = performance.now();
    assert.equal(log[1].path, "/2018-06-01/runtime/invocation/r-1/response");
    assert.equal(log[1].body.statusCode, 202);
    assert.ok(log[1].at - started < 150, "the response waited for the task");
    assert.ok(finished - log[1].at >= 190, "the task did not run after the response");
  } finally {
    delete process.env.TASK_MS;
    server.close();
  }
});

test("a failing handler is reported as an invocation error", async () => {
  const { log, server, api } = await fakeRuntimeAPI([["r-2", {}]]);
  try {
    await serve(api, async () => { throw new TypeError("price is undefined"); }, { invocations: 1 });
    assert.equal(log[1].path, "/2018-06-01/runtime/invocation/r-2/error");
    assert.equal(log[1].type, "Unhandled");
    assert.equal(log[1].body.errorType, "TypeError");
    assert.ok(log[1].body.stackTrace.length > 0);
  } finally {
    server.close();
  }
});

test("a failing task is retried, queued once, and the loop goes on; callback handlers work", async () => {
  const { log, server, api } = await fakeRuntimeAPI([["r-3", { orderId: "o-3", fail: true }], ["r-4", {}]]);
  const queue = await fakeFailedTasksQueue();
  for (const level of ["info", "warn", "error"]) mock.method(logger, level, () => {});
  try {
    await serve(api, handler, { invocations: 1 });
    assert.equal(queue.records.length, 1);
    const [record] = queue.records;
    assert.deepEqual([record.requestPayload.orderId, record.requestContext.requestId, record.requestContext.approximateInvokeCount],
      ["o-3", "r-3", 3]);
    await serve(api, (event, context, callback) => callback(null, { ok: true }), { invocations: 1 });
    assert.deepEqual(log.filter((entry) => entry.path !== "next").map((entry) => entry.path), [
      "/2018-06-01/runtime/invocation/r-3/response",
      "/2018-06-01/runtime/invocation/r-4/response",
    ]);
    assert.deepEqual(log.at(-1).body, { ok: true });
  } finally {
    queue.restore();
    mock.restoreAll();
    server.close();
  }
});

test("with LoggingConfig's JSON format, each console call is one JSON line at or above the level", () => {
  const saved = { ...console };
  const lines = [];
  process.env.AWS_LAMBDA_LOG_LEVEL = "WARN";
  try {
    jsonConsole((line) => lines.push(JSON.parse(line)));
    console.info({ message: "dropped" });
    console.warn({ message: "slow", orderId: "o-1" });
    console.error("failed %d times", 3);
  } finally {
    Object.assign(console, saved);
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
  }
  assert.deepEqual(lines.map((line) => [line.level, line.message]),
    [["WARN", { message: "slow", orderId: "o-1" }], ["ERROR", "failed 3 times"]]);
});

test("a missing handler is an init error of the right type", async () => {
  const root = fileURLToPath(new URL("../src", import.meta.url));
  await assert.rejects(loadHandler("nothere.handler", root), (error) => error.lambdaType === "Runtime.ImportModuleError");
  await assert.rejects(loadHandler("app.nothing", root), (error) => error.lambdaType === "Runtime.HandlerNotFound");
  assert.equal(typeof (await loadHandler("app.handler", root)), "function");
});

test("a result that cannot be sent is an error and the loop goes on", async () => {
  const { log, server, api } = await fakeRuntimeAPI([["r-5", {}], ["r-6", {}], ["r-7", {}]]);
  const results = [{ big: 10n }, { blob: "x".repeat(MAX_RESPONSE_BYTES + 1) }, { ok: true }];
  try {
    await serve(api, async () => results.shift(), { invocations: 3 });
    const posts = Object.fromEntries(log.filter((entry) => entry.path !== "next").map((entry) => [entry.path.split("/").at(-2), entry]));
    // A BigInt cannot be written as JSON, and 6 MB is Lambda's limit: each is the error Lambda gives.
    assert.equal(posts["r-5"].type, "Runtime.MarshalError");
    assert.match(posts["r-5"].body.errorMessage, /Unable to stringify response body/);
    assert.equal(posts["r-6"].type, "Function.ResponseSizeTooLarge");
    // The loop is still there: the next result goes out.
    assert.deepEqual(posts["r-7"].body, { ok: true });
  } finally {
    server.close();
  }
});

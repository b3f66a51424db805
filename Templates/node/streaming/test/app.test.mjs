import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { recordingStream } from "./awslambda.mjs";
import { fakeContext, fakeFailedTasksQueue } from "./context.mjs";
import { logger } from "../src/log.mjs";

const { handler } = await import("../src/app.mjs");

test("ends the response stream before the task runs", async () => {
  process.env.TASK_MS = "200";
  const stream = recordingStream();
  const started = performance.now();
  await handler({ orderId: "o-1" }, stream, fakeContext());
  const done = performance.now();
  delete process.env.TASK_MS;
  assert.deepEqual(stream.prelude, { statusCode: 202, headers: { "content-type": "application/json" } });
  assert.deepEqual(JSON.parse(stream.chunks.join("")), { orderId: "o-1", status: "accepted" });
  assert.ok(stream.endedAt - started < 150, `the response ended after ${stream.endedAt - started} ms`);
  assert.ok(done - stream.endedAt >= 190, "the task did not run after the response ended");
});

test("reads the order from a function URL event", async () => {
  const stream = recordingStream();
  const event = { version: "2.0", requestContext: { http: { method: "POST" } }, body: JSON.stringify({ orderId: "o-2" }), isBase64Encoded: false };
  await handler(event, stream, fakeContext());
  assert.equal(JSON.parse(stream.chunks.join("")).orderId, "o-2");
});

test("a failing task is retried, then queued once, and the invocation still succeeds", async () => {
  const queue = await fakeFailedTasksQueue();
  for (const level of ["info", "warn", "error"]) mock.method(logger, level, () => {});
  try {
    const stream = recordingStream();
    const context = fakeContext();
    await handler({ orderId: "o-3", fail: true }, stream, context);
    assert.equal(JSON.parse(stream.chunks.join("")).status, "accepted");
    assert.equal(queue.records.length, 1);
    const [record] = queue.records;
    assert.deepEqual([record.requestPayload.orderId, record.requestContext.requestId, record.requestContext.approximateInvokeCount],
      ["o-3", context.awsRequestId, 3]);
  } finally {
    queue.restore();
    mock.restoreAll();
  }
});

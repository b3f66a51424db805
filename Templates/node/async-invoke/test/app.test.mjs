import { test } from "node:test";
import assert from "node:assert/strict";
import { fakeContext } from "./context.mjs";
import { deps, handler } from "../src/app.mjs";

test("answers and invokes the worker asynchronously", async () => {
  const calls = [];
  deps.invokeAsync = async (name, payload) => {
    calls.push({ name, task: JSON.parse(payload) });
    return 202;
  };
  process.env.WORKER_FUNCTION_NAME = "worker-fn";
  const context = fakeContext();
  const response = await handler({ orderId: "o-1" }, context);
  assert.equal(response.statusCode, 202);
  assert.deepEqual(JSON.parse(response.body), { orderId: "o-1", status: "accepted" });
  assert.equal(calls.length, 1);
  assert.equal(calls[0].name, "worker-fn");
  assert.equal(calls[0].task.orderId, "o-1");
  assert.equal(calls[0].task.taskId, "o-1");
});

test("an order without an id gets the request id as its task id", async () => {
  const calls = [];
  deps.invokeAsync = async (name, payload) => calls.push(JSON.parse(payload));
  const context = fakeContext();
  await handler({}, context);
  assert.equal(calls[0].taskId, context.awsRequestId);
});

test("refuses a task over the asynchronous payload limit", async () => {
  let called = false;
  deps.invokeAsync = async () => { called = true; };
  await assert.rejects(handler({ orderId: "x".repeat(1_100_000) }, fakeContext()), /at most 1048576/);
  assert.equal(called, false);
});

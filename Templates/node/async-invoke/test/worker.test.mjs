import { test, beforeEach, mock } from "node:test";
import assert from "node:assert/strict";
import { fakeContext } from "./context.mjs";
import { handler } from "../src/worker.mjs";
import { done } from "../src/idempotency.mjs";
import { logger } from "../src/log.mjs";
import { TaskError } from "../src/tasks.mjs";

beforeEach(() => {
  done.clear(); // a new execution environment
  mock.restoreAll();
  for (const level of ["info", "error"]) mock.method(logger, level, () => {});
});

test("runs the task", async () => {
  assert.deepEqual(await handler({ taskId: "o-1", orderId: "o-1" }, fakeContext()), { orderId: "o-1", recorded: true });
});

test("a failed task throws so Lambda retries it", async () => {
  await assert.rejects(handler({ taskId: "o-2", orderId: "o-2", fail: true }, fakeContext()), TaskError);
});

test("a retried event that already succeeded does not run again", async () => {
  const event = { taskId: "o-3", orderId: "o-3" };
  await handler(event, fakeContext());
  await handler(event, fakeContext());
  const started = logger.info.mock.calls.filter((call) => call.arguments[0] === "task started");
  assert.equal(started.length, 1);
});

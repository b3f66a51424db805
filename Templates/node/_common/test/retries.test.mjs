// Post-response tasks are retried, and one that keeps failing reaches the failed-tasks queue once.
import { test, beforeEach, afterEach, mock } from "node:test";
import assert from "node:assert/strict";
import { fakeContext, fakeFailedTasksQueue, taskCode } from "./context.mjs";

const { failedTasksQueue, runTask, settings } = await import(`${taskCode}retries.mjs`);
const { logger } = await import(`${taskCode}log.mjs`);
const { run, TaskError } = await import(`${taskCode}tasks.mjs`);

let queue;
beforeEach(async () => {
  queue = await fakeFailedTasksQueue(taskCode);
  for (const level of ["info", "warn", "error"]) mock.method(logger, level, () => {});
});
afterEach(() => {
  queue.restore();
  mock.restoreAll();
});

/** Fails its first `failures` runs, then succeeds. */
function flaky(failures) {
  const fn = async () => {
    fn.runs += 1;
    if (fn.runs <= failures) throw new TaskError(`run ${fn.runs} failed`);
    return { recorded: true };
  };
  fn.runs = 0;
  return fn;
}

test("a task that fails twice then succeeds is not queued", async () => {
  const fn = flaky(2);
  assert.equal(await runTask(fn, { taskId: "t-1" }, fakeContext().getRemainingTimeInMillis), true);
  assert.equal(fn.runs, 3);
  assert.deepEqual(queue.records, []);
});

test("a task that always fails lands in the queue once, with its attempts", async () => {
  const context = fakeContext();
  const task = { taskId: "t-2", orderId: "o-2", fail: true };
  const ok = await runTask(run, task, context.getRemainingTimeInMillis,
    { requestId: context.awsRequestId, functionArn: context.invokedFunctionArn });
  assert.equal(ok, false);
  assert.equal(queue.records.length, 1);
  const [record] = queue.records;
  assert.deepEqual(record.requestPayload, task);
  assert.equal(record.requestContext.approximateInvokeCount, settings.maxAttempts);
  assert.equal(record.requestContext.condition, "RetriesExhausted");
  assert.equal(record.requestContext.requestId, context.awsRequestId);
  assert.equal(record.responsePayload.errorType, "TaskError");
  assert.match(record.responsePayload.errorMessage, /could not be recorded/);
});

test("no retry starts without time left for the record", async () => {
  const fn = flaky(5);
  await runTask(fn, { taskId: "t-3" }, () => settings.reserveMs - 1);
  assert.equal(fn.runs, 1);
  assert.equal(queue.records[0].requestContext.condition, "RemainingTimeExhausted");
});

test("without a queue the record is logged whole", async () => {
  delete process.env.FAILED_TASKS_QUEUE_URL;
  await runTask(flaky(9), { taskId: "t-4" }, fakeContext().getRemainingTimeInMillis);
  const [, fields] = logger.error.mock.calls.at(-1).arguments;
  assert.deepEqual(fields.failedTask.requestPayload, { taskId: "t-4" });
});

test("a queue that cannot be reached leaves the record in the log", async () => {
  failedTasksQueue.send = async () => {
    throw new Error("no route to SQS");
  };
  await runTask(flaky(9), { taskId: "t-5" }, fakeContext().getRemainingTimeInMillis);
  const [, fields] = logger.error.mock.calls.at(-1).arguments;
  assert.deepEqual(fields.failedTask.requestPayload, { taskId: "t-5" });
  assert.match(fields.error, /no route to SQS/);
});

test("a task's success is logged with its fields", async () => {
  await runTask(run, { taskId: "t-6", orderId: "o-6" }, fakeContext().getRemainingTimeInMillis);
  assert.deepEqual(logger.info.mock.calls.at(-1).arguments, ["task done", { taskId: "t-6", orderId: "o-6" }]);
});

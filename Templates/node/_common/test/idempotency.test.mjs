// A task that succeeded is not run again for the same task id (without IDEMPOTENCY_TABLE: within
// one execution environment).
import { test, beforeEach, mock } from "node:test";
import assert from "node:assert/strict";
import { taskCode } from "./context.mjs";

const { done, once } = await import(`${taskCode}idempotency.mjs`);
const { logger } = await import(`${taskCode}log.mjs`);

beforeEach(() => {
  done.clear();
  delete process.env.IDEMPOTENCY_TABLE;
  mock.method(logger, "info", () => {});
});

test("the same task id runs once and returns the first result", async () => {
  const runs = [];
  const work = async (task) => {
    runs.push(task);
    return { run: runs.length };
  };
  assert.deepEqual(await once({ taskId: "o-1" }, work), { run: 1 });
  assert.deepEqual(await once({ taskId: "o-1" }, work), { run: 1 });
  await once({ taskId: "o-2" }, work);
  assert.equal(runs.length, 2);
});

test("a failed run is not remembered", async () => {
  let calls = 0;
  const work = async () => {
    calls += 1;
    if (calls === 1) throw new Error("database busy");
    return "ok";
  };
  await assert.rejects(once({ taskId: "o-3" }, work), /database busy/);
  assert.equal(await once({ taskId: "o-3" }, work), "ok");
  assert.equal(calls, 2);
});

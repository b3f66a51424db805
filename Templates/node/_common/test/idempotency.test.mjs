// A task that succeeded is not run again for the same task id (without IDEMPOTENCY_TABLE: within
// one execution environment).
import { test, beforeEach, mock } from "node:test";
import assert from "node:assert/strict";
import { taskCode } from "./context.mjs";

const { AlreadyInProgress, done, once, store } = await import(`${taskCode}idempotency.mjs`);
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

/** A stand-in for the DynamoDB table: the conditional put, get, update and delete `once` sends. */
function fakeTable() {
  const items = new Map();
  return {
    items,
    async send(command, input) {
      const key = (input.Key ?? input.Item).id.S;
      if (command === "PutItemCommand") {
        const existing = items.get(key);
        const now = Number(input.ExpressionAttributeValues[":now"].N);
        const nowMs = Number(input.ExpressionAttributeValues[":now_ms"].N);
        const free = !existing || Number(existing.expiration.N) < now
          || (existing.status.S === "INPROGRESS" && Number(existing.in_progress_expiration.N) < nowMs);
        if (!free) throw Object.assign(new Error("The conditional request failed"), { name: "ConditionalCheckFailedException" });
        items.set(key, { ...input.Item });
      } else if (command === "GetItemCommand") {
        return { Item: items.get(key) };
      } else if (command === "UpdateItemCommand") {
        const item = items.get(key);
        item.status = input.ExpressionAttributeValues[":completed"];
        item.data = input.ExpressionAttributeValues[":data"];
        delete item.in_progress_expiration;
      } else if (command === "DeleteItemCommand") {
        items.delete(key);
      }
      return {};
    },
  };
}

test("with IDEMPOTENCY_TABLE the record is in the table: once per id, a failure frees it, a run in progress blocks", async () => {
  const table = fakeTable();
  const saved = store.send;
  store.send = (command, input) => table.send(command, input);
  process.env.IDEMPOTENCY_TABLE = "idempotency";
  try {
    let runs = 0;
    const work = async () => ({ run: ++runs });
    assert.deepEqual(await once({ taskId: "o-1" }, work), { run: 1 });
    assert.deepEqual(await once({ taskId: "o-1" }, work), { run: 1 });
    assert.equal(table.items.get("o-1").status.S, "COMPLETED");
    await assert.rejects(once({ taskId: "o-2" }, async () => { throw new Error("busy"); }), /busy/);
    assert.equal(table.items.has("o-2"), false);
    assert.deepEqual(await once({ taskId: "o-2" }, work), { run: 2 });
    // Another environment holds o-3 until its invocation's deadline: this run fails, to be retried.
    table.items.set("o-3", { id: { S: "o-3" }, status: { S: "INPROGRESS" }, expiration: { N: String(Date.now() / 1000 + 3600) },
      in_progress_expiration: { N: String(Date.now() + 60_000) } });
    await assert.rejects(once({ taskId: "o-3" }, work), AlreadyInProgress);
  } finally {
    store.send = saved;
    delete process.env.IDEMPOTENCY_TABLE;
  }
});

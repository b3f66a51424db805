import { test } from "node:test";
import assert from "node:assert/strict";
import { fakeContext } from "./context.mjs";
import { handler } from "../src/worker.mjs";
import { TaskError } from "../src/tasks.mjs";

test("runs the task", async () => {
  assert.deepEqual(await handler({ orderId: "o-1" }, fakeContext()), { orderId: "o-1", recorded: true });
});

test("a failed task throws so Lambda retries it", async () => {
  await assert.rejects(handler({ orderId: "o-2", fail: true }, fakeContext()), TaskError);
});

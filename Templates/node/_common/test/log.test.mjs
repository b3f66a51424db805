// The project logs through console{{#powertools}} (or Powertools' Logger where its layer is){{/powertools}}; Lambda's
// JSON log format turns each call, one object with the message and the fields, into one JSON line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { logger } from "../src/log.mjs";

test("through console, one object per call: its fields stay fields", (t) => {
{{#powertools}}
  if (logger.constructor?.name === "Logger") return t.skip("Powertools' Logger is installed here");
{{/powertools}}
  const calls = [];
  const original = console.info;
  console.info = (...args) => calls.push(args);
  try {
    logger.info("task done", { orderId: "o-2" });
  } finally {
    console.info = original;
  }
  assert.deepEqual(calls, [[{ message: "task done", orderId: "o-2" }]]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
{{#powertools}}
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
{{/powertools}}
import { bindRequestId, log } from "../src/log.mjs";

/** Runs `body` with what this process writes to stdout collected. */
function capturing(body) {
  const written = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk, ...rest) => {
    if (String(chunk).startsWith('{"time"')) written.push(String(chunk));
    else return write.call(process.stdout, chunk, ...rest); // the test runner's own output
    return true;
  };
  try {
    body();
  } finally {
    process.stdout.write = write;
  }
  return written;
}

test("one JSON line with the request id", () => {
  const [line] = capturing(() => {
    bindRequestId("r-1");
    log("INFO", "task done", { orderId: "o-1" });
  });
  const record = JSON.parse(line);
  assert.deepEqual([record.level, record.message, record.requestId, record.orderId], ["INFO", "task done", "r-1", "o-1"]);
});
{{#powertools}}

test("in Lambda the lines go through Powertools", async (t) => {
  // A stand-in for the public layer's package, where Node.js looks for it from src/.
  const modules = new URL("../node_modules/", import.meta.url);
  const root = new URL("@aws-lambda-powertools/", modules);
  if (existsSync(root)) return t.skip("a real @aws-lambda-powertools is installed here");
  const madeModules = !existsSync(modules);
  const logger = new URL("logger/", root);
  await mkdir(logger, { recursive: true });
  try {
    await writeFile(new URL("package.json", logger), JSON.stringify({ name: "@aws-lambda-powertools/logger", main: "index.js" }));
    await writeFile(new URL("index.js", logger), `
      exports.Logger = class {
        constructor() { return new Proxy({}, { get: (_, method) => (message, extra) => globalThis.powertoolsCalls.push([method, message, extra]) }); }
      };`);
    globalThis.powertoolsCalls = [];
    // A fresh copy of the module, which finds the package this time.
    const powered = await import("../src/log.mjs?with-powertools");
    powered.bindRequestId("r-2");
    powered.log("WARN", "slow", { orderId: "o-2" });
    assert.deepEqual(globalThis.powertoolsCalls, [["warn", "slow", { requestId: "r-2", orderId: "o-2" }]]);
  } finally {
    // Only what this test made: a project's own node_modules stays.
    await rm(madeModules ? modules : root, { recursive: true, force: true });
  }
});
{{/powertools}}

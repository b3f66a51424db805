// What the tests share: a stand-in for the context object Lambda passes to handlers, and for the
// failed-tasks queue.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";

/** Where the task code is: src/, or the extension's folder in a project whose extension runs it. */
export const taskCode = new URL(
  existsSync(new URL("../src/idempotency.mjs", import.meta.url)) ? "../src/" : "../extension/{{name}}-extension/",
  import.meta.url,
).href;

export function fakeContext(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName: "test-function",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:test-function",
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** A stand-in for the failed-tasks queue: what `retries.mjs` (in `folder`) sends, parsed. Call
 * `restore()` after. */
export async function fakeFailedTasksQueue(folder = taskCode) {
  const { failedTasksQueue, settings } = await import(`${folder}retries.mjs`);
  const { done } = await import(`${folder}idempotency.mjs`);
  const saved = { send: failedTasksQueue.send, url: process.env.FAILED_TASKS_QUEUE_URL, delay: settings.baseDelayMs };
  const queue = { url: "https://sqs.us-east-1.amazonaws.com/123456789012/failed-tasks", records: [] };
  process.env.FAILED_TASKS_QUEUE_URL = queue.url;
  settings.baseDelayMs = 1; // retries without their real waits
  done.clear(); // a new execution environment: no task remembered
  failedTasksQueue.send = async (url, body) => {
    if (url !== queue.url) throw new Error(`sent to ${url}`);
    queue.records.push(JSON.parse(body));
  };
  queue.restore = () => {
    failedTasksQueue.send = saved.send;
    settings.baseDelayMs = saved.delay;
    if (saved.url === undefined) delete process.env.FAILED_TASKS_QUEUE_URL;
    else process.env.FAILED_TASKS_QUEUE_URL = saved.url;
  };
  return queue;
}

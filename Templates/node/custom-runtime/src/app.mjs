// The handler: it returns the response and queues the task with `context.runAfterResponse`;
// `runtime.mjs` posts the response to Lambda first and runs the task after it.
import { setTimeout as sleep } from "node:timers/promises";
import { run, workMs } from "./tasks.mjs";

async function buildResponse(event) {
  await sleep(workMs("SYNC_MS")); // the synchronous part: what the caller waits for
  return { orderId: event.orderId ?? null, status: "accepted" };
}

export const handler = async (event, context) => {
  const response = await buildResponse(event);
  context.runAfterResponse(() => run({ orderId: event.orderId ?? null, fail: Boolean(event.fail) }));
  return { statusCode: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(response) };
};

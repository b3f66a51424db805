// The handler: it returns the response and queues the task with `context.runAfterResponse`;
// `runtime.mjs` posts the response to Lambda first and runs the task after it.
import { setTimeout as sleep } from "node:timers/promises";
import { run, taskFor, workMs } from "./tasks.mjs";
import { orderOf } from "./order.mjs";

async function buildResponse(order) {
  await sleep(workMs("SYNC_MS")); // the synchronous part: what the caller waits for
  return { orderId: order.orderId ?? null, status: "accepted" };
}

export const handler = async (event, context) => {
  const order = orderOf(event);
  const response = await buildResponse(order);
  context.runAfterResponse(run, taskFor(order, context));
  return { statusCode: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(response) };
};

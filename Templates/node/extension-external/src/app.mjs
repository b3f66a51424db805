// The function: it builds the response and hands the task to the external extension, which runs
// it after the response is sent and before the environment freezes.
import { setTimeout as sleep } from "node:timers/promises";
import { submit, withExtension } from "./extension-client.mjs";
import { orderOf } from "./order.mjs";
// The task (its id, its simulated work) is defined once, in tasks.mjs; the extension runs it.
import { taskFor, workMs } from "./tasks.mjs";

async function buildResponse(order) {
  await sleep(workMs("SYNC_MS")); // the synchronous part: what the caller waits for
  return { orderId: order.orderId ?? null, status: "accepted" };
}

export const handler = withExtension(async (event, context) => {
  const order = orderOf(event);
  const response = await buildResponse(order);
  await submit(context, taskFor(order, context));
  return { statusCode: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(response) };
});

// The function: it builds the response and hands the task to the external extension, which runs
// it after the response is sent and before the environment freezes.
import { setTimeout as sleep } from "node:timers/promises";
import { submit, withExtension } from "./extension-client.mjs";

const workMs = (variable) => Number.parseInt(process.env[variable] ?? "0", 10) || 0;

async function buildResponse(event) {
  await sleep(workMs("SYNC_MS")); // the synchronous part: what the caller waits for
  return { orderId: event.orderId ?? null, status: "accepted" };
}

export const handler = withExtension(async (event, context) => {
  const response = await buildResponse(event);
  await submit(context, { orderId: event.orderId ?? null, fail: Boolean(event.fail) });
  return { statusCode: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(response) };
});

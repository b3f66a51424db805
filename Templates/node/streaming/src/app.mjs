// Response streaming: the handler writes the response, ends the stream, and then runs the task.
// The caller has the whole response as soon as the stream ends; the invocation, and the
// environment, go on until the handler's promise settles, so the task is never frozen mid-way.
// `awslambda` is a global of the Node.js managed runtimes.
/* global awslambda */
import { finished } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { bind, log } from "./log.mjs";
import { run, workMs } from "./tasks.mjs";
import { orderOf } from "./order.mjs";

async function buildResponse(order) {
  await sleep(workMs("SYNC_MS")); // the synchronous part: what the caller waits for
  return { orderId: order.orderId ?? null, status: "accepted" };
}

export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  bind(context);
  const order = orderOf(event);
  const body = await buildResponse(order);
  // Status and headers go first, in the HTTP integration prelude function URLs read.
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 202,
    headers: { "content-type": "application/json" },
  });
  stream.write(JSON.stringify(body));
  stream.end();
  await finished(stream); // the client has every byte now
  try {
    await run({ orderId: order.orderId ?? null, fail: Boolean(order.fail) });
  } catch (error) {
    // The caller already has a success: a failed task can only be logged (or queued for a retry).
    log("ERROR", "task after the response failed", { error: String(error) });
  }
});

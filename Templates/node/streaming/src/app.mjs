// Response streaming: the handler writes the response, ends the stream, and then runs the task.
// The caller has the whole response as soon as the stream ends; the invocation, and the
// environment, go on until the handler's promise settles, so the task is never frozen mid-way.
// `awslambda` is a global of the Node.js managed runtimes.
/* global awslambda */
import { finished } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { runTask } from "./retries.mjs";
import { run, taskFor, workMs } from "./tasks.mjs";
import { orderOf } from "./order.mjs";

async function buildResponse(order) {
  await sleep(workMs("SYNC_MS")); // the synchronous part: what the caller waits for
  return { orderId: order.orderId ?? null, status: "accepted" };
}

export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
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
  // The caller already has a success: a failing task is retried inside the invocation's remaining
  // time, and one that keeps failing goes to the failed-tasks queue. Nothing is thrown.
  await runTask(run, taskFor(order, context), context.getRemainingTimeInMillis,
    { requestId: context.awsRequestId, functionArn: context.invokedFunctionArn });
});

// The api function: it answers the caller and hands the task to the worker function with an
// asynchronous invoke. Lambda queues the event, retries the worker when it fails, and sends what
// still fails to the on-failure destination: the task survives this function's freeze.
import { setTimeout as sleep } from "node:timers/promises";
import { logger } from "./log.mjs";
import { taskFor, workMs } from "./tasks.mjs";
import { orderOf } from "./order.mjs";

// An asynchronous invocation's event may be at most 1 MB (256 KB through the legacy InvokeAsync API).
export const MAX_EVENT_BYTES = 1_048_576;

let client;

/** Invokes a function with InvocationType Event, through the AWS SDK v3 the runtime ships. */
async function invokeAsync(functionName, payload) {
  const { LambdaClient, InvokeCommand } = await import("@aws-sdk/client-lambda");
  client ??= new LambdaClient({});
  const result = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: payload }));
  return result.StatusCode;
}

/** What the handler calls out to; tests replace it. */
export const deps = { invokeAsync };

async function buildResponse(order) {
  await sleep(workMs("SYNC_MS")); // the synchronous part: what the caller waits for
  return { orderId: order.orderId ?? null, status: "accepted" };
}

export async function submit(task) {
  const payload = Buffer.from(JSON.stringify(task));
  if (payload.length > MAX_EVENT_BYTES) {
    // Fail while the caller can still be told; store large inputs in S3 and pass the key.
    throw new Error(`task is ${payload.length} bytes; an asynchronous event may carry at most ${MAX_EVENT_BYTES}`);
  }
  const status = await deps.invokeAsync(process.env.WORKER_FUNCTION_NAME, payload);
  logger.info("task handed to the worker", { taskId: task.taskId, status });
}

export const handler = async (event, context) => {
  const order = orderOf(event);
  const response = await buildResponse(order);
  await submit(taskFor(order, context));
  return { statusCode: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(response) };
};

// The work that happens after the caller has its response: write to a database, send a
// notification, ship an audit record. Replace `run` with yours. `runTask` (retries.mjs) runs it: a
// failure is tried again, and one that keeps failing goes to the failed-tasks queue; `once`
// (idempotency.mjs) keeps a task that succeeded from running again for the same task id.
import { setTimeout as sleep } from "node:timers/promises";
import { logger } from "./log.mjs";

export class TaskError extends Error {
  name = "TaskError";
}

/** Simulated work, so the strategies can be timed (`lambda-async compare --measure` sets these). */
export function workMs(variable) {
  return Number.parseInt(process.env[variable] ?? "0", 10) || 0;
}

/** The task for an order. Its id is the order's: a client that sends the order again, and Lambda
 * retrying an event, both carry the same id, so the work is done once. An order without an id
 * gets the request's. */
export function taskFor(order, context) {
  return { taskId: String(order.orderId ?? context.awsRequestId), orderId: order.orderId ?? null, fail: Boolean(order.fail) };
}

export async function run(task) {
  logger.info("task started", { taskId: task.taskId, orderId: task.orderId });
  await sleep(workMs("TASK_MS"));
  if (task.fail) {
    throw new TaskError(`order ${task.orderId} could not be recorded`);
  }
  logger.info("task done", { taskId: task.taskId, orderId: task.orderId });
  return { orderId: task.orderId, recorded: true };
}

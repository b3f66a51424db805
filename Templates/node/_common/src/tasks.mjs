// The work that happens after the caller has its response: write to a database, send a
// notification, ship an audit record. Replace `run` with yours; keep it idempotent, because every
// strategy may run a task twice (a retry, a redelivery).
import { setTimeout as sleep } from "node:timers/promises";
import { log } from "./log.mjs";

export class TaskError extends Error {}

/** Simulated work, so the strategies can be timed (`lambda-async compare --measure` sets these). */
export function workMs(variable) {
  return Number.parseInt(process.env[variable] ?? "0", 10) || 0;
}

export async function run(task) {
  log("INFO", "task started", { orderId: task.orderId });
  await sleep(workMs("TASK_MS"));
  if (task.fail) {
    throw new TaskError(`order ${task.orderId} could not be recorded`);
  }
  log("INFO", "task done", { orderId: task.orderId });
  return { orderId: task.orderId, recorded: true };
}

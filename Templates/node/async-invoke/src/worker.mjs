// The worker function: Lambda invokes it asynchronously with the task. Throwing makes Lambda retry
// the event (twice by default), then send it to the on-failure destination (FailedTasksQueue) as a
// record with the event, the error and the attempt count. A retry carries the same task id, and
// `once` keeps a task that already succeeded from running again.
import { once } from "./idempotency.mjs";
import { logger } from "./log.mjs";
import { run } from "./tasks.mjs";

export const handler = async (event, context) => {
  try {
    return await once(event, run, context.getRemainingTimeInMillis);
  } catch (error) {
    logger.error("task failed; Lambda will retry it, then queue it", { taskId: event?.taskId, error: String(error) });
    throw error;
  }
};

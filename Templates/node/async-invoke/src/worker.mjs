// The worker function: Lambda invokes it asynchronously with the task. Throwing makes Lambda retry
// the event (twice by default), then send it to the on-failure destination (FailedTasksQueue).
import { bind, log } from "./log.mjs";
import { run, TaskError } from "./tasks.mjs";

export const handler = async (event, context) => {
  bind(context);
  try {
    return await run(event);
  } catch (error) {
    if (error instanceof TaskError) log("ERROR", "task failed; Lambda will retry it", { error: error.message });
    throw error;
  }
};

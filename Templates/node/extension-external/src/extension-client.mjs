// Hands tasks to the external extension over localhost HTTP, and tells it when the handler is done.
// Outside Lambda (no AWS_LAMBDA_RUNTIME_API, as in unit tests) there is no extension: tasks go to
// `client.runInline` when the handler returns, so the same code is testable anywhere.
import { logger } from "./log.mjs";

export const client = {
  port: Number.parseInt(process.env.TASKS_PORT ?? "4243", 10),
  runInline: async (task) => logger.warn("outside Lambda there is no extension to run the task", { task }),
};

const inLambda = () => Boolean(process.env.AWS_LAMBDA_RUNTIME_API);
const pending = [];

async function post(path, body) {
  // The extension answers at once; a slow answer means it is gone, and the caller should know.
  const response = await fetch(`http://127.0.0.1:${client.port}${path}`, {
    method: "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(2000),
  });
  if (response.status >= 300) throw new Error(`the extension answered ${response.status} to ${path}`);
}

export async function submit(context, task) {
  if (inLambda()) await post(`/tasks/${context.awsRequestId}`, task);
  else pending.push(task);
}

/** Wraps a Lambda handler: tells the extension when the handler has handed over all its tasks. */
export function withExtension(handler) {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } finally {
      if (inLambda()) await post(`/tasks/${context.awsRequestId}/done`);
      else while (pending.length) await client.runInline(pending.shift());
    }
  };
}

// Post-response work that is not lost. `runTask` runs a task with bounded retries (exponential
// backoff with full jitter) inside the invocation's remaining time; a task that still fails goes to
// the failed-tasks queue (SQS, FAILED_TASKS_QUEUE_URL in template.yaml) as a record shaped like
// Lambda's own on-failure destination records: the task, the error and the number of attempts.
//
// The caller already has its answer, so nothing here throws: the outcome is logged and returned.
import { setTimeout as sleep } from "node:timers/promises";
import { once } from "./idempotency.mjs";
import { logger } from "./log.mjs";
import { awsSdk } from "./sdk.mjs";

export const settings = {
  // At most this many runs of one task (TASK_MAX_ATTEMPTS in template.yaml).
  maxAttempts: Math.max(1, Number.parseInt(process.env.TASK_MAX_ATTEMPTS ?? "3", 10) || 3),
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  // Kept back from the remaining time for the dead-letter send: past the function's timeout Lambda
  // stops the environment, and the record would be lost with the task.
  reserveMs: 1_000,
};

/** How records reach the queue: the AWS SDK v3 the Node.js runtimes ship. Tests replace `send`. */
export const failedTasksQueue = {
  client: null,
  async send(queueUrl, body) {
    const { SQSClient, SendMessageCommand } = await awsSdk("@aws-sdk/client-sqs");
    // Short timeouts: the send must fit in the time the invocation has left.
    this.client ??= new SQSClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 } });
    return this.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  },
};

/** Runs `fn(task)` until it succeeds, `maxAttempts` runs have failed, or the time left
 * (`remainingMs()`) is too short for another. Resolves true when it succeeded, false when its record
 * went to the failed-tasks queue. */
export async function runTask(fn, task, remainingMs, { requestId = null, functionArn = null } = {}) {
  let attempt = 0;
  let condition;
  let failure;
  for (;;) {
    attempt += 1;
    try {
      await once(task, fn, remainingMs);
      return true;
    } catch (error) {
      failure = error;
    }
    const delayMs = Math.random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
    if (attempt >= settings.maxAttempts) {
      condition = "RetriesExhausted";
      break;
    }
    if (remainingMs() - delayMs < settings.reserveMs) {
      condition = "RemainingTimeExhausted";
      break;
    }
    logger.warn("task failed; trying again", { taskId: task.taskId, attempt, error: String(failure), retryInMs: Math.round(delayMs) });
    await sleep(delayMs);
  }
  await deadLetter(failureRecord(task, failure, attempt, condition, requestId, functionArn));
  return false;
}

/** The record of a task that failed, in the shape of Lambda's destination records, so one consumer
 * reads this queue and an async-invoke project's alike. */
export function failureRecord(task, error, attempts, condition, requestId = null, functionArn = null) {
  return {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId,
      functionArn: functionArn ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? null,
      condition,
      approximateInvokeCount: attempts,
    },
    requestPayload: task,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: {
      errorMessage: String(error?.message ?? error),
      errorType: error?.name ?? "Error",
      stackTrace: String(error?.stack ?? "").split("\n").slice(1).map((line) => line.trim()),
    },
  };
}

async function deadLetter(record) {
  const queueUrl = process.env.FAILED_TASKS_QUEUE_URL;
  if (!queueUrl) {
    // Only the log holds it now: say so loudly, with the whole record.
    logger.error("task failed and FAILED_TASKS_QUEUE_URL is not set: the record is only in this log", { failedTask: record });
    return;
  }
  try {
    await failedTasksQueue.send(queueUrl, JSON.stringify(record));
  } catch (error) {
    // The log is the last place the record can go.
    logger.error("task failed and its record could not be queued", { failedTask: record, error: String(error) });
    return;
  }
  logger.error("task failed; its record is in the failed-tasks queue", {
    taskId: record.requestPayload?.taskId,
    attempts: record.requestContext.approximateInvokeCount,
    condition: record.requestContext.condition,
    error: record.responsePayload.errorMessage,
  });
}

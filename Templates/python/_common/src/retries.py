"""Post-response work that is not lost. `run_task` runs a task with bounded retries (exponential
backoff with full jitter) inside the invocation's remaining time; a task that still fails goes to the
failed-tasks queue (SQS, FAILED_TASKS_QUEUE_URL in template.yaml) as a record shaped like Lambda's
own on-failure destination records: the task, the error and the number of attempts.

The caller already has its answer, so nothing here raises: the outcome is logged and returned."""
import datetime
import json
import os
import random
import time
import traceback

import idempotency
from log import logger

# At most this many runs of one task (TASK_MAX_ATTEMPTS in template.yaml).
MAX_ATTEMPTS = max(1, int(os.environ.get("TASK_MAX_ATTEMPTS", "3") or 3))
BASE_DELAY_MS = 200
MAX_DELAY_MS = 5_000
# Kept back from the invocation's remaining time for the dead-letter send: past the function's
# timeout Lambda stops the environment, and the record would be lost with the task.
RESERVE_MS = 1_000

_sqs = None


def sqs():
    """One SQS client per execution environment (boto3 ships with every Python runtime), with short
    timeouts: the send must fit in the time the invocation has left."""
    global _sqs
    if _sqs is None:
        import boto3
        from botocore.config import Config

        _sqs = boto3.client("sqs", config=Config(connect_timeout=2, read_timeout=5,
                                                 retries={"max_attempts": 3, "mode": "standard"}))
    return _sqs


def run_task(function, task, remaining_ms, request_id=None, function_arn=None, sleep=time.sleep):
    """Runs `function(task)` until it succeeds, MAX_ATTEMPTS runs have failed, or the time left
    (`remaining_ms()`) is too short for another. True when it succeeded; False when its record
    went to the failed-tasks queue."""
    attempt = 0
    while True:
        attempt += 1
        try:
            idempotency.once(task, function, remaining_ms)
            return True
        except Exception as error:  # any failure of the task is retried, then recorded
            failure = error
            stack = traceback.format_exc().splitlines()
        delay_ms = random.uniform(0, min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)))
        if attempt >= MAX_ATTEMPTS:
            condition = "RetriesExhausted"
            break
        if remaining_ms() - delay_ms < RESERVE_MS:
            condition = "RemainingTimeExhausted"
            break
        logger.warning("task failed; trying again",
                       extra={"taskId": task.get("taskId"), "attempt": attempt, "error": repr(failure),
                              "retryInMs": int(delay_ms)})
        sleep(delay_ms / 1000)
    dead_letter(task, failure, stack, attempt, condition, request_id, function_arn)
    return False


def failure_record(task, error, stack, attempts, condition, request_id=None, function_arn=None):
    """The record of a task that failed, in the shape of Lambda's destination records, so one
    consumer reads this queue and an async-invoke project's alike."""
    return {
        "version": "1.0",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn or os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": task,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": str(error), "errorType": type(error).__name__, "stackTrace": stack},
    }


def dead_letter(task, error, stack, attempts, condition, request_id=None, function_arn=None):
    record = failure_record(task, error, stack, attempts, condition, request_id, function_arn)
    queue_url = os.environ.get("FAILED_TASKS_QUEUE_URL")
    if not queue_url:
        # Only the log holds it now: say so loudly, with the whole record.
        logger.error("task failed and FAILED_TASKS_QUEUE_URL is not set: the record is only in this log",
                     extra={"failedTask": record})
        return
    try:
        sqs().send_message(QueueUrl=queue_url, MessageBody=json.dumps(record, default=str))
    except Exception as send_error:  # the log is the last place the record can go
        logger.error("task failed and its record could not be queued",
                     extra={"failedTask": record, "error": repr(send_error)})
        return
    logger.error("task failed; its record is in the failed-tasks queue",
                 extra={"taskId": task.get("taskId"), "attempts": attempts, "condition": condition,
                        "error": repr(error)})

"""The durable worker: Lambda runs it as a durable execution, started by the api function. Each
`context.step` is checkpointed through the Lambda API; after a wait, a callback or a failure Lambda
invokes the handler again and it replays from the start, every completed step answering from its
checkpoint instead of running again. So the code between steps must be deterministic (no clock, no
random, no I/O outside a step), and a step's own work should be safe to repeat: a step interrupted
before its checkpoint runs again.

The task: record the order (retried by the SDK with backoff), wait for an approval when the order asks
for one (a callback whose id an external system sends back), wait before the follow-up without paying
for compute, then send the follow-up. A task that fails for good leaves its record in the failed-tasks
queue, where the alarm sees it, and the execution ends FAILED with its history kept for inspection."""
import json
import os
import traceback

from aws_durable_execution_sdk_python import CallbackError, DurableContext, StepContext, StepError, durable_execution
from aws_durable_execution_sdk_python.config import Duration, StepConfig, WaitForCallbackConfig
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy

import idempotency
import retries
import tasks
from log import logger

# Runs of the record step before the task counts as failed (TASK_MAX_ATTEMPTS in template.yaml).
MAX_ATTEMPTS = max(1, int(os.environ.get("TASK_MAX_ATTEMPTS", "3") or 3))
# The follow-up waits this long after the order is recorded; a wait costs no compute.
FOLLOW_UP_DELAY_S = max(1, int(os.environ.get("FOLLOW_UP_DELAY_SECONDS", "5") or 5))
# How long an approval may take before the callback times out and the task fails.
APPROVAL_TIMEOUT_S = max(1, int(os.environ.get("APPROVAL_TIMEOUT_SECONDS", "86400") or 86400))

RECORD = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=MAX_ATTEMPTS, initial_delay=Duration.from_seconds(2), max_delay=Duration.from_minutes(1),
    backoff_rate=2.0)))


def record(task):
    def run(step_context: StepContext):
        logger.info("recording the order", extra={"taskId": task.get("taskId"), "attempt": step_context.attempt})
        # A step can run again when its invocation died before the checkpoint: with
        # --idempotency the record is also kept in a table.
        return idempotency.once(task, lambda t: tasks.run(t, attempt=step_context.attempt))
    return run


def ask_for_approval(task):
    def submit(callback_id, _context):
        # Hand the id to whoever approves (a ticket, an email, a queue); they answer with
        # SendDurableExecutionCallbackSuccess or ...Failure and this execution goes on.
        logger.info("approval requested", extra={"taskId": task.get("taskId"), "callbackId": callback_id})
    return submit


def parsed(answer):
    """The callback's result as its sender wrote it: JSON when it is JSON, else the text."""
    if isinstance(answer, (bytes, str)):
        try:
            return json.loads(answer)
        except ValueError:
            return answer.decode() if isinstance(answer, bytes) else answer
    return answer


def follow_up(task, approval):
    def run(_step_context: StepContext):
        logger.info("follow-up sent", extra={"taskId": task.get("taskId"), "approval": approval})
        return {"orderId": task.get("orderId"), "followUp": "sent"}
    return run


def report_failure(task, error, attempts, context):
    def run(_step_context: StepContext):
        # The same record an async-invoke project's on-failure destination writes.
        retries.dead_letter(task, error, traceback.format_exception_only(type(error), error), attempts,
                            "RetriesExhausted" if isinstance(error, StepError) else type(error).__name__,
                            function_arn=context.lambda_context.invoked_function_arn)
        return True
    return run


@durable_execution
def handler(event, context: DurableContext):
    task = event
    step, attempts = "record", MAX_ATTEMPTS
    try:
        recorded = context.step(record(task), name="record", config=RECORD)
        approval = None
        if task.get("needsApproval"):
            step, attempts = "approval", 1
            answer = context.wait_for_callback(ask_for_approval(task), name="approval",
                                               config=WaitForCallbackConfig(timeout=Duration.from_seconds(APPROVAL_TIMEOUT_S)))
            approval = parsed(answer)
    except (StepError, CallbackError) as error:
        # Failed for good (every attempt, or the approval refused or timed out): the record goes
        # to the failed-tasks queue, and the execution ends FAILED with its history.
        logger.error("task failed", extra={"taskId": task.get("taskId"), "step": step, "error": repr(error)})
        context.step(report_failure(task, error, attempts, context), name="report-failure")
        raise
    context.wait(Duration.from_seconds(FOLLOW_UP_DELAY_S), name="follow-up-delay")
    context.step(follow_up(task, approval), name="follow-up")
    return {**recorded, "approval": approval}

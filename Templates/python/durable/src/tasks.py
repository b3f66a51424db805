"""The work that happens after the caller has its response: write to a database, send a
notification, ship an audit record. Replace `run` with yours. The worker runs it in a durable step:
the SDK tries it again with backoff when it raises, and a result it returned once is never computed
again (replays answer from the checkpoint)."""
import os
import time

from log import logger


class TaskError(Exception):
    """The task failed and should be tried again."""


def work_ms(variable):
    """Simulated work, so the strategies can be timed (`lambda-async compare --measure` sets these)."""
    return int(os.environ.get(variable, "0") or 0)


def task_for(order, context):
    """The task for an order. Its id is the order's: a client that sends the order again starts no
    second execution. An order without an id gets the request's. `needsApproval` makes the task
    wait for a person's answer (a callback); `fail` makes every attempt fail and `failAttempts: N`
    the first N, to watch the retries and the failure path."""
    return {
        "taskId": str(order.get("orderId") or context.aws_request_id),
        "orderId": order.get("orderId"),
        "needsApproval": bool(order.get("needsApproval")),
        "fail": bool(order.get("fail")),
        "failAttempts": int(order.get("failAttempts") or 0),
    }


def run(task, attempt=1):
    logger.info("task started", extra={"taskId": task.get("taskId"), "orderId": task.get("orderId"), "attempt": attempt})
    time.sleep(work_ms("TASK_MS") / 1000)
    if task.get("fail") or attempt <= task.get("failAttempts", 0):
        raise TaskError(f"order {task.get('orderId')} could not be recorded (attempt {attempt})")
    logger.info("task done", extra={"taskId": task.get("taskId"), "orderId": task.get("orderId")})
    return {"orderId": task.get("orderId"), "recorded": True}

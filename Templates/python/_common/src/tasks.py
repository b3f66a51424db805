"""The work that happens after the caller has its response: write to a database, send a
notification, ship an audit record. Replace `run` with yours. `retries.run_task` runs it: a failure
is tried again, and one that keeps failing goes to the failed-tasks queue; `idempotency` makes sure
a task that succeeded once is not run again for the same task id."""
import os
import time

from log import logger


class TaskError(Exception):
    """The task failed and should be tried again."""


def work_ms(variable):
    """Simulated work, so the strategies can be timed (`lambda-async compare --measure` sets these)."""
    return int(os.environ.get(variable, "0") or 0)


def task_for(order, context):
    """The task for an order. Its id is the order's: a client that sends the order again, and
    Lambda retrying an event, both carry the same id, so the work is done once. An order without
    an id gets the request's."""
    return {
        "taskId": str(order.get("orderId") or context.aws_request_id),
        "orderId": order.get("orderId"),
        "fail": bool(order.get("fail")),
    }


def run(task):
    logger.info("task started", extra={"taskId": task.get("taskId"), "orderId": task.get("orderId")})
    time.sleep(work_ms("TASK_MS") / 1000)
    if task.get("fail"):
        raise TaskError(f"order {task.get('orderId')} could not be recorded")
    logger.info("task done", extra={"taskId": task.get("taskId"), "orderId": task.get("orderId")})
    return {"orderId": task.get("orderId"), "recorded": True}

"""The work that happens after the caller has its response: write to a database, send a
notification, ship an audit record. Replace `run` with yours; keep it idempotent, because
every strategy may run a task twice (a retry, a redelivery)."""
import os
import time

from log import log


class TaskError(Exception):
    """The task failed and should be tried again."""


def work_ms(variable):
    """Simulated work, so the strategies can be timed (`lambda-async compare --measure` sets these)."""
    return int(os.environ.get(variable, "0") or 0)


def run(task):
    log("INFO", "task started", orderId=task.get("orderId"))
    time.sleep(work_ms("TASK_MS") / 1000)
    if task.get("fail"):
        raise TaskError(f"order {task.get('orderId')} could not be recorded")
    log("INFO", "task done", orderId=task.get("orderId"))
    return {"orderId": task.get("orderId"), "recorded": True}

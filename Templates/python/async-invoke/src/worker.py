"""The worker function: Lambda invokes it asynchronously with the task. Raising makes Lambda retry
the event (twice by default), then send it to the on-failure destination (FailedTasksQueue) as a
record with the event, the error and the attempt count. A retry carries the same task id, and
`idempotency` keeps a task that already succeeded from running again."""
import idempotency
import tasks
from log import logger


def handler(event, context):
    try:
        return idempotency.once(event, tasks.run, context.get_remaining_time_in_millis)
    except Exception as error:
        logger.error("task failed; Lambda will retry it, then queue it", extra={"taskId": event.get("taskId"),
                                                                                "error": repr(error)})
        raise

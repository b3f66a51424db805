"""The worker function: Lambda invokes it asynchronously with the task. Raising makes Lambda retry
the event (twice by default), then send it to the on-failure destination (FailedTasksQueue)."""
from log import bind, log
import tasks


def handler(event, context):
    bind(context)
    try:
        return tasks.run(event)
    except tasks.TaskError as error:
        log("ERROR", "task failed; Lambda will retry it", error=str(error))
        raise

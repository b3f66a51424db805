"""The handler: it returns the response and queues the task with `context.run_after_response`;
`runtime_loop.py` posts the response to Lambda first and runs the task after it."""
import json
import time

import tasks
from order import order_of
from tasks import work_ms


def build_response(order):
    """The synchronous part: what the caller waits for."""
    time.sleep(work_ms("SYNC_MS") / 1000)
    return {"orderId": order.get("orderId"), "status": "accepted"}


def handler(event, context):
    order = order_of(event)
    response = build_response(order)
    context.run_after_response(tasks.run, tasks.task_for(order, context))
    return {"statusCode": 202, "headers": {"content-type": "application/json"}, "body": json.dumps(response)}

"""The function: it builds the response and queues the task for the internal extension
(`background.py`), which runs it after the response is sent and before the environment freezes."""
import json
import time

import background
import tasks
from order import order_of
from tasks import work_ms


def build_response(order):
    """The synchronous part: what the caller waits for."""
    time.sleep(work_ms("SYNC_MS") / 1000)
    return {"orderId": order.get("orderId"), "status": "accepted"}


@background.handler
def handler(event, context):
    order = order_of(event)
    response = build_response(order)
    background.run_after_response(tasks.run, tasks.task_for(order, context))
    return {"statusCode": 202, "headers": {"content-type": "application/json"}, "body": json.dumps(response)}

"""The function: it builds the response and queues the task for the internal extension
(`background.py`), which runs it after the response is sent and before the environment freezes."""
import json
import time

import background
import tasks
from tasks import work_ms


def build_response(event):
    """The synchronous part: what the caller waits for."""
    time.sleep(work_ms("SYNC_MS") / 1000)
    return {"orderId": event.get("orderId"), "status": "accepted"}


@background.handler
def handler(event, context):
    response = build_response(event)
    background.run_after_response(tasks.run, {"orderId": event.get("orderId"), "fail": bool(event.get("fail"))})
    return {"statusCode": 202, "headers": {"content-type": "application/json"}, "body": json.dumps(response)}

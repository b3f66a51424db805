"""The api function: it answers the caller and hands the task to the worker function with an
asynchronous invoke. Lambda queues the event, retries the worker when it fails, and sends what
still fails to the on-failure destination: the task survives this function's freeze."""
import json
import os
import time

import tasks
from log import logger
from order import order_of
from tasks import work_ms

# An asynchronous invocation's event may be at most 1 MB (256 KB through the legacy InvokeAsync API).
MAX_EVENT_BYTES = 1_048_576

_lambda_client = None


def lambda_client():
    """One client per execution environment, made on first use (boto3 ships with the runtime)."""
    global _lambda_client
    if _lambda_client is None:
        import boto3

        _lambda_client = boto3.client("lambda")
    return _lambda_client


def build_response(order):
    """The synchronous part: what the caller waits for."""
    time.sleep(work_ms("SYNC_MS") / 1000)
    return {"orderId": order.get("orderId"), "status": "accepted"}


def submit(task):
    body = json.dumps(task).encode()
    if len(body) > MAX_EVENT_BYTES:
        # Fail while the caller can still be told; store large inputs in S3 and pass the key.
        raise ValueError(f"task is {len(body)} bytes; an asynchronous event may carry at most {MAX_EVENT_BYTES}")
    result = lambda_client().invoke(
        FunctionName=os.environ["WORKER_FUNCTION_NAME"],
        InvocationType="Event",
        Payload=body,
    )
    logger.info("task handed to the worker", extra={"taskId": task.get("taskId"), "status": result.get("StatusCode")})


def handler(event, context):
    order = order_of(event)
    response = build_response(order)
    submit(tasks.task_for(order, context))
    return {"statusCode": 202, "headers": {"content-type": "application/json"}, "body": json.dumps(response)}

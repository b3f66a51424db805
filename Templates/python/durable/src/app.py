"""The api function: it answers the caller and starts the task's durable execution, an asynchronous
invoke of WorkerFunction's alias named after the task. Lambda runs the execution to its end, step by
step, whatever happens to this environment; a client that sends the same order again starts nothing
new, because an execution name is taken once (for the retention period of the first)."""
import hashlib
import json
import os
import re
import time

import tasks
from log import logger
from order import order_of
from tasks import work_ms

# The start is an asynchronous event: at most 1 MB.
MAX_EVENT_BYTES = 1_048_576
# What Lambda takes as a DurableExecutionName.
_EXECUTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

_lambda_client = None


def lambda_client():
    """One client per execution environment, made on first use (boto3 ships with the runtime)."""
    global _lambda_client
    if _lambda_client is None:
        import boto3

        _lambda_client = boto3.client("lambda")
    return _lambda_client


def execution_name(task_id):
    """The task id itself when Lambda takes it as an execution name, else a digest of it: the
    same task always maps to the same execution."""
    task_id = str(task_id)
    if _EXECUTION_NAME.match(task_id):
        return task_id
    return "task-" + hashlib.sha256(task_id.encode()).hexdigest()[:40]


def build_response(order):
    """The synchronous part: what the caller waits for."""
    time.sleep(work_ms("SYNC_MS") / 1000)
    return {"orderId": order.get("orderId"), "status": "accepted"}


def start_execution(task):
    """Starts the task's durable execution; True when it started now or had started before with
    the same task, False when the name is taken by another input (a different order, same id)."""
    body = json.dumps(task).encode()
    if len(body) > MAX_EVENT_BYTES:
        # Fail while the caller can still be told; store large inputs in S3 and pass the key.
        raise ValueError(f"task is {len(body)} bytes; an asynchronous event may carry at most {MAX_EVENT_BYTES}")
    name = execution_name(task["taskId"])
    client = lambda_client()
    try:
        result = client.invoke(
            FunctionName=os.environ["WORKER_FUNCTION_NAME"],
            # A durable function is invoked through a version or an alias (template.yaml publishes `live`).
            Qualifier=os.environ.get("WORKER_ALIAS", "live"),
            InvocationType="Event",
            DurableExecutionName=name,
            Payload=body,
        )
    except client.exceptions.DurableExecutionAlreadyStartedException:
        logger.warning("an execution of this name has another input; nothing started",
                       extra={"taskId": task.get("taskId"), "executionName": name})
        return False
    logger.info("durable execution started", extra={"taskId": task.get("taskId"), "executionName": name,
                                                     "executionArn": result.get("DurableExecutionArn")})
    return True


def handler(event, context):
    order = order_of(event)
    response = build_response(order)
    if not start_execution(tasks.task_for(order, context)):
        return {"statusCode": 409, "headers": {"content-type": "application/json"},
                "body": json.dumps({"orderId": order.get("orderId"),
                                    "error": "this order id was already submitted with other contents"})}
    return {"statusCode": 202, "headers": {"content-type": "application/json"}, "body": json.dumps(response)}

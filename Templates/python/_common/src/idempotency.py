"""At most one successful run per task id. Lambda runs an asynchronous event again when it fails
(twice by default), clients send a request again, queues redeliver: each carries the same task id,
and a task that already succeeded is not run again; its first result is returned.

With IDEMPOTENCY_TABLE set (`lambda-async new --idempotency` adds the DynamoDB table to
template.yaml) the record is shared by every execution environment{{#powertools}}, through Powertools
for AWS Lambda's idempotency utility where its layer is present{{/powertools}}. Without it only this
environment remembers, so a retry that lands in another environment runs the task again: then make
the task itself safe to repeat (a conditional write, an upsert)."""
import collections
import json
import os
import time

from log import logger

# How long a finished task is remembered; Lambda gives up on an asynchronous event after 6 hours.
EXPIRES_AFTER_S = 6 * 3600
_REMEMBERED = 1000


class AlreadyInProgress(Exception):
    """Another environment is running this task now: this run fails, so it is retried later."""


_done = collections.OrderedDict()
_table = None


def once(task, function, remaining_ms=lambda: 60_000):
    key = task.get("taskId") if isinstance(task, dict) else None
    if key is None:
        return function(task)
    table = os.environ.get("IDEMPOTENCY_TABLE")
    if not table:
        return _in_this_environment(key, task, function)
{{#powertools}}
    if _powertools is not None:
        return _powertools(table, task, function)
{{/powertools}}
    return _in_dynamodb(table, key, task, function, remaining_ms)


def _in_this_environment(key, task, function):
    if key in _done:
        logger.info("task already done in this environment; not run again", extra={"taskId": key})
        return _done[key]
    result = function(task)
    _done[key] = result
    while len(_done) > _REMEMBERED:
        _done.popitem(last=False)
    return result


def dynamodb():
    global _table
    if _table is None:
        import boto3

        _table = boto3.client("dynamodb")
    return _table


def _in_dynamodb(table, key, task, function, remaining_ms):
    """One item per task id: INPROGRESS while a run holds it (until the invocation's deadline, so a
    crashed environment does not hold it for ever), COMPLETED with the result afterwards."""
    client = dynamodb()
    now = time.time()
    try:
        client.put_item(
            TableName=table,
            Item={"id": {"S": key}, "status": {"S": "INPROGRESS"},
                  "expiration": {"N": str(int(now + EXPIRES_AFTER_S))},
                  "in_progress_expiration": {"N": str(int(now * 1000 + remaining_ms()))}},
            ConditionExpression="attribute_not_exists(id) OR expiration < :now"
                                " OR (#status = :inprogress AND in_progress_expiration < :now_ms)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":now": {"N": str(int(now))}, ":now_ms": {"N": str(int(now * 1000))},
                                       ":inprogress": {"S": "INPROGRESS"}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        item = client.get_item(TableName=table, Key={"id": {"S": key}}, ConsistentRead=True).get("Item", {})
        if item.get("status", {}).get("S") == "COMPLETED":
            logger.info("task already done; not run again", extra={"taskId": key})
            return json.loads(item.get("data", {}).get("S", "null"))
        raise AlreadyInProgress(f"task {key} is being run by another invocation")
    try:
        result = function(task)
    except Exception:
        # Not done: the next attempt, here or elsewhere, may take the task.
        client.delete_item(TableName=table, Key={"id": {"S": key}})
        raise
    client.update_item(
        TableName=table, Key={"id": {"S": key}},
        UpdateExpression="SET #status = :completed, #data = :data REMOVE in_progress_expiration",
        ExpressionAttributeNames={"#status": "status", "#data": "data"},
        ExpressionAttributeValues={":completed": {"S": "COMPLETED"}, ":data": {"S": json.dumps(result, default=str)}},
    )
    return result
{{#powertools}}


def _load_powertools():
    try:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function)
    except ImportError:  # unit tests and machines without the layer
        return None
    runners = {}

    def run(table, task, function):
        """Powertools keys the record on a hash of the task's id (event_key_jmespath)."""
        if table not in runners:
            config = IdempotencyConfig(event_key_jmespath="taskId", expires_after_seconds=EXPIRES_AFTER_S)

            @idempotent_function(data_keyword_argument="task", config=config,
                                 persistence_store=DynamoDBPersistenceLayer(table_name=table))
            def runner(task, function):
                return function(task)

            runners[table] = runner
        return runners[table](task=task, function=function)

    return run


_powertools = _load_powertools()
{{/powertools}}

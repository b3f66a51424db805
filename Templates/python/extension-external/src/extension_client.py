"""Hands tasks to the external extension over localhost HTTP, and tells it when the handler is done.

Outside Lambda (no AWS_LAMBDA_RUNTIME_API, as in the unit tests) there is no extension: tasks run
inline when the handler returns, so the same code is testable anywhere.
"""
import functools
import json
import os
import urllib.request

PORT = int(os.environ.get("TASKS_PORT", "4243"))
_inline = []


def _post(path, body=b""):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    # The extension answers at once; a slow answer means it is gone, and the caller should know.
    with urllib.request.urlopen(request, timeout=2) as response:
        response.read()


def in_lambda():
    return bool(os.environ.get("AWS_LAMBDA_RUNTIME_API"))


def submit(context, task):
    if in_lambda():
        _post(f"/tasks/{context.aws_request_id}", json.dumps(task).encode())
    else:
        _inline.append(task)


def handler(function):
    """Wraps a Lambda handler: tells the extension when the handler has handed over all its tasks."""

    @functools.wraps(function)
    def wrapper(event, context):
        try:
            return function(event, context)
        finally:
            if in_lambda():
                _post(f"/tasks/{context.aws_request_id}/done")
            else:
                import retries
                import tasks

                while _inline:
                    retries.run_task(tasks.run, _inline.pop(0), context.get_remaining_time_in_millis,
                                     context.aws_request_id, getattr(context, "invoked_function_arn", None))

    return wrapper

"""An internal extension: a thread of this process, registered with the Extensions API for INVOKE.

Lambda freezes the execution environment only when the runtime has asked for its next event *and*
every extension has called /event/next. This thread calls /event/next only after it has run every
task the handler queued, so the tasks finish after the caller has its response, while the
environment still runs. A plain thread without the extension would be frozen mid-task at return.

Outside Lambda (no AWS_LAMBDA_RUNTIME_API, as in the unit tests) tasks run inline when the handler
returns, so the same code is testable anywhere.
"""
import functools
import json
import os
import queue
import threading
import time
import urllib.request

import retries
from log import logger

EXTENSION_NAME = "{{extensionName}}"


class InternalExtension:
    def __init__(self, runtime_api):
        self.base = f"http://{runtime_api}/2020-01-01/extension"
        self.tasks = queue.Queue()
        self.handler_done = threading.Event()
        self.extension_id = None

    def register(self):
        """Must happen during init: registration closes at the runtime's first /next."""
        request = urllib.request.Request(
            f"{self.base}/register",
            data=json.dumps({"events": ["INVOKE"]}).encode(),
            headers={"Lambda-Extension-Name": EXTENSION_NAME, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            self.extension_id = response.headers["Lambda-Extension-Identifier"]

    def next_event(self):
        request = urllib.request.Request(
            f"{self.base}/event/next", headers={"Lambda-Extension-Identifier": self.extension_id}
        )
        # Blocks until the next invocation: no timeout, the environment is frozen meanwhile.
        with urllib.request.urlopen(request) as response:
            return json.load(response)

    def start(self):
        self.register()
        threading.Thread(target=self.loop, name=EXTENSION_NAME, daemon=True).start()

    def loop(self):
        while True:
            event = self.next_event()
            if event.get("eventType") != "INVOKE":
                continue
            # INVOKE arrives while the handler runs: wait until it has queued all its tasks.
            self.handler_done.wait()
            self.handler_done.clear()
            self.drain(event.get("requestId"), event.get("deadlineMs"), event.get("invokedFunctionArn"))

    def drain(self, request_id, deadline_ms=None, function_arn=None):
        """Runs every queued task, each with retries inside the invocation's deadline; what still
        fails goes to the failed-tasks queue. Nothing a task does can stop this thread."""
        remaining_ms = (lambda: deadline_ms - time.time() * 1000) if deadline_ms else (lambda: 60_000)
        while True:
            try:
                function, task = self.tasks.get_nowait()
            except queue.Empty:
                return
            try:
                retries.run_task(function, task, remaining_ms, request_id, function_arn)
            except Exception:  # a bug in the retry path itself: log it, keep the extension alive
                logger.exception("background task could not be run", extra={"taskId": task.get("taskId")})


_extension = None
if os.environ.get("AWS_LAMBDA_RUNTIME_API"):
    _extension = InternalExtension(os.environ["AWS_LAMBDA_RUNTIME_API"])
    _extension.start()

_inline = []


def run_after_response(function, task):
    """Queues `function(task)` to run after the handler returns, before the environment freezes,
    with retries; a task that keeps failing goes to the failed-tasks queue."""
    if _extension is None:
        _inline.append((function, task))
    else:
        _extension.tasks.put((function, task))


def handler(function):
    """Wraps a Lambda handler: tells the extension when the handler has queued all its tasks."""

    @functools.wraps(function)
    def wrapper(event, context):
        try:
            return function(event, context)
        finally:
            if _extension is not None:
                _extension.handler_done.set()
            else:
                while _inline:
                    task_function, task = _inline.pop(0)
                    retries.run_task(task_function, task, context.get_remaining_time_in_millis,
                                     context.aws_request_id, getattr(context, "invoked_function_arn", None))

    return wrapper

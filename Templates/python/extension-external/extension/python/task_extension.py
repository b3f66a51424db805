"""The external extension process: it takes tasks from the function over localhost HTTP and runs
them after the response.

Lambda freezes the environment only when the runtime has asked for its next event *and* every
extension has called /event/next. For each INVOKE this process waits until the function says it has
handed over all its tasks (POST /tasks/{requestId}/done), runs them, and only then calls
/event/next. On SHUTDOWN it runs whatever is still queued, within Lambda's 2-second budget, and exits.
"""
import http.server
import json
import os
import logging
import sys
import threading
import time
import urllib.error
import urllib.request

import retries
import tasks
from log import logger

PORT = int(os.environ.get("TASKS_PORT", "4243"))
# Lambda kills an extension that is still busy past the timeout; leave it room to answer.
SAFETY_MS = 500
# At SHUTDOWN an external extension has about 2 seconds in all (500 ms with internal ones too).
SHUTDOWN_BUDGET_MS = 1_500


class Inbox:
    """Tasks by request id, and which invocations have handed over all of theirs."""

    def __init__(self):
        self.lock = threading.Condition()
        self.tasks = {}
        self.closed = set()

    def put(self, request_id, task):
        with self.lock:
            self.tasks.setdefault(request_id, []).append(task)

    def close(self, request_id):
        with self.lock:
            self.closed.add(request_id)
            self.lock.notify_all()

    def wait_closed(self, request_id, timeout):
        with self.lock:
            return self.lock.wait_for(lambda: request_id in self.closed, timeout=max(0, timeout))

    def take(self, request_id=None):
        """The tasks of one invocation, or of all when request_id is None."""
        with self.lock:
            if request_id is None:
                taken = [(rid, task) for rid, queued in self.tasks.items() for task in queued]
                self.tasks.clear()
                self.closed.clear()
                return taken
            self.closed.discard(request_id)
            return [(request_id, task) for task in self.tasks.pop(request_id, [])]


def make_server(inbox, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            parts = self.path.strip("/").split("/")  # tasks/{requestId}[/done]
            if len(parts) == 2 and parts[0] == "tasks":
                inbox.put(parts[1], json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
                self.send_response(202)
            elif len(parts) == 3 and parts[0] == "tasks" and parts[2] == "done":
                inbox.close(parts[1])
                self.send_response(204)
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    # Loopback only: nothing outside the execution environment can queue work.
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)


class ExtensionsAPI:
    def __init__(self, address):
        self.base = f"http://{address}/2020-01-01/extension"
        self.identifier = None

    def register(self, name):
        request = urllib.request.Request(f"{self.base}/register", method="POST",
                                         data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(),
                                         headers={"Lambda-Extension-Name": name, "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            self.identifier = response.headers["Lambda-Extension-Identifier"]

    def next(self):
        """The next event. Anything but 200 (403 once the environment no longer knows this
        extension, 500 when the Extensions API fails) ends the extension: asking again would spin
        on the same answer, and Lambda would never hand this process another event."""
        request = urllib.request.Request(f"{self.base}/event/next",
                                         headers={"Lambda-Extension-Identifier": self.identifier})
        try:
            with urllib.request.urlopen(request) as response:  # blocks while frozen: no timeout
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise Refused(error.code, error.read().decode(errors="replace")) from None

    def exit_error(self, error_type):
        """Tells Lambda why this extension stops (POST /extension/exit/error); best effort."""
        request = urllib.request.Request(f"{self.base}/exit/error", method="POST", data=b"{}",
                                         headers={"Lambda-Extension-Identifier": self.identifier or "",
                                                  "Lambda-Extension-Function-Error-Type": error_type})
        try:
            urllib.request.urlopen(request, timeout=1).close()
        except OSError:
            pass


class Refused(Exception):
    """The Extensions API answered /event/next with something other than 200."""

    def __init__(self, status, body):
        super().__init__(f"/event/next answered {status}: {body[:200]}")
        self.status = status


def run_all(queued, deadline_ms, function_arn=None):
    """Each task with retries until the deadline; what still fails goes to the failed-tasks queue."""
    def remaining_ms():
        return deadline_ms - time.time() * 1000
    for request_id, task in queued:
        try:
            retries.run_task(tasks.run, task, remaining_ms, request_id, function_arn)
        except Exception:  # a bug in the retry path itself must not end the extension
            logger.exception("task could not be run", extra={"requestId": request_id})


def serve(api, inbox):
    """Handles events until SHUTDOWN; returns the shutdown reason."""
    while True:
        event = api.next()
        if event.get("eventType") == "SHUTDOWN":
            left = inbox.take()
            logger.info("shutting down", extra={"reason": event.get("shutdownReason"), "queued": len(left)})
            run_all(left, event.get("deadlineMs") or time.time() * 1000 + SHUTDOWN_BUDGET_MS)
            return event.get("shutdownReason")
        request_id = event.get("requestId")
        deadline_ms = event.get("deadlineMs", 0) - SAFETY_MS
        if not inbox.wait_closed(request_id, (deadline_ms - time.time() * 1000) / 1000):
            logger.warning("the function did not close its tasks before the deadline", extra={"requestId": request_id})
        run_all(inbox.take(request_id), deadline_ms, event.get("invokedFunctionArn"))


class _WithFields(logging.Formatter):
    """This process is not the runtime, so Lambda's JSON log format does not reach it: its lines say
    their level and name themselves, followed by the fields passed in `extra`, as JSON."""

    _STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def format(self, record):
        fields = {key: value for key, value in vars(record).items() if key not in self._STANDARD}
        return super().format(record) + (" " + json.dumps(fields, default=str) if fields else "")


def main():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_WithFields(f"[%(levelname)s] {os.path.basename(sys.argv[0])}: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    inbox = Inbox()
    server = make_server(inbox, PORT)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = ExtensionsAPI(os.environ["AWS_LAMBDA_RUNTIME_API"])
    api.register(os.path.basename(sys.argv[0]))
    try:
        serve(api, inbox)
    except Refused as refused:
        left = inbox.take()
        logger.error("the Extensions API refused this extension; exiting", extra={"status": refused.status, "queued": len(left),
                                                                                 "error": str(refused)})
        api.exit_error("Extension.EventNextRefused")
        sys.exit(1)
    finally:
        server.shutdown()

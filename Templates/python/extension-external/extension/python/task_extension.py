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
import sys
import threading
import time
import traceback
import urllib.request

import tasks
from log import bind_request_id, log

PORT = int(os.environ.get("TASKS_PORT", "4243"))
# Lambda kills an extension that is still busy past the timeout; leave it room to answer.
SAFETY_MS = 500


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
        request = urllib.request.Request(f"{self.base}/event/next",
                                         headers={"Lambda-Extension-Identifier": self.identifier})
        with urllib.request.urlopen(request) as response:  # blocks while frozen: no timeout
            return json.load(response)


def run_all(queued):
    for request_id, task in queued:
        bind_request_id(request_id)
        try:
            tasks.run(task)
        except Exception as error:  # a failed task must not end the extension
            log("ERROR", "task failed", request_id=request_id, error=repr(error),
                stackTrace=traceback.format_exc().splitlines())


def serve(api, inbox):
    """Handles events until SHUTDOWN; returns the shutdown reason."""
    while True:
        event = api.next()
        if event.get("eventType") == "SHUTDOWN":
            left = inbox.take()
            log("INFO", "shutting down", reason=event.get("shutdownReason"), queued=len(left))
            run_all(left)
            return event.get("shutdownReason")
        request_id = event.get("requestId")
        remaining_ms = event.get("deadlineMs", 0) - time.time() * 1000 - SAFETY_MS
        if not inbox.wait_closed(request_id, remaining_ms / 1000):
            log("WARN", "the function did not close its tasks before the deadline", request_id=request_id)
        run_all(inbox.take(request_id))


def main():
    inbox = Inbox()
    server = make_server(inbox, PORT)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = ExtensionsAPI(os.environ["AWS_LAMBDA_RUNTIME_API"])
    api.register(os.path.basename(sys.argv[0]))
    serve(api, inbox)
    server.shutdown()

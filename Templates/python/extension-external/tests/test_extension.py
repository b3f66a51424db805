"""The extension process's loop against a stand-in Extensions API, fed by the real function client."""
import http.server
import json
import os
import subprocess
import threading
import time
import unittest
from unittest import mock

from lambda_context import FakeContext, FunctionTest

import app
import extension_client
import task_extension
import tasks


class FakeExtensionsAPI:
    """Hands out queued events and records when each /event/next came."""

    def __init__(self, events):
        self.events = list(events)
        self.next_calls = []
        self.identifier = "ext-1"

    def next(self):
        self.next_calls.append(time.monotonic())
        return self.events.pop(0)


class ExtensionTest(FunctionTest):
    def setUp(self):
        super().setUp()
        self.inbox = task_extension.Inbox()
        self.server = task_extension.make_server(self.inbox, 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        port = self.server.server_address[1]
        self.patches = [mock.patch.object(extension_client, "PORT", port),
                        mock.patch.dict(os.environ, {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"})]
        for patch in self.patches:
            patch.start()

    def tearDown(self):
        for patch in self.patches:
            patch.stop()
        self.server.shutdown()

    def test_runs_the_tasks_of_an_invocation_before_asking_for_the_next_event(self):
        context = FakeContext()
        deadline = int(time.time() * 1000) + 10_000
        api = FakeExtensionsAPI([
            {"eventType": "INVOKE", "requestId": context.aws_request_id, "deadlineMs": deadline},
            {"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": deadline},
        ])
        finished = []
        with mock.patch.object(tasks, "run", side_effect=lambda task: (time.sleep(0.2), finished.append(time.monotonic()))):
            loop = threading.Thread(target=task_extension.serve, args=(api, self.inbox))
            loop.start()
            response = app.handler({"orderId": "o-1"}, context)  # hands the task over, then says done
            loop.join(5)
        self.assertEqual(response["statusCode"], 202)
        self.assertEqual(len(finished), 1)
        self.assertEqual(len(api.next_calls), 2)
        self.assertLess(finished[0], api.next_calls[1], "/event/next came before the task finished")

    def test_drains_what_is_queued_on_shutdown(self):
        ran = []
        self.inbox.put("r-late", {"taskId": "o-9", "orderId": "o-9"})
        api = FakeExtensionsAPI([{"eventType": "SHUTDOWN", "shutdownReason": "timeout", "deadlineMs": 0}])
        with mock.patch.object(tasks, "run", side_effect=ran.append):
            self.assertEqual(task_extension.serve(api, self.inbox), "timeout")
        self.assertEqual(ran, [{"taskId": "o-9", "orderId": "o-9"}])

    def test_a_failing_task_is_retried_then_queued_and_the_extension_goes_on(self):
        context = FakeContext()
        deadline = int(time.time() * 1000) + 10_000
        api = FakeExtensionsAPI([
            {"eventType": "INVOKE", "requestId": context.aws_request_id, "deadlineMs": deadline,
             "invokedFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f"},
            {"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": deadline},
        ])
        loop = threading.Thread(target=task_extension.serve, args=(api, self.inbox))
        with self.assertLogs("{{name}}", level="ERROR"):
            loop.start()
            app.handler({"orderId": "o-5", "fail": True}, context)
            loop.join(5)
        self.assertEqual(len(api.next_calls), 2, "the extension stopped after a failed task")
        self.assertEqual([r["requestPayload"]["orderId"] for r in self.queue.records], ["o-5"])
        self.assertEqual(self.queue.records[0]["requestContext"]["functionArn"],
                         "arn:aws:lambda:us-east-1:123456789012:function:f")


class EntryScriptTest(unittest.TestCase):
    @staticmethod
    def run_extension(next_status, next_body):
        """Runs the extension's own executable against a fake Extensions API that registers it and
        answers every /event/next with `next_status` and `next_body`; returns the process's result
        and every request the API saw (method, path, extension name or identifier)."""
        seen = []

        class API(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                seen.append(("POST", self.path, self.headers.get("Lambda-Extension-Name")))
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Lambda-Extension-Identifier", "ext-1")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def do_GET(self):
                seen.append(("GET", self.path, self.headers["Lambda-Extension-Identifier"]))
                self.send_response(next_status)
                self.send_header("Content-Length", str(len(next_body)))
                self.end_headers()
                self.wfile.write(next_body)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), API)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "extension")
        try:
            result = subprocess.run(
                [os.path.join(root, "extensions", "{{extensionName}}")],
                env={**os.environ, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}", "TASKS_PORT": "0"},
                capture_output=True, timeout=20,
            )
        finally:
            server.shutdown()
        return result, seen

    def test_registers_under_its_file_name_and_exits_on_shutdown(self):
        shutdown = json.dumps({"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": 0}).encode()
        result, seen = self.run_extension(200, shutdown)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(seen, [("POST", "/2020-01-01/extension/register", "{{extensionName}}"),
                                ("GET", "/2020-01-01/extension/event/next", "ext-1")])

    def test_a_refused_event_next_ends_the_extension_instead_of_being_asked_again(self):
        result, seen = self.run_extension(403, b'{"errorType":"Extension.InvalidExtensionIdentifier","errorMessage":"unknown"}')
        self.assertEqual(result.returncode, 1, result.stderr.decode())
        self.assertIn(b"refused this extension", result.stdout)
        self.assertNotIn(b"Traceback", result.stderr)
        self.assertEqual([(method, path) for method, path, _ in seen],
                         [("POST", "/2020-01-01/extension/register"),
                          ("GET", "/2020-01-01/extension/event/next"),
                          ("POST", "/2020-01-01/extension/exit/error")])

if __name__ == "__main__":
    unittest.main()

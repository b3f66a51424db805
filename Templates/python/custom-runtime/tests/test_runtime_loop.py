"""The loop against a stand-in Runtime API: the response is posted before the task runs, and the
next /next comes only after the task."""
import http.server
import json
import threading
import time
import unittest

from lambda_context import FunctionTest

import app
import runtime_loop
import tasks


class FakeRuntimeAPI(http.server.BaseHTTPRequestHandler):
    events = []
    log = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.__class__.log.append(("next", time.monotonic()))
        request_id, event = self.__class__.events.pop(0)
        body = json.dumps(event).encode()
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30_000))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.__class__.log.append((self.path, time.monotonic(), json.loads(body),
                                   self.headers.get("Lambda-Runtime-Function-Error-Type")))
        self.send_response(202)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


class RuntimeLoopTest(FunctionTest):
    def setUp(self):
        super().setUp()
        FakeRuntimeAPI.log = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeRuntimeAPI)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.api = runtime_loop.RuntimeAPI(f"127.0.0.1:{self.server.server_address[1]}")

    def tearDown(self):
        self.server.shutdown()

    def test_posts_the_response_then_runs_the_task_then_asks_for_the_next_event(self):
        FakeRuntimeAPI.events = [("r-1", {"orderId": "o-1"})]
        done = []
        original = tasks.run
        tasks.run = lambda task: (time.sleep(0.2), done.append(time.monotonic()))
        try:
            runtime_loop.serve(self.api, app.handler, invocations=1)
        finally:
            tasks.run = original
        path, posted_at, body, _ = FakeRuntimeAPI.log[1]
        self.assertEqual(path, "/2018-06-01/runtime/invocation/r-1/response")
        self.assertEqual(body["statusCode"], 202)
        self.assertEqual(len(done), 1)
        self.assertGreater(done[0], posted_at, "the task ran before the response was posted")

    def test_a_failing_handler_is_reported_as_an_invocation_error(self):
        FakeRuntimeAPI.events = [("r-2", {"orderId": "o-2"})]

        def broken(event, context):
            raise KeyError("price")

        runtime_loop.serve(self.api, broken, invocations=1)
        path, _, body, error_type = FakeRuntimeAPI.log[1]
        self.assertEqual(path, "/2018-06-01/runtime/invocation/r-2/error")
        self.assertEqual(error_type, "Unhandled")
        self.assertEqual(body["errorType"], "KeyError")
        self.assertTrue(body["stackTrace"])

    def test_a_failing_task_is_retried_queued_once_and_the_loop_goes_on(self):
        FakeRuntimeAPI.events = [("r-3", {"orderId": "o-3", "fail": True}), ("r-4", {"orderId": "o-4"})]
        with self.assertLogs("{{name}}", level="ERROR"):
            runtime_loop.serve(self.api, app.handler, invocations=2)
        paths = [entry[0] for entry in FakeRuntimeAPI.log]
        self.assertIn("/2018-06-01/runtime/invocation/r-4/response", paths)
        self.assertEqual(len(self.queue.records), 1)
        record = self.queue.records[0]
        self.assertEqual((record["requestPayload"]["orderId"], record["requestContext"]["requestId"],
                          record["requestContext"]["approximateInvokeCount"]), ("o-3", "r-3", 3))

    def test_a_result_that_cannot_be_sent_is_an_error_and_the_loop_goes_on(self):
        import datetime
        import decimal
        FakeRuntimeAPI.events = [("r-5", {}), ("r-6", {}), ("r-7", {}), ("r-8", {})]
        results = iter([{"price": decimal.Decimal("9.50"), "count": decimal.Decimal("3")},
                        {"at": datetime.datetime(2026, 1, 1)},
                        {"blob": "x" * (runtime_loop.MAX_RESPONSE_BYTES + 1)},
                        {"ok": True}])
        runtime_loop.serve(self.api, lambda event, context: next(results), invocations=4)
        posts = {entry[0].split("/")[-2]: entry for entry in FakeRuntimeAPI.log if entry[0] != "next"}
        # A Decimal is a number, as Lambda's own Python runtime writes it.
        self.assertEqual(posts["r-5"][2], {"price": 9.5, "count": 3})
        # What json cannot write, or what is over 6 MB, is the error Lambda gives, not a dead loop.
        self.assertEqual(posts["r-6"][3], "Runtime.MarshalError")
        self.assertIn("Unable to marshal response", posts["r-6"][2]["errorMessage"])
        self.assertEqual(posts["r-7"][3], "Function.ResponseSizeTooLarge")
        self.assertEqual(posts["r-8"][2], {"ok": True})

    def test_a_missing_handler_is_an_init_error(self):
        with self.assertRaises(AttributeError):
            runtime_loop.load_handler("app.nothing")


if __name__ == "__main__":
    unittest.main()

"""The extension against a stand-in Extensions API: /event/next must come only after the tasks."""
import http.server
import json
import threading
import time
import unittest

from lambda_context import FunctionTest

import background


class FakeExtensionsAPI(http.server.BaseHTTPRequestHandler):
    calls = []
    release = threading.Event()

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.__class__.calls.append(("register", self.headers["Lambda-Extension-Name"], time.monotonic()))
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Lambda-Extension-Identifier", "ext-1")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self):
        calls = self.__class__.calls
        calls.append(("next", self.headers["Lambda-Extension-Identifier"], time.monotonic()))
        if sum(1 for c in calls if c[0] == "next") > 1:
            self.__class__.release.wait(5)  # the environment would freeze here
        body = json.dumps({"eventType": "INVOKE", "requestId": "r-1", "deadlineMs": int(time.time() * 1000) + 30_000}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class InternalExtensionTest(FunctionTest):
    def test_calls_event_next_only_after_the_queued_tasks_finish(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeExtensionsAPI)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            extension = background.InternalExtension(f"127.0.0.1:{server.server_address[1]}")
            extension.start()
            finished = []
            extension.tasks.put((lambda task: (time.sleep(0.3), finished.append(time.monotonic())), {"taskId": "t-1"}))
            extension.handler_done.set()  # the handler returned
            deadline = time.monotonic() + 5
            while len([c for c in FakeExtensionsAPI.calls if c[0] == "next"]) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            calls = FakeExtensionsAPI.calls
            self.assertEqual(calls[0][:2], ("register", background.EXTENSION_NAME))
            nexts = [c for c in calls if c[0] == "next"]
            self.assertEqual(len(nexts), 2)
            self.assertEqual(nexts[0][1], "ext-1")
            self.assertEqual(len(finished), 1)
            self.assertLess(finished[0], nexts[1][2], "the extension asked for its next event before the task ended")
        finally:
            FakeExtensionsAPI.release.set()
            server.shutdown()


if __name__ == "__main__":
    unittest.main()

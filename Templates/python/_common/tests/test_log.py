import importlib
import io
import json
import sys
import unittest
from unittest import mock

import lambda_context  # noqa: F401  (puts the code on sys.path)
import log
{{#powertools}}
import types
{{/powertools}}


class LogTest(unittest.TestCase):
    def test_one_json_line_with_the_request_id(self):
{{#powertools}}
        """Where the layer is absent, the module writes the line itself (Powertools hidden: this
        machine may have it installed, and the result must not depend on that)."""
        out = io.StringIO()
        try:
            with mock.patch.dict(sys.modules, {"aws_lambda_powertools": None}):
                importlib.reload(log)
                with mock.patch.object(sys, "stdout", out):
                    log.bind_request_id("r-1")
                    log.log("INFO", "task done", orderId="o-1")
        finally:
            importlib.reload(log)
{{/powertools}}
{{^powertools}}
        out = io.StringIO()
        with mock.patch.object(sys, "stdout", out):
            log.bind_request_id("r-1")
            log.log("INFO", "task done", orderId="o-1")
{{/powertools}}
        line = json.loads(out.getvalue())
        self.assertEqual(
            (line["level"], line["message"], line["requestId"], line["orderId"]), ("INFO", "task done", "r-1", "o-1")
        )
{{#powertools}}

    def test_in_lambda_the_lines_go_through_powertools(self):
        """With the public layer on sys.path, as in Lambda, Powertools' Logger writes the lines."""
        calls = []

        class FakeLogger:
            def __getattr__(self, method):
                return lambda message, extra: calls.append((method, message, extra))

        fake = types.ModuleType("aws_lambda_powertools")
        fake.Logger = FakeLogger
        try:
            with mock.patch.dict(sys.modules, {"aws_lambda_powertools": fake}):
                importlib.reload(log)
                log.bind_request_id("r-2")
                log.log("WARN", "slow", orderId="o-2")
                log.log("ERROR", "task failed", request_id="r-3")
        finally:
            importlib.reload(log)  # back to the module's own writer for the other tests
        self.assertEqual(
            calls,
            [
                ("warning", "slow", {"requestId": "r-2", "orderId": "o-2"}),
                ("error", "task failed", {"requestId": "r-3"}),
            ],
        )
{{/powertools}}

import json
import unittest
from unittest import mock

from lambda_context import FakeContext, FunctionTest

import app
import tasks


class HandlerTest(FunctionTest):
    def test_answers_and_runs_the_task_after_the_response_is_built(self):
        order = []
        with mock.patch.object(app, "build_response", side_effect=lambda e: order.append("response") or {"ok": 1}), \
             mock.patch.object(tasks, "run", side_effect=lambda t: order.append(("task", t["orderId"]))):
            response = app.handler({"orderId": "o-1"}, FakeContext())
        self.assertEqual(response["statusCode"], 202)
        self.assertEqual(json.loads(response["body"]), {"ok": 1})
        self.assertEqual(order, ["response", ("task", "o-1")])

    def test_a_failing_task_is_retried_then_queued_and_does_not_fail_the_invocation(self):
        context = FakeContext()
        with self.assertLogs("{{name}}", level="ERROR"):
            response = app.handler({"orderId": "o-2", "fail": True}, context)
        self.assertEqual(response["statusCode"], 202)
        self.assertEqual(len(self.queue.records), 1)
        record = self.queue.records[0]
        self.assertEqual((record["requestPayload"]["orderId"], record["requestContext"]["requestId"],
                          record["requestContext"]["approximateInvokeCount"]), ("o-2", context.aws_request_id, 3))


if __name__ == "__main__":
    unittest.main()

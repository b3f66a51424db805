import json
import unittest
from unittest import mock

from lambda_context import FakeContext, FunctionTest

import app
import tasks


class HandlerTest(FunctionTest):
    def test_answers_then_runs_the_task_outside_lambda(self):
        ran = []
        with mock.patch.object(tasks, "run", side_effect=ran.append):
            response = app.handler({"orderId": "o-1"}, FakeContext())
        self.assertEqual(json.loads(response["body"])["status"], "accepted")
        self.assertEqual(ran, [{"taskId": "o-1", "orderId": "o-1", "fail": False}])

    def test_a_task_that_keeps_failing_lands_in_the_failed_tasks_queue_once(self):
        context = FakeContext()
        with self.assertLogs("{{name}}", level="ERROR"):
            response = app.handler({"orderId": "o-2", "fail": True}, context)
        self.assertEqual(response["statusCode"], 202)
        self.assertEqual(len(self.queue.records), 1)
        record = self.queue.records[0]
        self.assertEqual(record["requestPayload"]["orderId"], "o-2")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 3)
        self.assertEqual(record["requestContext"]["requestId"], context.aws_request_id)


if __name__ == "__main__":
    unittest.main()

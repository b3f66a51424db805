import json
import os
import unittest
from unittest import mock

from lambda_context import FakeContext

import app


class FakeLambda:
    def __init__(self):
        self.calls = []

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        return {"StatusCode": 202}


@mock.patch.dict(os.environ, {"WORKER_FUNCTION_NAME": "worker-fn"})
class ApiFunctionTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeLambda()
        app._lambda_client = self.fake

    def tearDown(self):
        app._lambda_client = None

    def test_answers_and_invokes_the_worker_asynchronously(self):
        context = FakeContext()
        response = app.handler({"orderId": "o-1"}, context)
        self.assertEqual(response["statusCode"], 202)
        self.assertEqual(json.loads(response["body"]), {"orderId": "o-1", "status": "accepted"})
        self.assertEqual(len(self.fake.calls), 1)
        call = self.fake.calls[0]
        self.assertEqual(call["FunctionName"], "worker-fn")
        self.assertEqual(call["InvocationType"], "Event")
        task = json.loads(call["Payload"])
        self.assertEqual(task["orderId"], "o-1")
        self.assertEqual(task["taskId"], "o-1")

    def test_an_order_without_an_id_gets_the_request_id_as_its_task_id(self):
        context = FakeContext()
        app.handler({}, context)
        self.assertEqual(json.loads(self.fake.calls[0]["Payload"])["taskId"], context.aws_request_id)

    def test_refuses_a_task_over_the_async_payload_limit(self):
        with mock.patch.object(app, "MAX_EVENT_BYTES", 100):
            with self.assertRaises(ValueError):
                app.handler({"orderId": "x" * 200}, FakeContext())
        self.assertEqual(self.fake.calls, [])


if __name__ == "__main__":
    unittest.main()

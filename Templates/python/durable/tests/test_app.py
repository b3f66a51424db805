import json
import os
import unittest
from unittest import mock

from lambda_context import FakeContext

import app


class AlreadyStarted(Exception):
    pass


class FakeLambda:
    """Lambda's Invoke as a durable function's start answers it: one execution per name and input."""

    class exceptions:
        DurableExecutionAlreadyStartedException = AlreadyStarted

    def __init__(self):
        self.calls = []
        self.started = {}

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        name = kwargs["DurableExecutionName"]
        if self.started.setdefault(name, kwargs["Payload"]) != kwargs["Payload"]:
            raise AlreadyStarted(name)
        return {"StatusCode": 202, "DurableExecutionArn": f"arn:aws:lambda:us-east-1:123456789012:function:worker:live/durable-execution/{name}/1"}


@mock.patch.dict(os.environ, {"WORKER_FUNCTION_NAME": "worker-fn", "WORKER_ALIAS": "live"})
class ApiFunctionTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeLambda()
        app._lambda_client = self.fake

    def tearDown(self):
        app._lambda_client = None

    def test_answers_and_starts_the_tasks_execution_through_the_alias(self):
        response = app.handler({"orderId": "o-1"}, FakeContext())
        self.assertEqual(response["statusCode"], 202)
        self.assertEqual(json.loads(response["body"]), {"orderId": "o-1", "status": "accepted"})
        call = self.fake.calls[0]
        self.assertEqual((call["FunctionName"], call["Qualifier"], call["InvocationType"]), ("worker-fn", "live", "Event"))
        self.assertEqual(call["DurableExecutionName"], "o-1")
        self.assertEqual(json.loads(call["Payload"])["taskId"], "o-1")

    def test_the_same_order_twice_is_one_execution(self):
        self.assertEqual(app.handler({"orderId": "o-1"}, FakeContext())["statusCode"], 202)
        self.assertEqual(app.handler({"orderId": "o-1"}, FakeContext())["statusCode"], 202)
        self.assertEqual(len(self.fake.started), 1)

    def test_another_order_with_a_used_id_is_refused(self):
        app.handler({"orderId": "o-1"}, FakeContext())
        with self.assertLogs("{{name}}", level="WARNING"):
            response = app.handler({"orderId": "o-1", "needsApproval": True}, FakeContext())
        self.assertEqual(response["statusCode"], 409)

    def test_an_id_lambda_would_refuse_as_a_name_becomes_a_stable_digest(self):
        name = app.execution_name("order/2026 #7")
        self.assertRegex(name, r"^[a-zA-Z0-9_-]{1,64}$")
        self.assertEqual(name, app.execution_name("order/2026 #7"))
        self.assertNotEqual(name, app.execution_name("order/2026 #8"))

    def test_refuses_a_task_over_the_async_payload_limit(self):
        with mock.patch.object(app, "MAX_EVENT_BYTES", 100):
            with self.assertRaises(ValueError):
                app.handler({"orderId": "x" * 200}, FakeContext())
        self.assertEqual(self.fake.calls, [])


if __name__ == "__main__":
    unittest.main()

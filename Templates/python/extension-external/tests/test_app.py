import json
import unittest
from unittest import mock

from lambda_context import FakeContext

import app
import tasks


class HandlerTest(unittest.TestCase):
    def test_answers_then_runs_the_task_outside_lambda(self):
        ran = []
        with mock.patch.object(tasks, "run", side_effect=ran.append):
            response = app.handler({"orderId": "o-1"}, FakeContext())
        self.assertEqual(json.loads(response["body"])["status"], "accepted")
        self.assertEqual(ran, [{"orderId": "o-1", "fail": False}])


if __name__ == "__main__":
    unittest.main()

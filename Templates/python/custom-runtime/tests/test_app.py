import json
import unittest

from lambda_context import FakeContext

import app


class ContextWithTasks(FakeContext):
    def __init__(self):
        super().__init__()
        self.after_response = []

    def run_after_response(self, function, task):
        self.after_response.append((function, task))


class HandlerTest(unittest.TestCase):
    def test_returns_the_response_and_queues_the_task(self):
        context = ContextWithTasks()
        response = app.handler({"orderId": "o-1"}, context)
        self.assertEqual(json.loads(response["body"])["status"], "accepted")
        self.assertEqual(len(context.after_response), 1)
        function, task = context.after_response[0]
        self.assertEqual(task["taskId"], "o-1")
        self.assertEqual(function(task), {"orderId": "o-1", "recorded": True})


if __name__ == "__main__":
    unittest.main()

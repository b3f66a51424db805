import unittest

from lambda_context import FakeContext

import tasks
import worker


class WorkerFunctionTest(unittest.TestCase):
    def test_runs_the_task(self):
        self.assertEqual(worker.handler({"orderId": "o-1"}, FakeContext()), {"orderId": "o-1", "recorded": True})

    def test_a_failed_task_raises_so_lambda_retries_it(self):
        with self.assertRaises(tasks.TaskError):
            worker.handler({"orderId": "o-2", "fail": True}, FakeContext())


if __name__ == "__main__":
    unittest.main()

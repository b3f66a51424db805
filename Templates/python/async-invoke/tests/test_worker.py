import unittest

from lambda_context import FakeContext, FunctionTest

import tasks
import worker


class WorkerFunctionTest(FunctionTest):
    def test_runs_the_task(self):
        self.assertEqual(worker.handler({"taskId": "o-1", "orderId": "o-1"}, FakeContext()),
                         {"orderId": "o-1", "recorded": True})

    def test_a_failed_task_raises_so_lambda_retries_it(self):
        with self.assertRaises(tasks.TaskError), self.assertLogs("{{name}}", level="ERROR"):
            worker.handler({"taskId": "o-2", "orderId": "o-2", "fail": True}, FakeContext())

    def test_a_retried_event_that_already_succeeded_does_not_run_again(self):
        runs = []
        original = tasks.run
        tasks.run = lambda task: runs.append(task) or {"recorded": True}
        try:
            event = {"taskId": "o-3", "orderId": "o-3"}
            worker.handler(event, FakeContext())
            self.assertEqual(worker.handler(event, FakeContext()), {"recorded": True})
        finally:
            tasks.run = original
        self.assertEqual(len(runs), 1)


if __name__ == "__main__":
    unittest.main()

"""Post-response tasks are retried, and one that keeps failing reaches the failed-tasks queue once."""
import os
import unittest
from unittest import mock

from lambda_context import FakeContext, FunctionTest

import retries
import tasks


class Flaky:
    """Fails its first `failures` runs, then succeeds."""

    def __init__(self, failures):
        self.failures = failures
        self.runs = 0

    def __call__(self, task):
        self.runs += 1
        if self.runs <= self.failures:
            raise tasks.TaskError(f"run {self.runs} failed")
        return {"recorded": True}


class RetriesTest(FunctionTest):
    def test_a_task_that_fails_twice_then_succeeds_is_not_queued(self):
        flaky = Flaky(2)
        ok = retries.run_task(flaky, {"taskId": "t-1"}, FakeContext().get_remaining_time_in_millis, "r-1")
        self.assertTrue(ok)
        self.assertEqual(flaky.runs, 3)
        self.assertEqual(self.queue.records, [])

    def test_a_task_that_always_fails_lands_in_the_queue_once_with_its_attempts(self):
        context = FakeContext()
        task = {"taskId": "t-2", "orderId": "o-2", "fail": True}
        with self.assertLogs("{{name}}", level="WARNING"):
            ok = retries.run_task(tasks.run, task, context.get_remaining_time_in_millis, context.aws_request_id,
                                  context.invoked_function_arn)
        self.assertFalse(ok)
        self.assertEqual(len(self.queue.records), 1)
        record = self.queue.records[0]
        self.assertEqual(record["requestPayload"], task)
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], retries.MAX_ATTEMPTS)
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["requestId"], context.aws_request_id)
        self.assertEqual(record["responsePayload"]["errorType"], "TaskError")
        self.assertIn("could not be recorded", record["responsePayload"]["errorMessage"])

    def test_no_retry_starts_without_time_left_for_the_record(self):
        flaky = Flaky(5)
        with self.assertLogs("{{name}}", level="ERROR"):
            retries.run_task(flaky, {"taskId": "t-3"}, lambda: retries.RESERVE_MS - 1)
        self.assertEqual(flaky.runs, 1)
        self.assertEqual(self.queue.records[0]["requestContext"]["condition"], "RemainingTimeExhausted")

    def test_without_a_queue_the_record_is_logged_whole(self):
        with mock.patch.dict(os.environ, {"FAILED_TASKS_QUEUE_URL": ""}), \
             self.assertLogs("{{name}}", level="ERROR") as logs:
            retries.run_task(Flaky(9), {"taskId": "t-4"}, FakeContext().get_remaining_time_in_millis)
        self.assertEqual(logs.records[-1].failedTask["requestPayload"], {"taskId": "t-4"})

    def test_a_queue_that_cannot_be_reached_leaves_the_record_in_the_log(self):
        self.queue.send_message = mock.Mock(side_effect=ConnectionError("no route to SQS"))
        with self.assertLogs("{{name}}", level="ERROR") as logs:
            retries.run_task(Flaky(9), {"taskId": "t-5"}, FakeContext().get_remaining_time_in_millis)
        self.assertEqual(logs.records[-1].failedTask["requestPayload"], {"taskId": "t-5"})
        self.assertIn("no route to SQS", logs.records[-1].error)


if __name__ == "__main__":
    unittest.main()

"""The worker under the Durable Execution SDK's own local runner: each wait, retry and callback makes
it replay, as on Lambda, with the waits skipped (skip_time)."""
import json
import unittest
from unittest import mock

from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import ErrorObject, OperationStatus
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner
from lambda_context import FunctionTest

import tasks
import worker


class WorkerFunctionTest(FunctionTest):
    def setUp(self):
        super().setUp()
        self.runner = DurableFunctionTestRunner(handler=worker.handler, skip_time=True)
        self.addCleanup(self.runner.close)

    def run_task(self, **task):
        task = {"taskId": "o-1", "orderId": "o-1", **task}
        return self.runner.run(input=json.dumps(task), execution_timeout=60, function_name="worker")

    def test_records_the_order_waits_and_sends_the_follow_up(self):
        result = self.run_task()
        self.assertEqual(result.status, InvocationStatus.SUCCEEDED, result.error)
        self.assertEqual(json.loads(result.result), {"orderId": "o-1", "recorded": True, "approval": None})
        self.assertEqual(result.get_step("record").status, OperationStatus.SUCCEEDED)
        self.assertEqual(result.get_wait("follow-up-delay").status, OperationStatus.SUCCEEDED)
        self.assertEqual(result.get_step("follow-up").status, OperationStatus.SUCCEEDED)

    def test_a_step_that_fails_twice_is_retried_and_succeeds(self):
        result = self.run_task(failAttempts=2)
        self.assertEqual(result.status, InvocationStatus.SUCCEEDED, result.error)
        self.assertEqual(result.get_step("record").attempt, 3)
        self.assertEqual(self.queue.records, [])

    def test_completed_steps_are_not_run_again_by_the_replays(self):
        runs = []
        original = tasks.run
        with mock.patch.object(tasks, "run", lambda task, attempt=1: runs.append(attempt) or original(task, attempt)):
            result = self.run_task()
        self.assertEqual(result.status, InvocationStatus.SUCCEEDED, result.error)
        # The wait made the handler replay; the record step answered from its checkpoint.
        self.assertEqual(runs, [1])

    def test_an_order_that_needs_approval_waits_for_its_callback(self):
        task = {"taskId": "o-2", "orderId": "o-2", "needsApproval": True}
        arn = self.runner.run_async(input=json.dumps(task), execution_timeout=60, function_name="worker")
        callback_id = self.runner.wait_for_callback(arn, timeout=30)
        self.runner.send_callback_success(callback_id, json.dumps({"approvedBy": "ana"}).encode())
        result = self.runner.wait_for_result(arn, timeout=60)
        self.assertEqual(result.status, InvocationStatus.SUCCEEDED, result.error)
        self.assertEqual(json.loads(result.result)["approval"], {"approvedBy": "ana"})

    def test_a_refused_approval_fails_the_task_and_queues_its_record(self):
        task = {"taskId": "o-3", "orderId": "o-3", "needsApproval": True}
        arn = self.runner.run_async(input=json.dumps(task), execution_timeout=60, function_name="worker")
        callback_id = self.runner.wait_for_callback(arn, timeout=30)
        with self.assertLogs("{{name}}", level="ERROR"):
            self.runner.send_callback_failure(callback_id, ErrorObject(message="not approved", type="Refused", data=None, stack_trace=None))
            result = self.runner.wait_for_result(arn, timeout=60)
        self.assertEqual(result.status, InvocationStatus.FAILED)
        self.assertEqual(len(self.queue.records), 1)
        self.assertEqual(self.queue.records[0]["requestPayload"]["taskId"], "o-3")

    def test_a_task_that_fails_every_attempt_ends_failed_with_its_record_queued(self):
        with self.assertLogs("{{name}}", level="ERROR"):
            result = self.run_task(fail=True)
        self.assertEqual(result.status, InvocationStatus.FAILED)
        self.assertEqual(result.get_step("record").attempt, worker.MAX_ATTEMPTS)
        self.assertEqual(len(self.queue.records), 1)
        record = self.queue.records[0]
        self.assertEqual(record["requestPayload"]["taskId"], "o-1")
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertIn("could not be recorded", record["responsePayload"]["errorMessage"])


if __name__ == "__main__":
    unittest.main()

"""A task that succeeded is not run again for the same task id (without IDEMPOTENCY_TABLE: within
one execution environment)."""
import os
import unittest
from unittest import mock

from lambda_context import FunctionTest

import idempotency


class IdempotencyTest(FunctionTest):
    def setUp(self):
        super().setUp()
        patch = mock.patch.dict(os.environ, {"IDEMPOTENCY_TABLE": ""})
        patch.start()
        self.addCleanup(patch.stop)

    def test_the_same_task_id_runs_once_and_returns_the_first_result(self):
        runs = []
        work = lambda task: runs.append(task) or {"run": len(runs)}  # noqa: E731
        first = idempotency.once({"taskId": "o-1"}, work)
        again = idempotency.once({"taskId": "o-1"}, work)
        self.assertEqual((first, again, len(runs)), ({"run": 1}, {"run": 1}, 1))
        idempotency.once({"taskId": "o-2"}, work)
        self.assertEqual(len(runs), 2)

    def test_a_failed_run_is_not_remembered(self):
        calls = []

        def work(task):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("database busy")
            return "ok"

        with self.assertRaises(RuntimeError):
            idempotency.once({"taskId": "o-3"}, work)
        self.assertEqual(idempotency.once({"taskId": "o-3"}, work), "ok")
        self.assertEqual(len(calls), 2)


if __name__ == "__main__":
    unittest.main()

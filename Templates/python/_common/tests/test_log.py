"""The project logs through the standard library{{#powertools}} (or Powertools' Logger, built on it){{/powertools}};
Lambda's JSON log format turns each record, with its `extra` fields, into one JSON object."""
import unittest

from lambda_context import FunctionTest

import tasks


class LogTest(FunctionTest):
    def test_a_task_logs_its_fields_as_record_attributes(self):
        with self.assertLogs("{{name}}", level="INFO") as logs:
            tasks.run({"taskId": "o-1", "orderId": "o-1"})
        done = logs.records[-1]
        self.assertEqual((done.levelname, done.getMessage(), done.orderId, done.taskId),
                         ("INFO", "task done", "o-1", "o-1"))


if __name__ == "__main__":
    unittest.main()

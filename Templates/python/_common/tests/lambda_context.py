"""What the tests share: the code on sys.path, and a stand-in for Lambda's context."""
import json
import os
import sys
import time
import unittest
import uuid
from unittest import mock

_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# The function's code, and a layer's python/ folder, as Lambda puts them on sys.path.
for folder in ("src", os.path.join("extension", "python")):
    if os.path.isdir(os.path.join(_ROOT, folder)):
        sys.path.insert(0, os.path.join(_ROOT, folder))


class FakeContext:
    def __init__(self, timeout_ms=30_000):
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = "test-function"
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
        self.memory_limit_in_mb = 256
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FakeQueue:
    """A stand-in for the failed-tasks queue: the SQS client `retries` sends records with."""

    URL = "https://sqs.us-east-1.amazonaws.com/123456789012/failed-tasks"

    def __init__(self):
        self.records = []

    def send_message(self, QueueUrl, MessageBody):
        assert QueueUrl == self.URL, QueueUrl
        self.records.append(json.loads(MessageBody))
        return {"MessageId": str(uuid.uuid4())}


class FunctionTest(unittest.TestCase):
    """Each test starts as a new execution environment: nothing remembered of earlier tasks, a
    stand-in failed-tasks queue (`self.queue`), and retries without their real waits."""

    def setUp(self):
        import idempotency

        self.queue = FakeQueue()
        idempotency._done.clear()
        patches = [mock.patch.dict(os.environ, {"FAILED_TASKS_QUEUE_URL": FakeQueue.URL})]
        try:
            import retries  # an async-invoke project leaves retries to Lambda and has none
        except ImportError:
            retries = None
        if retries is not None:
            patches += [mock.patch.object(retries, "_sqs", self.queue), mock.patch.object(retries, "BASE_DELAY_MS", 1)]
        for patch in patches:
            patch.start()
            self.addCleanup(patch.stop)

"""What the tests share: the code on sys.path, and a stand-in for Lambda's context."""
import os
import sys
import time
import uuid

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

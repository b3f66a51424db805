"""Structured logs: one JSON object per line, with the request id, as CloudWatch Logs Insights reads them."""
import json
import sys
import threading
import time

_local = threading.local()


def bind(context):
    """Tags this thread's log lines with the invocation's request id."""
    bind_request_id(getattr(context, "aws_request_id", None))


def bind_request_id(request_id):
    """The same for a thread or process that has an event, not a context (an extension)."""
    _local.request_id = request_id


def log(level, message, **fields):
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z",
        "level": level,
        "message": message,
        "requestId": fields.pop("request_id", getattr(_local, "request_id", None)),
    }
    record.update(fields)
    # One write per line keeps lines whole when threads log at once.
    sys.stdout.write(json.dumps(record, default=str) + "\n")
    sys.stdout.flush()

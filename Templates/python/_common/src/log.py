"""Structured logs: one JSON object per line, with the request id, as CloudWatch Logs Insights reads them.{{#powertools}}

In Lambda the lines go through Powertools for AWS Lambda's Logger (its public layer is in
template.yaml); where the layer is absent (unit tests, the local runner) this module writes them itself.{{/powertools}}"""
import json
import sys
import threading
import time

_local = threading.local()
{{#powertools}}

try:
    from aws_lambda_powertools import Logger

    # The service name comes from POWERTOOLS_SERVICE_NAME (template.yaml).
    _powertools = Logger()
except ImportError:
    _powertools = None
{{/powertools}}


def bind(context):
    """Tags this thread's log lines with the invocation's request id."""
    bind_request_id(getattr(context, "aws_request_id", None))


def bind_request_id(request_id):
    """The same for a thread or process that has an event, not a context (an extension)."""
    _local.request_id = request_id


def log(level, message, **fields):
    request_id = fields.pop("request_id", getattr(_local, "request_id", None))
{{#powertools}}
    if _powertools is not None:
        # WARN is Powertools' (and logging's) warning.
        emit = getattr(_powertools, {"WARN": "warning"}.get(level, level.lower()))
        emit(message, extra={"requestId": request_id, **fields})
        return
{{/powertools}}
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z",
        "level": level,
        "message": message,
        "requestId": request_id,
    }
    record.update(fields)
    # One write per line keeps lines whole when threads log at once.
    sys.stdout.write(json.dumps(record, default=str) + "\n")
    sys.stdout.flush()

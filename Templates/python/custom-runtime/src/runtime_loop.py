"""This function's own Runtime API loop: /next, handler, /response, the queued tasks, then /next.

Lambda freezes the environment only when the runtime asks for its next invocation. This loop posts
the response first, so the caller has it, and asks for the next invocation only after the tasks the
handler queued with `context.run_after_response` have run. Standard library only.
"""
import decimal
import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

import retries
from log import logger

_current = threading.local()


class _RequestId(logging.Filter):
    """Tags each record with the invocation's request id, as Lambda's runtime client does."""

    def filter(self, record):
        record.aws_request_id = getattr(_current, "request_id", None)
        return True


class _JSONLines(logging.Formatter):
    """Lambda's JSON log format (LoggingConfig in template.yaml): this loop replaces the managed
    runtime's client, so it writes the lines that client would: one JSON object per record, with
    the time, the level, the request id and the fields passed in `extra`."""

    _STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"aws_request_id", "message", "asctime"}

    def format(self, record):
        line = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": record.aws_request_id,
        }
        if record.exc_info:
            line["errorType"] = record.exc_info[0].__name__
            line["errorMessage"] = str(record.exc_info[1])
            line["stackTrace"] = traceback.format_exception(*record.exc_info)
        line.update((key, value) for key, value in vars(record).items() if key not in self._STANDARD and key not in line)
        return json.dumps({key: value for key, value in line.items() if value is not None}, default=str)


def configure_logging():
    """AWS_LAMBDA_LOG_FORMAT=JSON (LoggingConfig LogFormat JSON): JSON lines at AWS_LAMBDA_LOG_LEVEL;
    otherwise Lambda's text lines, `[LEVEL] time request-id message`, from WARNING up."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_RequestId())
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        handler.setFormatter(_JSONLines())
        level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
        logging.getLogger().setLevel({"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level))
    else:
        text = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                                 "%Y-%m-%dT%H:%M:%S")
        text.converter = time.gmtime
        handler.setFormatter(text)
    logging.getLogger().addHandler(handler)


# Lambda's limit on a buffered response; past it Lambda answers Function.ResponseSizeTooLarge.
MAX_RESPONSE_BYTES = 6_291_556


class MarshalError(Exception):
    """A result json cannot write (a datetime, a set, an object): Lambda's Runtime.MarshalError."""


def serialize(result):
    """The result as Lambda's Python runtime writes it: a Decimal is a number (DynamoDB gives
    Decimals); anything else json cannot write is a MarshalError, answered as an error response
    while the loop goes on."""
    def number(value):
        if isinstance(value, decimal.Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    try:
        return json.dumps(result, default=number).encode()
    except (TypeError, ValueError) as error:
        raise MarshalError(f"Unable to marshal response: {error}") from None


class Context:
    """The context object the handler receives, as the managed runtime builds it, plus
    `run_after_response`."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.after_response = []

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def run_after_response(self, function, task):
        """Queues `function(task)` to run after the response is posted, with retries; a task that
        keeps failing goes to the failed-tasks queue."""
        self.after_response.append((function, task))


class RuntimeAPI:
    def __init__(self, address):
        self.base = f"http://{address}/2018-06-01/runtime"

    def _post(self, path, body, headers=None):
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request) as response:
            response.read()

    def next(self):
        # Blocks until an invocation arrives: no timeout, the environment is frozen meanwhile.
        with urllib.request.urlopen(self.base + "/invocation/next") as response:
            return json.loads(response.read() or b"null"), dict(response.headers)

    def respond(self, request_id, body):
        self._post(f"/invocation/{request_id}/response", body)

    def fail(self, request_id, error, error_type="Unhandled"):
        self._post(f"/invocation/{request_id}/error", error_body(error, error_type),
                   {"Lambda-Runtime-Function-Error-Type": error_type})

    def init_error(self, error, error_type):
        self._post("/init/error", error_body(error, error_type), {"Lambda-Runtime-Function-Error-Type": error_type})


class ResponseTooLarge(Exception):
    def __init__(self, size):
        super().__init__(f"Response payload size ({size} bytes) exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).")


def error_body(error, error_type):
    return json.dumps({
        "errorMessage": str(error),
        "errorType": type(error).__name__ if error_type == "Unhandled" else error_type,
        "stackTrace": traceback.format_exception(type(error), error, error.__traceback__),
    }).encode()


def load_handler(name):
    module_name, _, function_name = name.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def serve(api, handler, invocations=None):
    """Runs invocations until `invocations` (None: forever) have been served."""
    served = 0
    while invocations is None or served < invocations:
        event, headers = api.next()
        context = Context(headers)
        _current.request_id = context.aws_request_id
        if headers.get("Lambda-Runtime-Trace-Id"):
            os.environ["_X_AMZN_TRACE_ID"] = headers["Lambda-Runtime-Trace-Id"]
        try:
            result = handler(event, context)
        except Exception as error:
            logger.exception("handler failed")
            api.fail(context.aws_request_id, error)
            served += 1
            continue
        # A result that cannot be sent is an error response, never the end of the loop: the next
        # invocation stays warm, and the tasks already queued still run.
        try:
            body = serialize(result)
            if len(body) > MAX_RESPONSE_BYTES:
                raise ResponseTooLarge(len(body))
            api.respond(context.aws_request_id, body)
        except MarshalError as error:
            logger.error("result not sent", extra={"error": str(error)})
            api.fail(context.aws_request_id, error, "Runtime.MarshalError")
        except ResponseTooLarge as error:
            logger.error("result not sent", extra={"error": str(error)})
            api.fail(context.aws_request_id, error, "Function.ResponseSizeTooLarge")
        except urllib.error.HTTPError as error:
            logger.error("the Runtime API refused the response", extra={"status": error.code})
        # The caller has its answer; the environment runs until the next api.next(). Each task
        # gets retries inside the invocation's deadline; what still fails is queued, never raised.
        for function, task in context.after_response:
            try:
                retries.run_task(function, task, context.get_remaining_time_in_millis,
                                 context.aws_request_id, context.invoked_function_arn)
            except Exception:  # a bug in the retry path itself must not end the loop
                logger.exception("task after the response could not be run")
        served += 1


def main():
    configure_logging()
    api = RuntimeAPI(os.environ["AWS_LAMBDA_RUNTIME_API"])
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.path.dirname(os.path.abspath(__file__))))
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as error:
        api.init_error(error, "Runtime.ImportModuleError" if isinstance(error, ImportError) else "Runtime.HandlerNotFound")
        sys.exit(1)
    serve(api, handler)


if __name__ == "__main__":
    main()

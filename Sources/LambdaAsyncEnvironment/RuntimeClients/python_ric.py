"""lambda-async's runtime interface client for the Python managed runtimes, run by the local runner.

It does what the managed runtime's client does: load the handler from LAMBDA_TASK_ROOT, loop on
the Runtime API (/next, handler, /response or /error), build the context object, and report init
errors with Lambda's error types. Standard library only.
"""
import importlib
import json
import logging
import os
import sys
import time
import traceback
import types
import urllib.error
import urllib.request

API = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime"
_request_id = None


class _Tagged(logging.Filter):
    """Every record carries the current invocation's request id, as in Lambda."""

    def filter(self, record):
        record.aws_request_id = _request_id
        return True


class _JSONLines(logging.Formatter):
    """LoggingConfig LogFormat JSON: one object per record, with the fields passed in `extra`."""

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
            line.update(errorType=record.exc_info[0].__name__, errorMessage=str(record.exc_info[1]),
                        stackTrace=traceback.format_tb(record.exc_info[2]))
        line.update((key, value) for key, value in vars(record).items() if key not in self._STANDARD and key not in line)
        return json.dumps({key: value for key, value in line.items() if value is not None}, default=str)


def _configure_logging():
    """The root logger as Lambda's Python runtime sets it up: text lines `[LEVEL] time request-id
    message` at the logging module's default level (WARNING), or JSON at AWS_LAMBDA_LOG_LEVEL."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_Tagged())
    root = logging.getLogger()
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        handler.setFormatter(_JSONLines())
        level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
        root.setLevel({"TRACE": "DEBUG", "FATAL": "CRITICAL", "WARN": "WARNING"}.get(level, level))
    else:
        formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                                      "%Y-%m-%dT%H:%M:%S")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    root.addHandler(handler)


def _client_context(text):
    """The calling client's context, shaped as Lambda's Python runtime shapes it: client, custom, env."""
    if not text:
        return None
    data = json.loads(text)
    client = data.get("client")
    return types.SimpleNamespace(
        client=types.SimpleNamespace(**{key: client.get(key) for key in (
            "installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")}) if client else None,
        custom=data.get("custom"),
        env=data.get("env"),
    )


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = _client_context(headers.get("Lambda-Runtime-Client-Context"))
        # Set for a function with tenant isolation: the caller's X-Amz-Tenant-Id.
        self.tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _decimal(value):
    """Decimal as a JSON number, as Lambda's Python runtime serialises it (DynamoDB returns them)."""
    import decimal
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def post(path, body, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    request = urllib.request.Request(API + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            response.read()
    except urllib.error.HTTPError as error:
        sys.stderr.write(f"[lambda-async] the Runtime API refused {path}: {error.code} {error.read().decode(errors='replace')}\n")


def error_body(error, error_type=None, message=None, request_id=""):
    """Lambda's Python error shape: the request id is there too ("" during init)."""
    return json.dumps({
        "errorMessage": message or str(error),
        "errorType": error_type or type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(error.__traceback__) if error.__traceback__ else [],
    }).encode()


def load_handler(name):
    module_name, _, function_name = name.rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except SyntaxError as error:
        raise InitError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}", error)
    except ImportError as error:
        raise InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}", error)
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'", None)
    return handler


class InitError(Exception):
    def __init__(self, error_type, message, cause):
        super().__init__(message)
        self.error_type = error_type
        self.cause = cause


def _workers():
    """Lambda Managed Instances: the Python runtime serves AWS_LAMBDA_MAX_CONCURRENCY requests at once
    with as many processes, each doing its own init and handling one request at a time. The first
    process forks the others before anything is imported, so each imports the handler itself."""
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "lambda-managed-instances":
        return
    count = int(os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY", "1") or "1")
    for _ in range(count - 1):
        if os.fork() == 0:
            return


def main():
    global _request_id
    _workers()
    _configure_logging()
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "."))
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except InitError as error:
        sys.stderr.write(f"[ERROR] {error.error_type}: {error}\n")
        post("/init/error", error_body(error, error.error_type), error.error_type)
        sys.exit(1)
    except Exception as error:  # the module raised while it was imported: its class is the error type
        error_type = type(error).__name__
        sys.stderr.write(f"[ERROR] {error_type}: {error}\n")
        post("/init/error", error_body(error, error_type), error_type)
        sys.exit(1)
    while True:
        # No timeout: the environment is frozen while this waits.
        with urllib.request.urlopen(API + "/invocation/next") as response:
            headers = response.headers
            event = json.loads(response.read() or b"null")
        context = LambdaContext(headers)
        if headers.get("Lambda-Runtime-Trace-Id"):
            os.environ["_X_AMZN_TRACE_ID"] = headers["Lambda-Runtime-Trace-Id"]
        request_id = _request_id = context.aws_request_id
        try:
            result = handler(event, context)
        except Exception as error:
            sys.stderr.write(f"[ERROR] {type(error).__name__}: {error}\n" + "".join(traceback.format_tb(error.__traceback__)))
            post(f"/invocation/{request_id}/error", error_body(error, request_id=request_id), "Unhandled")
            continue
        try:
            body = json.dumps(result, default=_decimal).encode()
        except (TypeError, ValueError) as error:
            # As Lambda's client: a result JSON cannot hold is an error, and the runtime lives on.
            message = f"Unable to marshal response: {error}"
            sys.stderr.write(f"[ERROR] Runtime.MarshalError: {message}\n")
            post(f"/invocation/{request_id}/error", error_body(error, "Runtime.MarshalError", message, request_id), "Runtime.MarshalError")
            continue
        post(f"/invocation/{request_id}/response", body)


if __name__ == "__main__":
    main()

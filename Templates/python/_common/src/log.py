"""The project's logger: the standard library's `logging`{{#powertools}}, or Powertools for AWS Lambda's
Logger where its public layer is present (in Lambda; unit tests fall back to `logging`){{/powertools}}.

Lambda does the formatting: template.yaml sets `LoggingConfig: LogFormat: JSON`, so each call becomes
one JSON object with the time, the level, the request id and the fields passed in `extra`, and calls
under `ApplicationLogLevel` are dropped. Log as `logger.info("task done", extra={"orderId": ...})`."""
import logging
{{#powertools}}

try:
    from aws_lambda_powertools import Logger

    # Powertools' Logger follows AWS_LAMBDA_LOG_LEVEL too; the service name is the project's.
    logger = Logger(service="{{name}}")
except ImportError:
    logger = logging.getLogger("{{name}}")
{{/powertools}}
{{^powertools}}

logger = logging.getLogger("{{name}}")
{{/powertools}}

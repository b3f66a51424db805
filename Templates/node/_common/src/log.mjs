// The project's logger: `console`{{#powertools}}, or Powertools for AWS Lambda's Logger where its public layer
// is present (in Lambda; unit tests fall back to `console`){{/powertools}}.
//
// Lambda does the formatting: template.yaml sets `LoggingConfig: LogFormat: JSON`, so each console call
// becomes one JSON object with the time, the level and the request id, and calls under
// `ApplicationLogLevel` are dropped. An object passed alone stays an object, so its fields stay
// fields: log as `logger.info("task done", { orderId })`.
{{#powertools}}
import { createRequire } from "node:module";

{{/powertools}}
const viaConsole = Object.fromEntries(
  ["debug", "info", "warn", "error"].map((level) => [level, (message, fields = {}) => console[level]({ message, ...fields })]),
);

function make() {
{{#powertools}}
  try {
    // require, not import: a layer's /opt/nodejs/node_modules reaches Node.js through NODE_PATH,
    // which CommonJS resolution reads and ES module resolution does not.
    const { Logger } = createRequire(import.meta.url)("@aws-lambda-powertools/logger");
    return new Logger({ serviceName: "{{name}}" }); // it follows AWS_LAMBDA_LOG_LEVEL too
  } catch {
    // no layer here
  }
{{/powertools}}
  return viaConsole;
}

/** Tests replace its methods (node:test's `mock.method`) to see what was logged. */
export const logger = make();

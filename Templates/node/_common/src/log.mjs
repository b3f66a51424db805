// Structured logs: one JSON object per line, with the request id, as CloudWatch Logs Insights reads them.{{#powertools}}
// In Lambda the lines go through Powertools for AWS Lambda's Logger (its public layer is in
// template.yaml); where the layer is absent (unit tests, the local runner) this module writes them itself.{{/powertools}}
{{#powertools}}
import { createRequire } from "node:module";

{{/powertools}}
let requestId = null;
{{#powertools}}

let powertools = null;
try {
  // require, not import: a layer's /opt/nodejs/node_modules reaches Node.js through NODE_PATH,
  // which CommonJS resolution reads and ES module resolution does not.
  const { Logger } = createRequire(import.meta.url)("@aws-lambda-powertools/logger");
  powertools = new Logger(); // the service name comes from POWERTOOLS_SERVICE_NAME (template.yaml)
} catch {
  powertools = null;
}
{{/powertools}}

/** Tags the following log lines with the invocation's request id. */
export function bind(context) {
  bindRequestId(context?.awsRequestId ?? null);
}

/** The same for a process that has an event, not a context (an extension). */
export function bindRequestId(id) {
  requestId = id;
}

export function log(level, message, fields = {}) {
  const { requestId: explicit, ...rest } = fields;
{{#powertools}}
  if (powertools) {
    powertools[level.toLowerCase()](message, { requestId: explicit ?? requestId, ...rest });
    return;
  }
{{/powertools}}
  process.stdout.write(
    JSON.stringify({ time: new Date().toISOString(), level, message, requestId: explicit ?? requestId, ...rest }) + "\n",
  );
}

// Structured logs: one JSON object per line, with the request id, as CloudWatch Logs Insights reads them.
let requestId = null;

/** Tags the following log lines with the invocation's request id. */
export function bind(context) {
  requestId = context?.awsRequestId ?? null;
}

export function log(level, message, fields = {}) {
  const { requestId: explicit, ...rest } = fields;
  process.stdout.write(
    JSON.stringify({ time: new Date().toISOString(), level, message, requestId: explicit ?? requestId, ...rest }) + "\n",
  );
}

// Structured logs: one JSON object per line, with the request id, as CloudWatch Logs Insights reads them.
let requestId = null;

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
  process.stdout.write(
    JSON.stringify({ time: new Date().toISOString(), level, message, requestId: explicit ?? requestId, ...rest }) + "\n",
  );
}

// This function's own Runtime API loop: /next, handler, /response, the queued tasks, then /next.
//
// Lambda freezes the environment only when the runtime asks for its next invocation. This loop
// posts the response first, so the caller has it, and asks for the next invocation only after the
// tasks the handler queued with `context.runAfterResponse` have run. Node.js built-ins only.
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import { request } from "./lambda-http.mjs";
import { logger } from "./log.mjs";
import { runTask } from "./retries.mjs";

const current = { requestId: undefined };

/** Lambda's JSON log format (LoggingConfig in template.yaml). This loop replaces the managed
 * runtime's client, so it writes the lines that client would: each console call one JSON object
 * with the time, the level and the request id (one object passed alone stays an object), and the
 * calls under AWS_LAMBDA_LOG_LEVEL dropped. */
export function jsonConsole(write = (line) => process.stdout.write(line)) {
  const levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
  const floor = Math.max(0, levels.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? "INFO").toUpperCase()));
  const methods = { trace: "TRACE", debug: "DEBUG", info: "INFO", log: "INFO", warn: "WARN", error: "ERROR" };
  for (const [method, level] of Object.entries(methods)) {
    console[method] = levels.indexOf(level) < floor ? () => {} : (message, ...params) => {
      const line = { timestamp: new Date().toISOString(), level, requestId: current.requestId };
      line.message = params.length === 0 ? message : format(message, ...params);
      let text;
      try {
        text = JSON.stringify(line);
      } catch {
        text = JSON.stringify({ ...line, message: format(message, ...params) });
      }
      write(text + "\n");
    };
  }
}

/** Lambda's limit on a buffered response; past it Lambda answers Function.ResponseSizeTooLarge. */
export const MAX_RESPONSE_BYTES = 6_291_556;

/**
 * The result as JSON text, or the error Lambda gives for a result it cannot send: a BigInt or a
 * circular object is a Runtime.MarshalError, more than 6 MB a Function.ResponseSizeTooLarge. The loop
 * answers such a result with an error response and goes on; the next invocation stays warm.
 */
export function serialize(result) {
  let body;
  try {
    body = JSON.stringify(result ?? null) ?? "null";
  } catch (error) {
    throw Object.assign(new Error(`Unable to stringify response body as json: ${error.message}`), { type: "Runtime.MarshalError" });
  }
  const size = Buffer.byteLength(body);
  if (size > MAX_RESPONSE_BYTES) {
    throw Object.assign(new Error(`Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`),
      { type: "Function.ResponseSizeTooLarge" });
  }
  return body;
}

export class RuntimeAPI {
  constructor(address) {
    this.base = `http://${address}/2018-06-01/runtime`;
  }

  /** Blocks until an invocation arrives: no timeout, the environment is frozen meanwhile. */
  async next() {
    const response = await request("GET", `${this.base}/invocation/next`);
    return { event: response.json(), headers: response.headers };
  }

  respond(requestId, body) {
    return request("POST", `${this.base}/invocation/${requestId}/response`, { body });
  }

  fail(requestId, error, type = "Unhandled") {
    return request("POST", `${this.base}/invocation/${requestId}/error`, {
      headers: { "Lambda-Runtime-Function-Error-Type": type },
      body: errorBody(error, type),
    });
  }

  initError(error, type) {
    return request("POST", `${this.base}/init/error`, {
      headers: { "Lambda-Runtime-Function-Error-Type": type },
      body: errorBody(error, type),
    });
  }
}

function errorBody(error, type) {
  return {
    errorType: type && type !== "Unhandled" ? type : error?.name ?? "Error",
    errorMessage: error?.message ?? String(error),
    stackTrace: String(error?.stack ?? "").split("\n"),
  };
}

/** The context object handlers receive, as the managed runtime builds it, plus `runAfterResponse`. */
export function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] ?? 0);
  const afterResponse = [];
  return {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    /** Queues `fn(task)` to run after the response is posted, with retries; a task that keeps
     * failing goes to the failed-tasks queue. */
    runAfterResponse: (fn, task) => afterResponse.push([fn, task]),
    afterResponse,
  };
}

/** Calls async handlers and callback-style (event, context, callback) handlers alike. */
function call(handler, event, context) {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

/** Serves invocations until `invocations` have been served (forever when undefined). */
export async function serve(api, handler, { invocations } = {}) {
  for (let served = 0; invocations === undefined || served < invocations; served += 1) {
    const { event, headers } = await api.next();
    const context = makeContext(headers);
    current.requestId = context.awsRequestId;
    if (headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = headers["lambda-runtime-trace-id"];
    let result;
    try {
      result = await call(handler, event, context);
    } catch (error) {
      logger.error("handler failed", { error: String(error) });
      await api.fail(context.awsRequestId, error);
      continue;
    }
    // A result that cannot be sent is an error response, never the end of the loop; the tasks
    // already queued still run.
    try {
      await api.respond(context.awsRequestId, serialize(result));
    } catch (error) {
      logger.error("result not sent", { error: String(error.message ?? error) });
      if (error.type) await api.fail(context.awsRequestId, error, error.type);
    }
    // The caller has its answer; the environment runs until the next api.next(). Each task gets
    // retries inside the invocation's deadline; what still fails is queued, never thrown.
    for (const [fn, task] of context.afterResponse) {
      try {
        await runTask(fn, task, context.getRemainingTimeInMillis,
          { requestId: context.awsRequestId, functionArn: context.invokedFunctionArn });
      } catch (error) {
        // A bug in the retry path itself must not end the loop.
        logger.error("task after the response could not be run", { error: String(error) });
      }
    }
  }
}

export async function loadHandler(name, root) {
  const dot = name.lastIndexOf(".");
  const [modulePath, exportName] = [name.slice(0, dot), name.slice(dot + 1)];
  const file = ["mjs", "js", "cjs"].map((ext) => join(root, `${modulePath}.${ext}`)).find(existsSync);
  if (!file) throw Object.assign(new Error(`Cannot find module '${modulePath}'`), { lambdaType: "Runtime.ImportModuleError" });
  const module = await import(pathToFileURL(file).href);
  const handler = module[exportName] ?? module.default?.[exportName];
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${modulePath}.${exportName} is not a function`), { lambdaType: "Runtime.HandlerNotFound" });
  }
  return handler;
}

export async function main() {
  if ((process.env.AWS_LAMBDA_LOG_FORMAT ?? "").toUpperCase() === "JSON") jsonConsole();
  const api = new RuntimeAPI(process.env.AWS_LAMBDA_RUNTIME_API);
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER, process.env.LAMBDA_TASK_ROOT ?? new URL(".", import.meta.url).pathname);
  } catch (error) {
    await api.initError(error, error.lambdaType ?? "Runtime.ImportModuleError");
    process.exit(1);
  }
  await serve(api, handler);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}

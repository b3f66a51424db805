// lambda-async's runtime interface client for the Node.js managed runtimes, run by the local runner.
//
// It does what the managed runtime's client does: load the handler from LAMBDA_TASK_ROOT (ES
// modules and CommonJS), call async and callback handlers, provide the `awslambda` global with
// `streamifyResponse` and `HttpResponseStream.from`, post buffered or streamed responses (errors
// in a stream go in trailers), and report init errors with Lambda's error types. Built-ins only.
import http from "node:http";
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

const API = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");

function request(method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${API}${path}`, { method, headers }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function errorBody(error, type) {
  return JSON.stringify({
    errorType: type ?? error?.name ?? "Error",
    errorMessage: error?.message ?? String(error),
    stackTrace: String(error?.stack ?? "").split("\n").slice(1).map((line) => line.trim()),
  });
}

async function post(path, body, errorType) {
  const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  const response = await request("POST", path, { headers, body });
  if (response.status >= 300) {
    process.stderr.write(`[lambda-async] the Runtime API refused ${path}: ${response.status} ${response.body}\n`);
  }
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = "response";
    return handler;
  },
  HttpResponseStream: {
    // Status, headers and cookies go first as a JSON prelude, then eight NUL bytes, then the body.
    from(stream, prelude) {
      stream.setContentType("application/vnd.awslambda.http-integration-response");
      stream.write(JSON.stringify(prelude ?? {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

let currentRequestId;
// The request each log line belongs to, when several run at once (Managed Instances).
const requestScope = new AsyncLocalStorage();

/** LoggingConfig LogFormat JSON: console calls become JSON lines with the request id, filtered by
 * AWS_LAMBDA_LOG_LEVEL, as Lambda's runtime writes them. One object alone stays an object. */
function jsonConsole() {
  const levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
  const floor = Math.max(0, levels.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? "INFO").toUpperCase()));
  const methods = { trace: "TRACE", debug: "DEBUG", info: "INFO", log: "INFO", warn: "WARN", error: "ERROR", fatal: "FATAL" };
  for (const [method, level] of Object.entries(methods)) {
    console[method] = levels.indexOf(level) < floor ? () => {} : (message, ...params) => {
      const line = { timestamp: new Date().toISOString(), level, requestId: requestScope.getStore() ?? currentRequestId };
      line.message = params.length === 0 ? message : format(message, ...params);
      const error = [message, ...params].find((value) => value instanceof Error);
      if (error) Object.assign(line, { errorType: error.name, errorMessage: error.message, stackTrace: String(error.stack).split("\n") });
      let text;
      try {
        text = JSON.stringify(line);
      } catch {
        text = JSON.stringify({ ...line, message: format(message, ...params) });
      }
      process.stdout.write(text + "\n");
    };
  }
}
if ((process.env.AWS_LAMBDA_LOG_FORMAT ?? "").toUpperCase() === "JSON") jsonConsole();

class InitError extends Error {
  constructor(type, message) {
    super(message);
    this.lambdaType = type;
  }
}

async function loadHandler(name, root) {
  const dot = name.lastIndexOf(".");
  const [modulePath, exportName] = [name.slice(0, dot), name.slice(dot + 1)];
  const file = ["mjs", "js", "cjs"].map((ext) => join(root, `${modulePath}.${ext}`)).find(existsSync);
  if (!file) throw new InitError("Runtime.ImportModuleError", `Error: Cannot find module '${modulePath}'`);
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new InitError(error instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError", String(error));
  }
  const handler = module[exportName] ?? module.default?.[exportName];
  if (typeof handler !== "function") throw new InitError("Runtime.HandlerNotFound", `${modulePath}.${exportName} is undefined or not exported`);
  return handler;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] ?? 0);
  return {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    // The calling client's context, when the caller sent one (synchronous invokes only).
    clientContext: headers["lambda-runtime-client-context"] ? JSON.parse(headers["lambda-runtime-client-context"]) : undefined,
    // Set for a function with tenant isolation: the caller's X-Amz-Tenant-Id.
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function callBuffered(handler, event, context) {
  if (handler.length >= 3) {
    // A callback handler's answer waits until the event loop is empty (pending timers and sockets
    // done), unless it set context.callbackWaitsForEmptyEventLoop = false, as Lambda's runtime does.
    // 'beforeExit' fires exactly then; the runtime's own idle keep-alive sockets are unref'd.
    return new Promise((resolve, reject) => handler(event, context, (error, result) => {
      const settle = () => (error ? reject(error) : resolve(result));
      if (context.callbackWaitsForEmptyEventLoop) process.once("beforeExit", settle);
      else settle();
    }));
  }
  return Promise.resolve().then(() => handler(event, context));
}

/** A streamed response: the handler writes to the request body of POST /response. */
async function invokeStreaming(handler, event, context) {
  const req = http.request(`${API}/invocation/${context.awsRequestId}/response`, {
    method: "POST",
    headers: {
      "Lambda-Runtime-Function-Response-Mode": "streaming",
      "Transfer-Encoding": "chunked",
      Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
      "Content-Type": "application/octet-stream",
    },
  });
  const answered = new Promise((resolve, reject) => {
    req.on("response", (res) => { res.resume(); res.on("end", resolve); });
    req.on("error", reject);
  });
  req.setContentType = (type) => req.setHeader("Content-Type", type);
  try {
    await handler(event, req, context);
    if (!req.writableEnded) req.end();
  } catch (error) {
    process.stderr.write(`[ERROR] ${error?.stack ?? error}\n`);
    req.addTrailers({
      "Lambda-Runtime-Function-Error-Type": error?.name ?? "Error",
      "Lambda-Runtime-Function-Error-Body": Buffer.from(errorBody(error)).toString("base64"),
    });
    req.end();
  }
  await answered;
}

// Node.js 24 and later: callback handlers are gone (AWS's runtime interface client v4 refuses them at
// init with this type and message) and nothing waits for an empty event loop: what an async handler
// leaves running when it returns is frozen with the environment. Earlier runtimes keep both.
const NODE_MAJOR = Number(/nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV ?? "")?.[1] ?? 0);
const CALLBACK_REMOVED =
  "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. " +
  "You need to modify this function to use a supported handler signature to use Node.js 24 or later. " +
  "For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.";

const CALLBACK_REFUSED_ON_MANAGED_INSTANCES =
  "ERROR: AWS Lambda does not support callback-based function handlers when using Node.js 22 with Managed Instances. " +
  "To use Managed Instances, modify this function to use a supported handler signature. " +
  "For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.";

async function main() {
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER, process.env.LAMBDA_TASK_ROOT ?? ".");
    if (handler.length >= 3 && handler[STREAMING] !== "response") {
      if (NODE_MAJOR >= 24) throw new InitError("Runtime.CallbackHandlerDeprecated", CALLBACK_REMOVED);
      // Managed Instances run many requests in one process: no callback handlers there either.
      if (process.env.AWS_LAMBDA_INITIALIZATION_TYPE === "lambda-managed-instances") {
        throw new InitError("Runtime.CallbackHandlerDeprecated", CALLBACK_REFUSED_ON_MANAGED_INSTANCES);
      }
    }
  } catch (error) {
    const type = error.lambdaType ?? "Runtime.Unknown";
    process.stderr.write(`[ERROR] ${type}: ${error.message}\n`);
    await post("/init/error", errorBody(error, type), type);
    process.exit(1);
  }
  // Lambda Managed Instances: one process serves AWS_LAMBDA_MAX_CONCURRENCY requests at once, each
  // loop asking for its own next event; elsewhere one loop, one request at a time.
  const managed = process.env.AWS_LAMBDA_INITIALIZATION_TYPE === "lambda-managed-instances";
  const loops = managed ? Math.max(1, Number.parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY ?? "1", 10) || 1) : 1;
  await Promise.all(Array.from({ length: loops }, () => serve(handler)));
}

async function serve(handler) {
  for (;;) {
    // No timeout: the environment is frozen while this waits.
    const next = await request("GET", "/invocation/next");
    const event = JSON.parse(next.body.toString() || "null");
    const context = makeContext(next.headers);
    currentRequestId = context.awsRequestId;
    if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
    await requestScope.run(context.awsRequestId, async () => {
      if (handler[STREAMING] === "response") {
        await invokeStreaming(handler, event, context);
        return;
      }
      try {
        const result = await callBuffered(handler, event, context);
        await post(`/invocation/${context.awsRequestId}/response`, JSON.stringify(result ?? null));
      } catch (error) {
        process.stderr.write(`[ERROR] ${error?.stack ?? error}\n`);
        await post(`/invocation/${context.awsRequestId}/error`, errorBody(error), "Unhandled");
      }
    });
  }
}

await main();

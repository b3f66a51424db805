// A stand-in for the context object Lambda passes to handlers.
import { randomUUID } from "node:crypto";

export function fakeContext(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName: "test-function",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:test-function",
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

// The order a request carries. A function URL's event (an HTTP request, payload format 2.0, as
// API Gateway's) has it as JSON in its body, base64-encoded when the body is binary; a direct
// invoke's event is the order itself. The same handler serves both callers.

export function orderOf(event) {
  if (event === null || typeof event !== "object") return {};
  if (!("requestContext" in event) || !("body" in event)) return event;
  try {
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString() : (event.body ?? "");
    const order = body ? JSON.parse(body) : {};
    return order !== null && typeof order === "object" && !Array.isArray(order) ? order : {};
  } catch {
    // An unreadable body is an empty order: the caller sees orderId null in the answer.
    return {};
  }
}

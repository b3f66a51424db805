import { test } from "node:test";
import assert from "node:assert/strict";
import { orderOf } from "../src/order.mjs";

const ORDER = { orderId: "o-1", items: [{ sku: "BOOK-42", quantity: 1 }] };

/** A function URL's event, as Lambda builds it (payload format 2.0), reduced to what matters here. */
const urlEvent = (body, isBase64Encoded = false) => ({
  version: "2.0", rawPath: "/", requestContext: { http: { method: "POST" } }, body, isBase64Encoded,
});

test("a direct invoke is the order", () => {
  assert.deepEqual(orderOf(ORDER), ORDER);
});

test("a function URL request carries it in its body", () => {
  assert.deepEqual(orderOf(urlEvent(JSON.stringify(ORDER))), ORDER);
  assert.deepEqual(orderOf(urlEvent(Buffer.from(JSON.stringify(ORDER)).toString("base64"), true)), ORDER);
});

test("an empty or unreadable body is an empty order", () => {
  for (const body of ["", "not json", "[1, 2]", undefined]) assert.deepEqual(orderOf(urlEvent(body)), {}, String(body));
  assert.deepEqual(orderOf(null), {});
});

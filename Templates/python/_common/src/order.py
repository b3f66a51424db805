"""The order a request carries. A function URL's event (an HTTP request, payload format 2.0, as
API Gateway's) has it as JSON in its body, base64-encoded when the body is binary; a direct
invoke's event is the order itself. The same handler serves both callers."""
import base64
import binascii
import json


def order_of(event):
    if not isinstance(event, dict):
        return {}
    if "requestContext" not in event or "body" not in event:
        return event
    body = event.get("body") or ""
    try:
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        order = json.loads(body) if body else {}
    except (ValueError, binascii.Error):
        # An unreadable body is an empty order: the caller sees orderId null in the answer.
        return {}
    return order if isinstance(order, dict) else {}

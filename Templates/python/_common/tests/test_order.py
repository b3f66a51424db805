import base64
import json
import unittest

import lambda_context  # noqa: F401  (puts src/ on sys.path)
from order import order_of

ORDER = {"orderId": "o-1", "items": [{"sku": "BOOK-42", "quantity": 1}]}


def url_event(body, base64_encoded=False):
    """A function URL's event, as Lambda builds it (payload format 2.0), reduced to what matters here."""
    return {"version": "2.0", "rawPath": "/", "requestContext": {"http": {"method": "POST"}},
            "body": body, "isBase64Encoded": base64_encoded}


class OrderOfTest(unittest.TestCase):
    def test_a_direct_invoke_is_the_order(self):
        self.assertEqual(order_of(ORDER), ORDER)

    def test_a_function_url_request_carries_it_in_its_body(self):
        self.assertEqual(order_of(url_event(json.dumps(ORDER))), ORDER)
        encoded = base64.b64encode(json.dumps(ORDER).encode()).decode()
        self.assertEqual(order_of(url_event(encoded, base64_encoded=True)), ORDER)

    def test_an_empty_or_unreadable_body_is_an_empty_order(self):
        for body in ["", "not json", "[1, 2]", None]:
            self.assertEqual(order_of(url_event(body)), {}, body)
        self.assertEqual(order_of(url_event("%%%", base64_encoded=True)), {})
        self.assertEqual(order_of(None), {})

"""Failed calls are stored as one short line: an HTML error page from a proxy or load balancer
becomes its status and title, never the page; account-wide findings have service tier `account`."""

from __future__ import annotations

from botocore.exceptions import ClientError

from srmscan.collect.errors import classify, clean_message
from srmscan.evaluate.engine import evaluate, load_ruleset
from srmscan.model import ACCOUNT_TYPE, ErrorKind, Resource
from tests.helpers import inventory

PAGE = """<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title><style>body{}</style></head>
<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p>
<script>var x = 1;</script></body></html>"""


def test_html_error_body_becomes_status_and_title() -> None:
    exc = ClientError({"Error": {"Code": "502", "Message": PAGE}, "ResponseMetadata": {"HTTPStatusCode": 502}}, "X")
    _code, message, kind = classify(exc)
    assert message == "HTTP 502: 502 Bad Gateway (HTML body not kept)"
    assert "\n" not in message and "<" not in message and kind is ErrorKind.SERVICE_ERROR


def test_plain_messages_stay_but_are_one_bounded_line() -> None:
    assert clean_message("User: x is not authorized\n  to perform: s3:GetBucketPolicy") == (
        "User: x is not authorized to perform: s3:GetBucketPolicy"
    )
    assert len(clean_message("y" * 5000)) == 300
    assert clean_message("<html><body>oops</body></html>", 500) == "HTTP 500: HTML error page (HTML body not kept)"
    assert clean_message("a < b and c > d") == "a < b and c > d"


def test_account_wide_findings_have_service_tier_account() -> None:
    account = Resource(type=ACCOUNT_TYPE, id="123456789012", region="global", attrs={})
    findings = [f for f in evaluate(inventory(account), load_ruleset()) if f.resource_type == ACCOUNT_TYPE]
    assert findings and {f.service_tier for f in findings} == {"account"}

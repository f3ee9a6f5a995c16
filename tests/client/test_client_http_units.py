"""Pure arithmetic of the HTTP seam: backoff bounds, Retry-After parsing, snippets, expiry."""

from __future__ import annotations

import email.utils
import random

import pytest
import requests

from modelarts_widgets.client._http import (
    HttpClient,
    HttpEvent,
    RetryPolicy,
    is_expiry,
    parse_retry_after,
    sanitize_snippet,
)


def _client() -> HttpClient:
    return HttpClient("http://127.0.0.1:9", None)


def _policy(**kw: object) -> RetryPolicy:
    return RetryPolicy(rng=random.Random(7), **kw)  # type: ignore[arg-type]


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = _policy(backoff_base=0.5, max_retry_after=3.0)
    for attempt, full in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (10, 3.0)]:
        waits = [policy.backoff(attempt) for _ in range(50)]
        assert all(full / 2 <= w <= full for w in waits), (attempt, waits)
        assert len(set(waits)) > 1  # jittered


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 5, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(5.0, abs=1.0)
    past = email.utils.formatdate(now - 60, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0


def test_snippet_is_short_printable_and_tag_free() -> None:
    html = "<html><head><title>502 Bad Gateway</title></head>\n<body>\x00nginx " + "x" * 500
    text = sanitize_snippet(html)
    assert "<" not in text
    assert "\x00" not in text
    assert text.startswith("502 Bad Gateway nginx")
    assert len(text) <= 120
    secretish = "token=" + "A" * 60
    assert "A" * 40 not in sanitize_snippet(secretish)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"error_code": "ModelArts.0202", "error_msg": "Token expired."}, True),
        (401, {"error_code": "ModelArts.4127"}, True),
        (401, {"error_code": "ModelArts.6620"}, True),
        (401, {"error_code": "APIG.0301", "error_msg": "security token expired"}, True),
        (401, {"error_code": "APIG.0301", "error_msg": "verify aksk signature fail"}, False),
        (401, {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}, False),
        (403, {"error_code": "ModelArts.0202"}, False),
    ],
)
def test_expiry_detection(status: int, body: dict[str, str], expected: bool) -> None:
    assert is_expiry(status, body) is expected


def test_event_description() -> None:
    event = HttpEvent("rate_limited", "GET", "/v1/p/x", 2.0, 1, "rate limited")
    assert event.describe() == "waiting 2 s (rate limited)"
    retry = HttpEvent("retry", "GET", "/", 0.25, 2, "HTTP 503")
    assert retry.describe() == "waiting 0.2 s (HTTP 503)"
    assert HttpEvent("refreshed", "GET", "/", 0.0, 1, "x").describe() == "credentials refreshed"


def test_repr_and_bad_arguments() -> None:
    assert repr(_client()) == "HttpClient(base_url='http://127.0.0.1:9')"
    with pytest.raises(ValueError, match="absolute"):
        HttpClient("127.0.0.1:9", None)
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


def _response(status: int, content: bytes, headers: dict[str, str]) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = content
    resp.headers.update(headers)
    return resp


def test_reply_headers_are_case_insensitive_and_json_is_utf8() -> None:
    client = _client()
    body = '{"error_code": "APIG.0308", "error_msg": "Übersetzung"}'.encode()
    reply = client._reply(
        _response(
            429, body, {"retry-after": "3", "x-request-id": "rid-1", "Content-Type": "text/plain"}
        )
    )
    assert reply.headers["Retry-After"] == "3"
    assert reply.request_id == "rid-1"
    assert reply.body["error_msg"] == "Übersetzung"
    assert parse_retry_after(reply.headers.get("Retry-After")) == 3.0


def test_rate_limit_budget_is_separate_from_max_retries() -> None:
    policy = _policy(max_retries=0, max_rate_limit_wait=10.0, max_rate_limit_retries=4)
    assert policy.rate_limit_wait(3.0, 0, 0.0) == 3.0  # max_retries=0 does not stop it
    assert policy.rate_limit_wait(3.0, 2, 6.0) == 3.0  # 9 s of 10 s
    assert policy.rate_limit_wait(3.0, 3, 9.0) is None  # 12 s would pass the wait budget
    assert policy.rate_limit_wait(3.0, 4, 0.0) is None  # the count budget
    assert _policy(max_retry_after=3.0).rate_limit_wait(60.0, 0, 0.0) == 3.0  # capped
    wait = policy.rate_limit_wait(None, 0, 0.0)  # no Retry-After: the backoff
    assert wait is not None
    assert 0 < wait <= policy.backoff_base


def test_only_idempotent_methods_are_resent_within_max_retries() -> None:
    policy = _policy(max_retries=2)
    assert policy.resend_wait("POST", 0) is None
    assert policy.resend_wait("DELETE", 0) is None
    assert policy.resend_wait("GET", 1) is not None
    assert policy.resend_wait("GET", 2) is None


def test_reply_parsing_edge_cases() -> None:
    client = _client()
    assert client._reply(_response(204, b"", {})).body == {}
    assert client._reply(_response(200, b'\xef\xbb\xbf{"a": 1}', {})).body == {"a": 1}
    for content in (b"[1, 2]", b"\xff\xfe", b"<html>oops</html>", b'{"a": '):
        reply = client._reply(_response(200, content, {}))
        assert reply.malformed
        assert reply.body == {}
    rid = client._reply(_response(500, b'{"request_id": "from-body"}', {}))
    assert rid.request_id == "from-body"

"""The one network seam: a ``requests.Session`` with timeouts, retries and error mapping.

Every HTTP call of the package goes through :class:`HttpClient`. Policy (docs/contracts.md;
the numbers are a :class:`RetryPolicy`'s):

- GET is retried on connection error, timeout, 5xx and 429 with jittered exponential backoff,
  at most ``max_retries`` times.
- 429 on any method honours ``Retry-After`` (seconds or HTTP date, capped at
  ``max_retry_after``; absent -> backoff): a throttled request was not processed. 429s have
  their own budget: re-sent while their waits add up to at most ``max_rate_limit_wait``
  seconds (and at most ``max_rate_limit_retries`` times), so a bulk run at the rate limit
  keeps going instead of failing after ``max_retries``.
- DELETE/POST/PUT are never re-sent after a transport error or a 5xx.
- A 401 that means "expired" makes ``auth.refresh()`` run once and the request resend once.
- Every wait is reported to listeners as an :class:`HttpEvent`.

Logging (``modelarts_widgets.http``, DEBUG) names method, path, status, request id and duration;
never headers, query strings or bodies.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Optional, TypedDict, Union

import requests
import requests.adapters
import requests.auth
from requests.structures import CaseInsensitiveDict

from modelarts_widgets import __version__
from modelarts_widgets._types import Timeout
from modelarts_widgets.auth.signer import encode_query
from modelarts_widgets.errors import (
    APIError,
    MalformedResponseError,
    RateLimitError,
    RequestTimeoutError,
    TransportError,
    error_for_status,
    hint_for,
)
from modelarts_widgets.models import error_code_of, error_message_of

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "DEFAULT_USER_AGENT",
    "HttpClient",
    "HttpEvent",
    "HttpReply",
    "OverHttp",
    "RequestOptions",
    "RetryPolicy",
    "hint_for",
    "is_expiry",
]

logger = logging.getLogger("modelarts_widgets.http")

DEFAULT_USER_AGENT = f"modelarts-widgets/{__version__} python-requests/{requests.__version__}"

#: Methods that may be re-sent after a transport error or a 5xx (no side effects).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
#: 401 codes that mean "your credentials expired" (refresh and resend once).
_EXPIRY_CODES = frozenset({"ModelArts.0202", "ModelArts.4127", "ModelArts.6620"})
_APIG_AUTH_CODES = frozenset({"APIG.0301", "APIGW.0301"})

Listener = Callable[["HttpEvent"], None]

JSON_CONTENT_TYPE = "application/json"
#: Connections kept per host for reuse: a list's most requests at once (32 deletes, 16 version
#: listings, a job page, the workspaces) fit, so none is dropped and opened again.
POOL_SIZE = 64


class RequestOptions(TypedDict, total=False):
    """The keywords of a request besides method and path (:meth:`HttpClient.request_raw` has
    them with their defaults)."""

    params: Optional[Mapping[str, Any]]
    json: Optional[Any]
    content_type: str


def query_string(params: Optional[Mapping[str, Any]]) -> str:
    """The query as the official SDK sends it: ``None`` values dropped, sorted, RFC 3986
    percent-encoding (space ``%20``, ``+`` ``%2B``, ``~`` kept); booleans as ``true``/``false``."""
    if not params:
        return ""
    return encode_query([(key, value) for key, value in params.items() if value is not None])


def json_body(payload: Optional[Any]) -> Optional[bytes]:
    """A JSON body serialised as the official SDK does (``json.dumps`` defaults, UTF-8)."""
    if payload is None:
        return None
    return json.dumps(payload).encode("utf-8")


@dataclass(frozen=True)
class HttpEvent:
    """A wait or credential refresh, reported before it happens.

    ``kind`` is ``"retry"`` (backoff after an error), ``"rate_limited"`` (HTTP 429) or
    ``"refreshed"`` (credentials refreshed after an expiry 401; ``wait_s`` is 0).
    ``attempt`` counts the re-sends so far, starting at 1.
    """

    kind: str
    method: str
    path: str
    wait_s: float
    attempt: int
    reason: str

    def describe(self) -> str:
        """Short human text, e.g. ``"waiting 2 s (rate limited)"``."""
        if self.kind == "refreshed":
            return "credentials refreshed"
        label = "rate limited" if self.kind == "rate_limited" else self.reason
        amount = f"{self.wait_s:.0f}" if self.wait_s >= 1 else f"{self.wait_s:.1f}"
        return f"waiting {amount} s ({label})"


@dataclass(frozen=True)
class HttpReply:
    """One HTTP answer. ``body`` is the JSON object (``{}`` for an empty body); ``headers`` is
    case-insensitive.

    ``malformed`` is set when the body was not a JSON object; ``snippet`` then holds a short,
    sanitized excerpt of it.
    """

    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = field(repr=False)
    request_id: Optional[str] = None
    malformed: bool = False
    snippet: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def is_expiry(status: int, body: Mapping[str, Any]) -> bool:
    """Whether a reply says the credentials expired (worth one refresh and resend)."""
    if status != 401:
        return False
    code = error_code_of(body) or ""
    if code in _EXPIRY_CODES:
        return True
    if code in _APIG_AUTH_CODES:
        text = (error_message_of(body) or "").lower()
        return "expire" in text or "token" in text
    return False


_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
_LONG_TOKEN_RE = re.compile(r"[A-Za-z0-9+/=_-]{40,}")


def sanitize_snippet(text: str, limit: int = 120) -> str:
    """A short, printable, tag-free excerpt; long opaque tokens are elided."""
    text = _TAG_RE.sub(" ", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = _SPACE_RE.sub(" ", text).strip()
    text = _LONG_TOKEN_RE.sub("[…]", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds from ``Retry-After`` (delta seconds or HTTP date); ``None`` if absent/bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _parse_body(resp: requests.Response) -> tuple[dict[str, Any], bool, str]:
    raw = resp.content or b""
    if not raw.strip():
        return {}, False, ""
    try:
        # JSON is UTF-8 (RFC 8259) whatever the Content-Type says; tolerate a BOM.
        data = json.loads(raw.decode("utf-8-sig"))
    except ValueError:  # includes UnicodeDecodeError
        data = None
    if isinstance(data, dict):
        return data, False, ""
    text = raw[:2000].decode("utf-8", errors="replace")
    return {}, True, sanitize_snippet(text)


@dataclass(frozen=True)
class RetryPolicy:
    """When :class:`HttpClient` re-sends a request and how long it waits first.

    An idempotent request (GET, HEAD, OPTIONS) is re-sent after a transport error or a 5xx at
    most ``max_retries`` times, re-send n after ``backoff_base * 2**(n-1)`` seconds (jittered,
    at most ``max_retry_after``). A 429 (any method) waits ``Retry-After`` (at most
    ``max_retry_after``; absent: the backoff) on its own budget: ``max_rate_limit_retries``
    re-sends whose waits add up to at most ``max_rate_limit_wait`` seconds. ``sleep`` and
    ``rng`` are injectable so the waits can be tested without waiting.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    max_retry_after: float = 30.0
    max_rate_limit_wait: float = 120.0
    max_rate_limit_retries: int = 50
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")

    def backoff(self, attempt: int) -> float:
        """``backoff_base * 2**(attempt-1)``, jittered to [50 %, 100 %], capped."""
        full: float = min(self.backoff_base * float(2 ** (attempt - 1)), self.max_retry_after)
        return full * (0.5 + 0.5 * self.rng.random())

    def resend_wait(self, method: str, retries: int) -> Optional[float]:
        """Seconds to wait before re-sending after a transport error or a 5xx (``retries``
        re-sends so far), or ``None``: not idempotent, or ``max_retries`` spent."""
        if method not in _IDEMPOTENT or retries >= self.max_retries:
            return None
        return self.backoff(retries + 1)

    def rate_limit_wait(
        self, retry_after: Optional[float], throttled: int, waited: float
    ) -> Optional[float]:
        """Seconds to wait before re-sending a 429 (``throttled`` re-sends after ``waited``
        seconds so far), or ``None`` once the 429 budget is spent."""
        if throttled >= self.max_rate_limit_retries:
            return None
        wait = self.backoff(min(throttled, 6) + 1) if retry_after is None else retry_after
        wait = min(wait, self.max_retry_after)
        if waited + wait > self.max_rate_limit_wait:
            return None
        return wait


def _pinned_session(base_url: str, verify: Union[bool, str]) -> requests.Session:
    """A session with the environment's proxy and CA-bundle settings for ``base_url``, read once,
    and room in its connection pool for every request a list sends at once (:data:`POOL_SIZE`).

    ``requests`` reads them again on every request when ``trust_env`` is on, scanning and
    decoding all of ``os.environ`` several times, the largest part of a request's CPU time; it
    also looks for ``~/.netrc``, whose credentials would replace the request's signature.
    """
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    env = session.merge_environment_settings(base_url, {}, None, verify, None)
    session.trust_env = False
    session.proxies.update(env["proxies"])
    session.verify = env["verify"]
    return session


class HttpClient:
    """HTTP to one base URL through one ``requests.Session``, re-sending as ``retry`` says
    (default :class:`RetryPolicy`)."""

    def __init__(
        self,
        base_url: str,
        auth: Optional[requests.auth.AuthBase],
        *,
        timeout: Timeout = (5.0, 30.0),
        verify: Union[bool, str] = True,
        retry: Optional[RetryPolicy] = None,
        user_agent: str = DEFAULT_USER_AGENT,
        session: Optional[requests.Session] = None,
    ) -> None:
        if not base_url or "://" not in base_url:
            raise ValueError("base_url must be an absolute http(s) URL")
        self._base_url = base_url.rstrip("/")
        self._auth = auth
        self.timeout = timeout
        self.verify = verify
        self.retry = retry or RetryPolicy()
        if session is None:
            session = _pinned_session(self._base_url, verify)
        else:
            session.verify = verify  # also for anything else using this requests session
        self._session = session
        self._session.headers.update(
            {
                "User-Agent": user_agent,
                "Accept": "application/json",
                # as the official SDK: on every request, also GET and DELETE (signed)
                "Content-Type": JSON_CONTENT_TYPE,
            }
        )
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    # --- public ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def auth(self) -> Optional[requests.auth.AuthBase]:
        return self._auth

    def __repr__(self) -> str:
        return f"HttpClient(base_url={self._base_url!r})"

    def add_event_listener(self, callback: Listener) -> None:
        """Call ``callback(HttpEvent)`` before every wait/refresh."""
        with self._lock:
            if callback not in self._listeners:
                self._listeners.append(callback)

    def remove_event_listener(self, callback: Listener) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **options: Unpack[RequestOptions]) -> HttpReply:
        """:meth:`request_raw` (same keywords) for a 2xx JSON reply; any other status raises its
        :class:`APIError` subclass.

        Raises :class:`MalformedResponseError` for a non-JSON body and
        :class:`TransportError` / :class:`RequestTimeoutError` when nothing answered.
        """
        reply = self.request_raw(method, path, **options)
        if reply.malformed:
            raise self._malformed(method, path, reply)
        if not reply.ok:
            raise self.error_from_reply(method, path, reply)
        return reply

    def request_raw(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Optional[Any] = None,
        content_type: str = JSON_CONTENT_TYPE,
    ) -> HttpReply:
        """Send with the retry policy; the reply for any HTTP status (and malformed bodies).

        ``params`` is the query, ``json`` the body; ``content_type`` is what the official SDK
        sends for this operation (signed).

        Raises only :class:`TransportError` (no answer).
        """
        method = method.upper()
        if not path.startswith("/"):
            path = "/" + path
        url = self._base_url + path
        query = query_string(params)
        if query:
            url += "?" + query
        data = json_body(json)
        retries = 0  # re-sends after 5xx / transport errors
        throttled = 0  # re-sends after 429
        throttled_wait = 0.0
        refreshed = False
        while True:
            started = time.monotonic()
            try:
                resp = self._session.request(
                    method,
                    url,
                    data=data,
                    headers={"Content-Type": content_type},
                    auth=self._auth,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.Timeout as exc:
                error: TransportError = RequestTimeoutError(
                    f"{method} {path}: no answer within the timeout", method, path
                )
                reason = "timeout"
                cause: BaseException = exc
            except requests.RequestException as exc:
                error = TransportError(
                    f"{method} {path}: connection failed ({type(exc).__name__})", method, path
                )
                reason = "connection error"
                cause = exc
            else:
                reply = self._reply(resp)
                elapsed_ms = (time.monotonic() - started) * 1000.0
                logger.debug(
                    "%s %s -> %s (request id %s, %.0f ms)",
                    method,
                    path,
                    reply.status,
                    reply.request_id,
                    elapsed_ms,
                )
                if not refreshed and is_expiry(reply.status, reply.body) and self._refresh_auth():
                    refreshed = True
                    self._emit("refreshed", method, path, 0.0, 1, "credentials expired")
                    continue
                if reply.status == 429:
                    retry_after = parse_retry_after(reply.headers.get("Retry-After"))
                    wait = self.retry.rate_limit_wait(retry_after, throttled, throttled_wait)
                    if wait is None:
                        return reply
                    throttled += 1
                    throttled_wait += wait
                    self._emit("rate_limited", method, path, wait, throttled, "rate limited")
                    self.retry.sleep(wait)
                    continue
                wait = self.retry.resend_wait(method, retries) if reply.status >= 500 else None
                if wait is None:
                    return reply
                retries += 1
                self._emit("retry", method, path, wait, retries, f"HTTP {reply.status}")
                self.retry.sleep(wait)
                continue
            logger.debug("%s %s -> %s", method, path, reason)
            wait = self.retry.resend_wait(method, retries)
            if wait is None:
                raise error from cause
            retries += 1
            self._emit("retry", method, path, wait, retries, reason)
            self.retry.sleep(wait)

    def error_from_reply(self, method: str, path: str, reply: HttpReply) -> APIError:
        """The :class:`APIError` subclass for a failed reply, in the server's words."""
        if reply.malformed:
            return self._malformed(method, path, reply)
        code = error_code_of(reply.body)
        msg = error_message_of(reply.body)
        request_id = reply.request_id
        detail = ": ".join(part for part in (code, msg) if part) or "no error details"
        message = f"{method} {path} failed with HTTP {reply.status}: {detail}"
        hint = hint_for(reply.status, code)
        if hint:
            message = f"{message.rstrip('.')}. Hint: {hint}."
        cls = error_for_status(reply.status)
        kwargs: dict[str, Any] = {
            "status_code": reply.status,
            "error_code": code,
            "error_msg": msg,
            "request_id": request_id,
        }
        if cls is RateLimitError:
            return RateLimitError(
                message, retry_after=parse_retry_after(reply.headers.get("Retry-After")), **kwargs
            )
        return cls(message, **kwargs)

    # --- internals ------------------------------------------------------------------------

    def _reply(self, resp: requests.Response) -> HttpReply:
        body, malformed, snippet = _parse_body(resp)
        request_id = resp.headers.get("X-Request-Id") or None
        if request_id is None:
            rid = body.get("request_id")
            request_id = rid if isinstance(rid, str) and rid else None
        return HttpReply(
            status=resp.status_code,
            body=body,
            headers=CaseInsensitiveDict(resp.headers),
            request_id=request_id,
            malformed=malformed,
            snippet=snippet,
        )

    def _malformed(self, method: str, path: str, reply: HttpReply) -> MalformedResponseError:
        snippet = reply.snippet or "(empty)"
        return MalformedResponseError(
            f"{method} {path}: HTTP {reply.status} with a body that is not JSON: {snippet!r}",
            status_code=reply.status,
            request_id=reply.request_id,
        )

    def _refresh_auth(self) -> bool:
        refresh = getattr(self._auth, "refresh", None)
        if not callable(refresh):
            return False
        try:
            return bool(refresh())
        except Exception as exc:  # a failed refresh keeps the original 401
            logger.debug("credential refresh failed: %s", type(exc).__name__)
            return False

    def _emit(
        self, kind: str, method: str, path: str, wait: float, attempt: int, reason: str
    ) -> None:
        event = HttpEvent(kind, method, path, wait, attempt, reason)
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback(event)
            except Exception:
                logger.exception("HTTP event listener failed")


class OverHttp:
    """A provider that talks through one :class:`HttpClient` (set as ``_http``): its HTTP-wait
    listeners, its closing and its ``/{api_version}/{project_id}/…`` paths."""

    #: The API generation of the paths: ``"v1"`` or ``"v2"``.
    api_version: ClassVar[str]
    project_id: str
    _http: HttpClient

    @property
    def http(self) -> HttpClient:
        return self._http

    def add_event_listener(self, callback: Callable[[HttpEvent], None]) -> None:
        self._http.add_event_listener(callback)

    def remove_event_listener(self, callback: Callable[[HttpEvent], None]) -> None:
        self._http.remove_event_listener(callback)

    def close(self) -> None:
        self._http.close()

    def _path(self, *parts: str) -> str:
        return "/".join(("", self.api_version, self.project_id, *parts))

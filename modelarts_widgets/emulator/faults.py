"""Fault injection: latency, random errors, forced next-N failures, 429 throttling.

All randomness comes from one ``random.Random(rng_seed)`` so a fault run is reproducible.
Faults never apply to the ``/_emulator/`` control prefix (the server checks that).
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, TypedDict

from .._kwargs import check_keywords  # noqa: TID252 - not client side (see tests)

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: Kinds of forced failure. ``status`` = JSON error with a status code; ``drop`` = close the
#: connection without answering; ``html`` = an HTML proxy error page; ``malformed`` = a 200
#: whose body is not JSON; ``throttle`` = 429 with ``Retry-After``.
FORCED_KINDS = ("status", "drop", "html", "malformed", "throttle")

DEFAULT_ERROR_BODIES: dict[int, dict[str, str]] = {
    500: {"error_code": "ModelArts.0001", "error_msg": "Internal server error (injected fault)."},
    502: {"error_code": "APIG.0202", "error_msg": "Backend unavailable (injected fault)."},
    503: {"error_code": "APIG.0202", "error_msg": "Service unavailable (injected fault)."},
    504: {"error_code": "APIG.0201", "error_msg": "Backend timeout (injected fault)."},
}


def error_body(status: int) -> dict[str, str]:
    """The default JSON body for an injected error status."""
    return dict(
        DEFAULT_ERROR_BODIES.get(
            status, {"error_code": "ModelArts.0001", "error_msg": f"Injected error {status}."}
        )
    )


def throttle_body(limit: str = "policy user over ratelimit") -> dict[str, str]:
    """The APIG.0308 body of a 429."""
    return {
        "error_code": "APIG.0308",
        "error_msg": f"The throttling threshold has been reached: {limit}",
    }


class Where(TypedDict, total=False):
    """The keywords every fault takes to pick the requests it applies to (default: all)."""

    #: a regex searched in the request path
    path: Optional[str]
    #: an HTTP method
    method: Optional[str]


class RateLimit(Where, total=False):
    """The keywords of ``set_rate_limit(rate, **options)`` (spec ``"rate_limit"``)."""

    #: bucket size: requests allowed at once (default ``max(1, rate)``)
    burst: Optional[float]
    #: ``Retry-After`` seconds of the 429 (default 1; ``None`` sends no header)
    retry_after: Optional[float]


WHERE = tuple(Where.__annotations__)
RATE_LIMIT = tuple(RateLimit.__annotations__)


@dataclass
class Matcher:
    """Which requests a rule applies to: ``path`` is a regex searched in the path."""

    path: Optional[str] = None
    method: Optional[str] = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path and re.search(self.path, path) is None)


def _matcher(owner: str, options: Mapping[str, Any], valid: Iterable[str] = WHERE) -> Matcher:
    """The :class:`Matcher` of ``options``; a keyword not in ``valid`` raises ``TypeError``."""
    check_keywords(owner, options, valid)
    return Matcher(options.get("path"), options.get("method"))


def _pick(item: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The entries of a JSON spec item that are these keywords (others are ignored)."""
    return {k: item[k] for k in keys if k in item}


@dataclass
class LatencyRule:
    seconds: float
    match: Matcher = field(default_factory=Matcher)


@dataclass
class ErrorRate:
    rate: float
    statuses: Sequence[int] = (500, 502, 503)
    match: Matcher = field(default_factory=Matcher)


@dataclass
class ForcedFault:
    """The next ``remaining`` matching requests fail this way."""

    kind: str
    remaining: int
    status: int = 500
    body: Optional[dict[str, Any]] = None
    retry_after: Optional[float] = 1
    match: Matcher = field(default_factory=Matcher)


@dataclass
class TokenBucket:
    """``rate`` requests/second with a burst of ``capacity``."""

    rate: float
    capacity: float
    retry_after: Optional[float] = 1
    tokens: float = 0.0
    stamp: float = 0.0
    match: Matcher = field(default_factory=Matcher)

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class Decision:
    """What to do with one request: wait ``delay`` seconds, then maybe fail as ``kind``."""

    delay: float = 0.0
    kind: Optional[str] = None
    status: int = 200
    body: Optional[dict[str, Any]] = None
    retry_after: Optional[float] = None


class Faults:
    """Thread-safe fault configuration and the per-request decision."""

    def __init__(self, rng_seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng_seed = rng_seed
        self.clear()

    def clear(self) -> None:
        """Remove every fault and re-seed the random generator."""
        with self._lock:
            self.rng = random.Random(self._rng_seed)
            self.latency: list[LatencyRule] = []
            self.error_rates: list[ErrorRate] = []
            self.forced: list[ForcedFault] = []
            self.bucket: Optional[TokenBucket] = None
            self.proxy_rewrites = False

    # -- configuration -------------------------------------------------------------------
    def add_latency(self, seconds: float, **where: Unpack[Where]) -> None:
        match = _matcher("add_latency", where)
        with self._lock:
            self.latency.append(LatencyRule(float(seconds), match))

    def set_error_rate(
        self, rate: float, statuses: Sequence[int] = (500, 502, 503), **where: Unpack[Where]
    ) -> None:
        match = _matcher("set_error_rate", where)
        if not 0.0 <= rate <= 1.0:
            raise ValueError("error rate must be within [0, 1]")
        with self._lock:
            self.error_rates = [r for r in self.error_rates if r.match != match]
            if rate > 0:
                self.error_rates.append(ErrorRate(rate, tuple(statuses), match))

    def force(
        self,
        kind: str = "status",
        count: int = 1,
        status: Optional[int] = None,
        body: Optional[dict[str, Any]] = None,
        retry_after: Optional[float] = 1,
        **where: Unpack[Where],
    ) -> None:
        match = _matcher("force", where)
        if kind not in FORCED_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FORCED_KINDS}")
        if status is None:
            status = {"throttle": 429, "html": 502, "malformed": 200}.get(kind, 500)
        with self._lock:
            self.forced.append(ForcedFault(kind, int(count), int(status), body, retry_after, match))

    def set_rate_limit(self, rate: Optional[float], **options: Unpack[RateLimit]) -> None:
        """A token bucket of ``rate`` requests/second (``None`` or 0 removes it)."""
        match = _matcher("set_rate_limit", options, RATE_LIMIT)
        with self._lock:
            if not rate:
                self.bucket = None
                return
            burst = options.get("burst")
            capacity = float(burst) if burst else max(1.0, float(rate))
            retry_after = options.get("retry_after", 1)
            self.bucket = TokenBucket(
                float(rate), capacity, retry_after, capacity, time.monotonic(), match
            )

    def set_proxy_rewrites(self, on: bool = True) -> None:
        """Rewrite ``Connection`` / ``Accept-Encoding`` of every request, as a proxy may."""
        with self._lock:
            self.proxy_rewrites = bool(on)

    def configure(self, spec: Mapping[str, Any]) -> None:
        """Apply a JSON fault spec (the body of ``POST /_emulator/faults``); see the docs."""
        if "proxy_rewrites" in spec:
            self.set_proxy_rewrites(bool(spec["proxy_rewrites"]))
        latency = spec.get("latency")
        if latency is not None:
            for item in latency if isinstance(latency, list) else [latency]:
                if isinstance(item, Mapping):
                    self.add_latency(item["seconds"], **_pick(item, WHERE))
                else:
                    self.add_latency(float(item))
        rate = spec.get("error_rate")
        if rate is not None:
            if isinstance(rate, Mapping):
                self.set_error_rate(
                    float(rate["rate"]),
                    tuple(rate.get("statuses", (500, 502, 503))),
                    **_pick(rate, WHERE),
                )
            else:
                self.set_error_rate(float(rate))
        for item in spec.get("force", []) or []:
            self.force(
                kind=item.get("kind", "status"),
                count=int(item.get("count", 1)),
                status=item.get("status"),
                body=item.get("body"),
                retry_after=item.get("retry_after", 1),
                **_pick(item, WHERE),
            )
        limit = spec.get("rate_limit", "absent")
        if limit != "absent":
            if isinstance(limit, Mapping):
                self.set_rate_limit(limit.get("rate"), **_pick(limit, RATE_LIMIT))
            else:
                self.set_rate_limit(limit)

    def describe(self) -> dict[str, Any]:
        """The active faults as JSON-able data (for ``GET /_emulator/stats``)."""
        with self._lock:
            return {
                "latency": [{"seconds": r.seconds, **vars(r.match)} for r in self.latency],
                "error_rate": [
                    {"rate": r.rate, "statuses": list(r.statuses), **vars(r.match)}
                    for r in self.error_rates
                ],
                "force": [
                    {"kind": f.kind, "count": f.remaining, "status": f.status, **vars(f.match)}
                    for f in self.forced
                ],
                "rate_limit": None
                if self.bucket is None
                else {"rate": self.bucket.rate, "burst": self.bucket.capacity},
                "proxy_rewrites": self.proxy_rewrites,
            }

    # -- per request ---------------------------------------------------------------------
    def decide(self, method: str, path: str) -> Decision:
        """Decide the fate of one request (consumes forced faults and bucket tokens)."""
        with self._lock:
            delay = sum(r.seconds for r in self.latency if r.match.matches(method, path))
            for fault in self.forced:
                if fault.remaining > 0 and fault.match.matches(method, path):
                    fault.remaining -= 1
                    self.forced = [f for f in self.forced if f.remaining > 0]
                    body = fault.body
                    if body is None and fault.kind == "status":
                        body = error_body(fault.status)
                    if body is None and fault.kind == "throttle":
                        body = throttle_body()
                    return Decision(delay, fault.kind, fault.status, body, fault.retry_after)
            bucket = self.bucket
            if (
                bucket is not None
                and bucket.match.matches(method, path)
                and not bucket.take(time.monotonic())
            ):
                limit = f"policy user over ratelimit,limit:{bucket.rate:g},time:1 second"
                return Decision(delay, "throttle", 429, throttle_body(limit), bucket.retry_after)
            for rule in self.error_rates:
                if rule.match.matches(method, path) and self.rng.random() < rule.rate:
                    status = self.rng.choice(list(rule.statuses))
                    return Decision(delay, "status", status, error_body(status))
            return Decision(delay)

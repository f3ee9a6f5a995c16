"""Server-side SDK-HMAC-SHA256 verification, written independently of ``modelarts_widgets.auth``.

Rebuilds the canonical request exactly as ``huaweicloudsdkcore``'s ``Signer`` does (see
modelarts-api.md §5.2) from what arrived on the wire, and compares signatures in constant time.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
MAX_SKEW_SECONDS = 15 * 60

_AUTH_RE = re.compile(
    r"^\s*SDK-HMAC-SHA256\s+Access=(?P<access>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*$"
)


@dataclass(frozen=True)
class AuthorizationHeader:
    """The parsed ``Authorization: SDK-HMAC-SHA256 ...`` header."""

    access_key: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Optional[AuthorizationHeader]:
    """Parse an ``Authorization`` header value; ``None`` if it is not SDK-HMAC-SHA256."""
    match = _AUTH_RE.match(value or "")
    if match is None:
        return None
    signed = tuple(h for h in match.group("signed").split(";") if h)
    return AuthorizationHeader(match.group("access"), signed, match.group("sig").lower())


def canonical_uri(raw_path: str) -> str:
    """``unquote`` the path, ``quote(safe='~')`` each segment, always end with ``/``."""
    uri = "/".join(quote(seg, safe="~") for seg in unquote(raw_path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def raw_query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """``(key, value)`` pairs of the query string as received, decoding only ``%XX``.

    A ``+`` stays a literal plus (it is not a space here, as it may not be at the real gateway).
    """
    split = (part.partition("=") for part in raw_query.split("&") if part)
    return [(unquote(key), unquote(value)) for key, _, value in split]


def canonical_query(raw_query: str) -> str:
    """Sorted ``quote(k)=quote(v)`` pairs joined by ``&`` (spaces as ``%20``)."""
    pairs = sorted(raw_query_pairs(raw_query))
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)


def canonical_request(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """The canonical request string; ``headers`` must be keyed by lower-case names."""
    lines = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    if not body:
        payload_hash = EMPTY_HASH
    else:
        payload_hash = headers.get("x-sdk-content-sha256") or hashlib.sha256(body).hexdigest()
    return "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            lines,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def string_to_sign(sdk_date: str, canonical: str) -> str:
    """``SDK-HMAC-SHA256\\n<date>\\n<hex sha256(canonical)>``."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, to_sign: str) -> str:
    """Hex HMAC-SHA256 of ``to_sign`` keyed with the raw secret key (no derivation)."""
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_sdk_date(value: str) -> Optional[float]:
    """Epoch seconds of an ``X-Sdk-Date`` value, ``None`` if malformed."""
    try:
        return float(calendar.timegm(time.strptime(value.strip(), DATE_FORMAT)))
    except (ValueError, AttributeError):
        return None


def verify(
    secret_key: str,
    auth: AuthorizationHeader,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> bool:
    """True if ``auth.signature`` matches the request signed with ``secret_key``."""
    canonical = canonical_request(method, raw_path, raw_query, headers, auth.signed_headers, body)
    expected = signature(secret_key, string_to_sign(headers.get("x-sdk-date", ""), canonical))
    return hmac.compare_digest(expected, auth.signature)

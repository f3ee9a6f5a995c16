"""SDK-HMAC-SHA256 request signing, byte-for-byte as ``huaweicloudsdkcore``'s ``Signer``.

The pure functions build the canonical request, the string to sign and the signature
(modelarts-api.md §5.2); :class:`AkSkAuth` applies them to every ``requests`` request.
``tests/auth/test_auth_signer.py`` proves the result equal to the official signer's.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Optional, Union
from urllib.parse import quote, unquote, urlsplit

import requests
import requests.auth

from modelarts_widgets.auth._refresh import SourceAuth
from modelarts_widgets.auth.credentials import Credentials, CredentialSource

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "SIGNED_HEADERS",
    "AkSkAuth",
    "QueryParams",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "encode_query",
    "raw_query_pairs",
    "sdk_date",
    "sign",
    "signature",
    "signed_header_names",
    "string_to_sign",
]

logger = logging.getLogger("modelarts_widgets.auth")

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256"

#: The headers a request is signed over, when present: exactly those the official SDK sets
#: itself. Anything ``requests`` or a proxy adds (``Accept``, ``Accept-Encoding``, ``Connection``,
#: ``Content-Length``) stays unsigned, so a proxy rewriting it cannot break the signature.
SIGNED_HEADERS = ("Content-Type", "Host", "User-Agent", "X-Project-Id", "X-Sdk-Date")
SECURITY_TOKEN_HEADER = "X-Security-Token"  # noqa: S105 - a header name

#: ``[(key, value), ...]``; a value may be a list (repeated key) or a bool (``true``/``false``).
QueryParams = Sequence[tuple[str, object]]
Body = Union[bytes, str, None]


def _encode(text: str) -> str:
    return quote(text, safe="~")


def sdk_date(now: Optional[datetime.datetime] = None) -> str:
    """``X-Sdk-Date`` value (UTC ``YYYYMMDDTHHMMSSZ``)."""
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    return moment.strftime(DATE_FORMAT)


def canonical_uri(path: str) -> str:
    """Unquote, quote each segment with ``safe='~'`` and end with ``/`` (signing only)."""
    uri = "/".join(_encode(segment) for segment in unquote(path or "/").split("/"))
    return uri if uri.endswith("/") else uri + "/"


def raw_query_pairs(query: str) -> list[tuple[str, object]]:
    """The pairs of a query string as sent, decoding only ``%XX`` (``+`` is a literal plus)."""
    pairs: list[tuple[str, object]] = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


def encode_query(params: QueryParams) -> str:
    """The query string as the official SDK sends it: its canonical form (sorted, RFC 3986)."""
    return canonical_query(params)


def canonical_query(params: QueryParams) -> str:
    """Sorted ``key=value`` pairs joined by ``&``; list values sorted and repeated."""
    pairs = list(params)
    try:
        pairs.sort()
    except TypeError:  # mixed value types under one key: order them as text
        pairs.sort(key=lambda kv: (kv[0], str(kv[1])))
    parts: list[str] = []
    for key, value in pairs:
        name = _encode(key)
        if isinstance(value, list):
            parts.extend(f"{name}={_encode(str(item))}" for item in sorted(value))
        elif isinstance(value, bool):
            parts.append(f"{name}={_encode(str(value).lower())}")
        else:
            parts.append(f"{name}={_encode(str(value))}")
    return "&".join(parts)


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    """Every header name without ``_``, lower-cased and sorted."""
    return sorted(name.lower() for name in headers if "_" not in name)


def _payload_hash(headers: Mapping[str, str], body: Body) -> str:
    if not body:
        return EMPTY_SHA256
    for name, value in headers.items():
        if name.lower() == _CONTENT_HASH_HEADER.lower() and value:
            return value
    data = body.encode("utf-8") if isinstance(body, str) else body
    return hashlib.sha256(data).hexdigest()


def canonical_request(
    method: str, path: str, query: QueryParams, headers: Mapping[str, str], body: Body = None
) -> str:
    """``METHOD\\nURI\\nQUERY\\nHEADERS\\nSIGNED_HEADERS\\nPAYLOAD_HASH`` (§5.2 step 9)."""
    values = {name.lower(): str(value).strip() for name, value in headers.items()}
    names = signed_header_names(headers)
    header_block = "".join(f"{name}:{values[name]}\n" for name in names)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            header_block,
            ";".join(names),
            _payload_hash(headers, body),
        ]
    )


def string_to_sign(canonical: str, date: str) -> str:
    """``SDK-HMAC-SHA256\\n{X-Sdk-Date}\\n{hex sha256(canonical request)}``."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{date}\n{digest}"


def signature(secret_key: str, to_sign: str) -> str:
    """Hex HMAC-SHA256 of ``to_sign`` keyed with the secret key itself (no derivation)."""
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _get(headers: Mapping[str, str], name: str) -> Optional[str]:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def sign(
    access_key: str,
    secret_key: str,
    method: str,
    host: str,
    path: str,
    query: QueryParams,
    headers: Mapping[str, str],
    body: Body = None,
) -> dict[str, str]:
    """Return ``headers`` plus ``X-Sdk-Date`` / ``Host`` (when absent) and ``Authorization``.

    A non-JSON ``Content-Type`` adds ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` as core does.
    """
    if not access_key or not secret_key:
        raise ValueError("an access key and a secret key are required to sign a request")
    out = dict(headers)
    content_type = _get(out, "Content-Type")
    if content_type and not content_type.startswith(("application/json", "application/bson")):
        out[_CONTENT_HASH_HEADER] = "UNSIGNED-PAYLOAD"
    date = _get(out, "X-Sdk-Date")
    if date is None:
        date = sdk_date()
        out["X-Sdk-Date"] = date
    if _get(out, "Host") is None:
        out["Host"] = host
    canonical = canonical_request(method, path, query, out, body)
    names = ";".join(signed_header_names(out))
    sig = signature(secret_key, string_to_sign(canonical, date))
    out["Authorization"] = (
        f"{ALGORITHM} Access={access_key}, SignedHeaders={names}, Signature={sig}"
    )
    return out


def _host_of(netloc: str) -> str:
    """``host[:port]`` from a URL's netloc (user info dropped; the port kept as core does)."""
    return netloc.rpartition("@")[2]


class AkSkAuth(SourceAuth[CredentialSource, Credentials]):
    """Signs each request with the current credentials of ``source`` (SDK-HMAC-SHA256).

    Adds ``X-Project-Id`` (when a project id is set), ``X-Security-Token`` (temporary
    credentials), ``X-Sdk-Date``, ``Host`` and ``Authorization``. Only :data:`SIGNED_HEADERS`
    (+ the security token) are signed, the set the official SDK signs; the query is read as
    sent (only ``%XX`` decoded), so build it with :func:`encode_query`. :meth:`refresh` asks
    the source for new credentials: True if they differ from those this thread signed with.
    """

    def __init__(
        self,
        source: CredentialSource,
        project_id: Optional[str] = None,
        *,
        clock: Optional[Callable[[], datetime.datetime]] = None,
    ) -> None:
        super().__init__(source)
        self.project_id = project_id
        self._clock = clock

    def __repr__(self) -> str:
        return f"AkSkAuth(source={self.source!r}, project_id={self.project_id!r})"

    def _current(self) -> Credentials:
        return self.source.get()

    def _renew(self, used: Optional[Credentials]) -> bool:
        after = self.source.refresh()
        logger.debug("AK/SK credentials refreshed from %s", self.source)
        return after != used

    def sign_with(
        self, creds: Credentials, r: requests.PreparedRequest
    ) -> requests.PreparedRequest:
        """Sign ``r`` in place with ``creds``."""
        body = r.body
        if body is not None and not isinstance(body, (bytes, str)):
            raise TypeError("AK/SK signing needs the whole body; streamed bodies are not supported")
        parts = urlsplit(r.url or "")
        for name in ("X-Sdk-Date", "Authorization", "Host", SECURITY_TOKEN_HEADER, "X-Project-Id"):
            r.headers.pop(name, None)
        if self.project_id:
            r.headers["X-Project-Id"] = self.project_id
        if creds.security_token:
            r.headers[SECURITY_TOKEN_HEADER] = creds.security_token
        r.headers["X-Sdk-Date"] = sdk_date(self._clock() if self._clock else None)
        names = (*SIGNED_HEADERS, SECURITY_TOKEN_HEADER)
        to_sign = {name: r.headers[name] for name in names if name in r.headers}
        signed = sign(
            creds.access_key,
            creds.secret_key,
            r.method or "GET",
            _host_of(parts.netloc),
            parts.path or "/",
            raw_query_pairs(parts.query),
            to_sign,
            body,
        )
        r.headers.update(signed)
        return r

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return self.sign_with(self._use(), r)

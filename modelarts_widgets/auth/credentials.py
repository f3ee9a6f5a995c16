"""AK/SK credentials and the sources that provide (and refresh) them.

Every source has ``get() -> Credentials`` (cached, refreshed when close to expiry) and
``refresh() -> Credentials`` (fetch again now). Nothing here logs or shows a secret:
:class:`Credentials` masks itself and sources describe themselves by name only.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional, Protocol, runtime_checkable

import requests

from modelarts_widgets.auth._refresh import FixedSource
from modelarts_widgets.errors import ConfigurationError

__all__ = [
    "CredentialSource",
    "CredentialSourceError",
    "Credentials",
    "EnvironmentCredentialSource",
    "MetadataCredentialSource",
    "OfficialSdkCredentialSource",
    "StaticCredentialSource",
    "mask",
    "parse_timestamp",
]

logger = logging.getLogger("modelarts_widgets.auth")

#: Refresh temporary credentials this many seconds before they expire.
REFRESH_MARGIN_S = 300.0


class CredentialSourceError(ConfigurationError):
    """A credential source could not produce credentials (the message names no secret)."""


def mask(access_key: str) -> str:
    """First 4 characters of an access key, then ``…``."""
    return f"{access_key[:4]}…" if access_key else ""


def parse_timestamp(value: object) -> Optional[float]:
    """Epoch seconds from an ISO-8601 UTC string (``…Z``, fractions optional) or a number."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python 3.9's fromisoformat accepts only 3 or 6 fraction digits: normalise to 6.
    head, dot, tail = text.partition(".")
    if dot:
        count = len(tail) - len(tail.lstrip("0123456789"))
        digits, zone = tail[:count], tail[count:]
        text = f"{head}.{(digits + '000000')[:6]}{zone}"
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


@dataclass(frozen=True, repr=False)
class Credentials:
    """An access key, secret key, optional security token and expiry (epoch seconds)."""

    access_key: str
    secret_key: str
    security_token: Optional[str] = None
    expires_at: Optional[float] = None

    def __repr__(self) -> str:
        token = ", security_token=<set>" if self.security_token else ""
        expiry = f", expires_at={self.expires_at!r}" if self.expires_at is not None else ""
        return (
            f"Credentials(access_key={mask(self.access_key)!r}, secret_key=<hidden>{token}{expiry})"
        )

    __str__ = __repr__

    @property
    def is_temporary(self) -> bool:
        """True for temporary credentials (they carry a security token)."""
        return bool(self.security_token)

    def expires_within(self, seconds: float) -> bool:
        """True if these credentials expire within ``seconds`` from now."""
        return self.expires_at is not None and self.expires_at - time.time() <= seconds


@runtime_checkable
class CredentialSource(Protocol):
    """Where AK/SK credentials come from."""

    name: str

    def get(self) -> Credentials: ...

    def refresh(self) -> Credentials: ...


class StaticCredentialSource(FixedSource[Credentials]):
    """Fixed credentials (``Session(access_key=..., secret_key=...)``); refresh returns them."""


class EnvironmentCredentialSource:
    """``HUAWEICLOUD_SDK_AK`` / ``_SK`` / ``_SECURITY_TOKEN``, re-read on every call."""

    name = "environment"
    AK = "HUAWEICLOUD_SDK_AK"
    SK = "HUAWEICLOUD_SDK_SK"
    TOKEN = "HUAWEICLOUD_SDK_SECURITY_TOKEN"  # noqa: S105 - a variable name

    def __init__(self, environ: Optional[Mapping[str, str]] = None) -> None:
        self._environ = environ

    def __repr__(self) -> str:
        return "EnvironmentCredentialSource()"

    def available(self) -> bool:
        """True if both the AK and SK variables are set (non-empty)."""
        env = self._env()
        return bool(env.get(self.AK)) and bool(env.get(self.SK))

    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def get(self) -> Credentials:
        env = self._env()
        ak, sk = env.get(self.AK, ""), env.get(self.SK, "")
        missing = [n for n, v in ((self.AK, ak), (self.SK, sk)) if not v]
        if missing:
            raise CredentialSourceError(f"environment variable(s) not set: {', '.join(missing)}")
        return Credentials(ak, sk, env.get(self.TOKEN) or None)

    def refresh(self) -> Credentials:
        return self.get()


def _first_attr(obj: object, names: tuple[str, ...]) -> Optional[str]:
    for name in names:
        try:
            value = getattr(obj, name, None)
        except Exception:  # a property of a foreign SDK may raise anything
            value = None
        if isinstance(value, str) and value:
            return value
    return None


class OfficialSdkCredentialSource:
    """Credentials held by an official ``modelarts.session.Session`` (notebook auto-auth).

    Attributes are re-read on every ``get()`` (the SDK may rotate them); ``refresh()`` builds
    a new official session with ``factory`` (when given) and reads again.
    """

    name = "modelarts-sdk"
    _AK = ("access_key", "ak")
    _SK = ("secret_key", "sk")
    _TOKEN = ("security_token", "securitytoken", "token_security")

    def __init__(self, session: Any, factory: Optional[Callable[[], Any]] = None) -> None:
        self._session = session
        self._factory = factory
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "OfficialSdkCredentialSource()"

    @property
    def session(self) -> Any:
        """The official session object."""
        return self._session

    @property
    def project_id(self) -> Optional[str]:
        return _first_attr(self._session, ("project_id",))

    @property
    def region_name(self) -> Optional[str]:
        return _first_attr(self._session, ("region_name", "region"))

    def available(self) -> bool:
        """True if the official session exposes both an AK and an SK."""
        return bool(_first_attr(self._session, self._AK) and _first_attr(self._session, self._SK))

    def get(self) -> Credentials:
        ak = _first_attr(self._session, self._AK)
        sk = _first_attr(self._session, self._SK)
        if not ak or not sk:
            raise CredentialSourceError("the official modelarts Session exposes no AK/SK")
        return Credentials(ak, sk, _first_attr(self._session, self._TOKEN))

    def refresh(self) -> Credentials:
        if self._factory is not None:
            with self._lock:
                self._session = self._factory()
        return self.get()


class MetadataCredentialSource:
    """Temporary AK/SK from the ECS-style metadata service (only used inside a notebook).

    ``PUT {base}/meta-data/latest/api/token`` (404/405/503 tolerated), then
    ``GET {base}/openstack/latest/securitykey`` with 3 s timeouts; cached and fetched again
    ``refresh_margin`` seconds before ``expires_at`` or on :meth:`refresh`.
    """

    name = "metadata"
    TOKEN_PATH = "/meta-data/latest/api/token"  # noqa: S105 - a URL path
    KEY_PATH = "/openstack/latest/securitykey"
    TOKEN_TTL_S = 6 * 60 * 60

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 3.0,
        refresh_margin: float = REFRESH_MARGIN_S,
        http: Optional[requests.Session] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._margin = refresh_margin
        self._http = http or requests.Session()
        self._lock = threading.Lock()
        self._cached: Optional[Credentials] = None
        self._md_token: Optional[str] = None

    def __repr__(self) -> str:
        return f"MetadataCredentialSource({self.base_url!r})"

    def get(self) -> Credentials:
        with self._lock:
            cached = self._cached
            if cached is not None and not cached.expires_within(self._margin):
                return cached
            return self._fetch()

    def refresh(self) -> Credentials:
        with self._lock:
            return self._fetch()

    def _update_token(self, strict: bool) -> None:
        resp = self._call(
            "PUT", self.TOKEN_PATH, {"X-Metadata-Token-Ttl-Seconds": str(self.TOKEN_TTL_S)}
        )
        if resp.status_code == 200:
            self._md_token = resp.text.strip() or None
        elif resp.status_code in (404, 405, 503) and not strict:
            self._md_token = None
        else:
            raise CredentialSourceError(
                f"metadata service {self.base_url} refused a session token "
                f"(HTTP {resp.status_code})"
            )

    def _call(self, method: str, path: str, headers: dict[str, str]) -> requests.Response:
        try:
            return self._http.request(
                method, self.base_url + path, headers=headers, timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise CredentialSourceError(
                f"metadata service {self.base_url} not reachable ({type(exc).__name__})"
            ) from None

    def _fetch(self) -> Credentials:
        if self._md_token is None:
            self._update_token(strict=False)
        headers = {"X-Metadata-Token": self._md_token} if self._md_token else {}
        resp = self._call("GET", self.KEY_PATH, headers)
        if resp.status_code == 401 and "Cloud Service Agency" not in resp.text:
            self._update_token(strict=True)
            headers = {"X-Metadata-Token": self._md_token} if self._md_token else {}
            resp = self._call("GET", self.KEY_PATH, headers)
        if resp.status_code >= 400:
            hint = " (configure an agency for ModelArts)" if "Agency" in resp.text else ""
            raise CredentialSourceError(
                f"metadata service {self.base_url} returned HTTP {resp.status_code}{hint}"
            )
        creds = _parse_security_key(resp.text)
        self._cached = creds
        logger.debug("temporary credentials %r from metadata %s", creds, self.base_url)
        return creds


def _parse_security_key(text: str) -> Credentials:
    try:
        data = json.loads(text)
    except ValueError:
        raise CredentialSourceError("metadata securitykey answer is not JSON") from None
    if not isinstance(data, dict):
        raise CredentialSourceError("metadata securitykey answer is not a JSON object")
    inner = data.get("credential") or data.get("credentials") or data
    if not isinstance(inner, dict):
        raise CredentialSourceError("metadata securitykey answer has no credential object")

    def pick(*names: str) -> Optional[str]:
        for name in names:
            value = inner.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    ak = pick("access", "accessKeyId", "access_key_id")
    sk = pick("secret", "secretAccessKey", "secret_access_key")
    if not ak or not sk:
        raise CredentialSourceError("metadata securitykey answer lacks access/secret")
    token = pick("securitytoken", "securityToken", "security_token")
    expires = parse_timestamp(inner.get("expires_at") or inner.get("expiration"))
    return Credentials(ak, sk, token, expires)

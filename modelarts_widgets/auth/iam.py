"""IAM: password -> project-scoped token, ``X-Auth-Token`` auth, project-id lookup.

``POST {iam}/v3/auth/tokens`` returns the token in ``X-Subject-Token`` and the project in the
body (modelarts-api.md §5.1). Tokens are cached and fetched again 5 minutes before they
expire, or when :meth:`TokenAuth.refresh` is called after an expiry 401.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional, Protocol

import requests
import requests.auth

from modelarts_widgets._types import Timeout
from modelarts_widgets.auth._refresh import FixedSource, SourceAuth
from modelarts_widgets.auth.credentials import REFRESH_MARGIN_S, parse_timestamp
from modelarts_widgets.auth.signer import encode_query
from modelarts_widgets.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    TransportError,
    error_for_status,
)

__all__ = [
    "FixedTokenSource",
    "IamToken",
    "PasswordTokenSource",
    "TokenAuth",
    "TokenSource",
    "lookup_project_id",
]

logger = logging.getLogger("modelarts_widgets.auth")

DEFAULT_TIMEOUT: Timeout = (5.0, 30.0)


@dataclass(frozen=True, repr=False)
class IamToken:
    """An IAM token (never shown), its expiry (epoch seconds) and the project it is scoped to."""

    value: str
    expires_at: Optional[float] = None
    project_id: Optional[str] = None
    project_name: Optional[str] = None

    def __repr__(self) -> str:
        return (
            f"IamToken(value=<hidden>, expires_at={self.expires_at!r}, "
            f"project_id={self.project_id!r}, project_name={self.project_name!r})"
        )

    __str__ = __repr__

    def expires_within(self, seconds: float) -> bool:
        return self.expires_at is not None and self.expires_at - time.time() <= seconds


class TokenSource(Protocol):
    """Where an IAM token comes from; ``refreshable`` is False for a fixed token."""

    name: str
    refreshable: bool

    def get(self) -> IamToken: ...

    def refresh(self) -> IamToken: ...


class FixedTokenSource(FixedSource[IamToken]):
    """A token given by the user; it cannot be renewed."""

    refreshable = False

    def __init__(self, token: str) -> None:
        if not token:
            raise ConfigurationError("token must not be empty")
        super().__init__(IamToken(token))


def _scrub(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _error_text(resp: requests.Response) -> str:
    """The server's own words from an IAM (Keystone) or cloud error body."""
    try:
        body: Any = resp.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    inner = body.get("error")
    if isinstance(inner, dict):
        return str(inner.get("message") or inner.get("title") or "")
    return str(body.get("error_msg") or body.get("error_message") or body.get("message") or "")


def _error_code(resp: requests.Response) -> Optional[str]:
    try:
        body: Any = resp.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("error_code"):
        return str(body["error_code"])
    return None


class PasswordTokenSource:
    """Username/password (+ account) -> project-scoped IAM token, cached until near expiry.

    Scope: ``project_id`` when given, else the project named ``project_name`` (the region).
    ``account`` is the domain (account) name; without it the user name is the domain, as the
    ModelArts SDK's account login does.
    """

    name = "password"
    refreshable = True

    def __init__(
        self,
        iam_endpoint: str,
        username: str,
        password: str,
        *,
        account: Optional[str] = None,
        project_name: Optional[str] = None,
        project_id: Optional[str] = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        verify: bool = True,
        http: Optional[requests.Session] = None,
    ) -> None:
        if not username or not password:
            raise ConfigurationError("both username and password are required")
        if not project_name and not project_id:
            raise ConfigurationError("a project name (region) or project id is required")
        self.iam_endpoint = iam_endpoint.rstrip("/")
        self.username = username
        self.account = account
        self._password = password
        self.project_name = project_name
        self.project_id = project_id
        self._timeout = timeout
        self._verify = verify
        self._http = http or requests.Session()
        self._lock = threading.Lock()
        self._cached: Optional[IamToken] = None

    def __repr__(self) -> str:
        return (
            f"PasswordTokenSource({self.iam_endpoint!r}, username={self.username!r}, "
            f"account={self.account!r}, password=<hidden>)"
        )

    def get(self) -> IamToken:
        with self._lock:
            cached = self._cached
            if cached is not None and not cached.expires_within(REFRESH_MARGIN_S):
                return cached
            return self._fetch()

    def refresh(self) -> IamToken:
        with self._lock:
            return self._fetch()

    def _body(self) -> dict[str, Any]:
        scope = {"id": self.project_id} if self.project_id else {"name": self.project_name}
        user = {
            "name": self.username,
            "password": self._password,
            "domain": {"name": self.account or self.username},
        }
        return {
            "auth": {
                "identity": {"methods": ["password"], "password": {"user": user}},
                "scope": {"project": scope},
            }
        }

    def _fetch(self) -> IamToken:
        url = f"{self.iam_endpoint}/v3/auth/tokens"
        who = f"user {self.username!r}" + (f" of account {self.account!r}" if self.account else "")
        try:
            resp = self._http.post(
                url,
                params={"nocatalog": "true"},
                json=self._body(),
                headers={"Content-Type": "application/json"},
                timeout=self._timeout,
                verify=self._verify,
            )
        except requests.RequestException as exc:
            raise TransportError(
                f"IAM endpoint {self.iam_endpoint} not reachable ({type(exc).__name__})",
                method="POST",
                url=url,
            ) from None
        request_id = resp.headers.get("X-Request-Id")
        if resp.status_code >= 400:
            server = _scrub(_error_text(resp), self._password)
            if resp.status_code == 401:
                message = (
                    f"IAM rejected the password login of {who} at {self.iam_endpoint}"
                    f"{': ' + server if server else ''}. Check the user name, password and "
                    "account (domain) name; pass account=... for an IAM user of another account."
                )
            else:
                message = (
                    f"IAM token request for {who} failed with HTTP {resp.status_code}"
                    f"{': ' + server if server else ''}"
                )
            raise error_for_status(resp.status_code)(
                message,
                status_code=resp.status_code,
                error_code=_error_code(resp),
                error_msg=server or None,
                request_id=request_id,
            )
        value = resp.headers.get("X-Subject-Token")
        if not value:
            raise AuthenticationError(
                f"IAM answered HTTP {resp.status_code} without an X-Subject-Token header",
                status_code=resp.status_code,
                request_id=request_id,
            )
        token = _token_from_body(value, resp)
        self._cached = token
        if token.project_id and not self.project_id:
            self.project_id = token.project_id
        logger.debug("IAM token obtained for %s (project %s)", who, token.project_id)
        return token


def _token_from_body(value: str, resp: requests.Response) -> IamToken:
    try:
        body: Any = resp.json()
    except ValueError:
        body = {}
    info = body.get("token") if isinstance(body, dict) else None
    if not isinstance(info, dict):
        info = {}
    project = info.get("project")
    if not isinstance(project, dict):
        project = {}
    return IamToken(
        value,
        parse_timestamp(info.get("expires_at")),
        str(project["id"]) if project.get("id") else None,
        str(project["name"]) if project.get("name") else None,
    )


class TokenAuth(SourceAuth[TokenSource, str]):
    """Sets ``X-Auth-Token`` from ``source``; :meth:`refresh` re-authenticates if it can."""

    def refresh(self) -> bool:
        """Fetch a new token (password source); False for a fixed token.

        Threads that failed together re-authenticate once: a thread whose token was already
        replaced by another thread's refresh just resends.
        """
        return self.source.refreshable and super().refresh()

    def _current(self) -> str:
        return self.source.get().value

    def _renew(self, used: Optional[str]) -> bool:
        self.source.refresh()
        logger.debug("IAM token refreshed")
        return True

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["X-Auth-Token"] = self._use()
        return r


def lookup_project_id(
    iam_endpoint: str,
    region: str,
    auth: requests.auth.AuthBase,
    *,
    timeout: Timeout = DEFAULT_TIMEOUT,
    verify: bool = True,
    http: Optional[requests.Session] = None,
) -> str:
    """The id of the one project named ``region`` (``GET {iam}/v3/projects?name=REGION``)."""
    base = iam_endpoint.rstrip("/")
    url = f"{base}/v3/projects"
    session = http or requests.Session()
    try:
        resp = session.get(
            f"{url}?{encode_query([('name', region)])}",
            auth=auth,
            headers={"Content-Type": "application/json"},
            timeout=timeout,
            verify=verify,
        )
    except requests.RequestException as exc:
        raise TransportError(
            f"IAM endpoint {base} not reachable ({type(exc).__name__})", method="GET", url=url
        ) from None
    if resp.status_code >= 400:
        server = _error_text(resp)
        raise error_for_status(resp.status_code)(
            f"project lookup for region {region!r} at {base} failed with HTTP "
            f"{resp.status_code}{': ' + server if server else ''}; pass project_id=... "
            "or set HUAWEICLOUD_SDK_PROJECT_ID",
            status_code=resp.status_code,
            error_code=_error_code(resp),
            error_msg=server or None,
            request_id=resp.headers.get("X-Request-Id"),
        )
    try:
        body: Any = resp.json()
    except ValueError:
        body = None
    projects = body.get("projects") if isinstance(body, dict) else None
    if not isinstance(projects, list):
        raise APIError(
            f"project lookup at {base} returned no 'projects' list",
            status_code=resp.status_code,
        )
    ids = [str(p["id"]) for p in projects if isinstance(p, dict) and p.get("id")]
    if len(ids) != 1:
        found = "no project" if not ids else f"{len(ids)} projects"
        raise ConfigurationError(
            f"IAM at {base} has {found} named {region!r}; pass project_id=... "
            "(or set HUAWEICLOUD_SDK_PROJECT_ID) to choose the project"
        )
    logger.debug("project id for region %s found via IAM: %s", region, ids[0])
    return ids[0]

"""The package's exceptions: one root, subclasses by cause and HTTP status.

::

    ModelArtsError
    ├── ConfigurationError            bad or missing settings (also ValueError)
    │   ├── CredentialsNotFoundError  no credential source matched; says what was tried
    │   └── InvalidIdError            an id that is not a plain number / safe token
    ├── TransportError                no HTTP answer: connection refused/dropped, timeout
    │   └── RequestTimeoutError
    └── APIError                      the server answered with a failure
        ├── BadRequestError           400
        ├── AuthenticationError       401 (bad, expired or missing credentials)
        ├── PermissionDeniedError     403
        ├── NotFoundError             404
        ├── ConflictError             409
        ├── RateLimitError            429 (``retry_after`` seconds, if sent)
        ├── ServerError               5xx
        └── MalformedResponseError    a 2xx/other answer that is not the documented JSON

API errors keep the server's words: ``status_code``, ``error_code``, ``error_msg`` and the
``request_id`` (``X-Request-Id``). Messages never contain credentials.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "CredentialsNotFoundError",
    "InvalidIdError",
    "MalformedResponseError",
    "ModelArtsError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "TransportError",
    "error_for_status",
    "hint_for",
]


class ModelArtsError(Exception):
    """Root of every exception this package raises on purpose."""


class ConfigurationError(ModelArtsError, ValueError):
    """Settings are missing or invalid."""


class CredentialsNotFoundError(ConfigurationError):
    """No credential source matched. ``tried`` lists the sources in order."""

    def __init__(self, message: str, tried: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.tried = tried


class InvalidIdError(ConfigurationError):
    """An id failed validation before any request was sent."""


class TransportError(ModelArtsError):
    """The request got no HTTP answer (connection refused or dropped, DNS, TLS)."""

    def __init__(self, message: str, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class RequestTimeoutError(TransportError):
    """The server did not answer within the timeout."""


class APIError(ModelArtsError):
    """The server answered with a failure status or ``is_success: false``."""

    def __init__(
        self,
        message: str,
        *,
        status_code: Optional[int] = None,
        error_code: Optional[str] = None,
        error_msg: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id

    def __str__(self) -> str:
        text = super().__str__()
        if self.request_id and self.request_id not in text:
            text = f"{text} (request id {self.request_id})"
        return text


class BadRequestError(APIError):
    """HTTP 400."""


class AuthenticationError(APIError):
    """HTTP 401: credentials missing, wrong or expired."""


class PermissionDeniedError(APIError):
    """HTTP 403: authenticated, but not allowed (or wrong project)."""


class NotFoundError(APIError):
    """HTTP 404."""


class ConflictError(APIError):
    """HTTP 409."""


class RateLimitError(APIError):
    """HTTP 429; ``retry_after`` is the server's ``Retry-After`` in seconds, if any."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(APIError):
    """HTTP 5xx."""


class MalformedResponseError(APIError):
    """The body is not the documented JSON (an HTML proxy page, truncated JSON, …)."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_for_status(status_code: int) -> type[APIError]:
    """The :class:`APIError` subclass for an HTTP status."""
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, APIError)


_PERMISSION_HINT = (
    "check that this IAM user (in a ModelArts notebook: the ModelArts agency) has ModelArts "
    "permissions for this project, e.g. the ModelArts CommonOperations or FullAccess policy"
)
#: What to check, by the server's error code (the server's own words stay in the message).
_HINTS: dict[str, str] = {
    "ModelArts.0210": (
        "check the project id (project_id=... or HUAWEICLOUD_SDK_PROJECT_ID): it must be the "
        "project of this region in the account the credentials belong to"
    ),
    "ModelArts.0108": _PERMISSION_HINT,
    "ModelArts.2785": _PERMISSION_HINT,
}


def hint_for(status: Optional[int], error_code: Optional[str]) -> str:
    """What the user should check after a refusal; ``""`` when there is nothing to add."""
    hint = _HINTS.get(error_code or "", "")
    if not hint and status == 403:
        hint = _PERMISSION_HINT
    return hint

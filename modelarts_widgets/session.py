"""``Session``: find credentials, region, endpoints and project, then build the API client.

Credential sources, first match wins:

1. ``Session(...)`` arguments: ``access_key`` + ``secret_key`` (+ ``security_token``), or
   ``username`` + ``password`` (+ ``account``), or ``token``;
2. environment: ``HUAWEICLOUD_SDK_AK`` + ``HUAWEICLOUD_SDK_SK`` (+ ``_SECURITY_TOKEN``);
3. inside a ModelArts notebook only: the official ``modelarts.session.Session()`` (its AK/SK,
   re-read on expiry; if it exposes none, the official SDK itself serves the calls), else the
   metadata service at ``MODELARTS_WIDGETS_METADATA_URL`` (default ``http://169.254.169.254``).

Region: ``region_name`` -> ``MODELARTS_REGION`` -> the official session's -> ``eu-de``.
IAM endpoint: ``iam_endpoint`` -> ``HUAWEICLOUD_SDK_IAM_ENDPOINT`` -> the ModelArts endpoint when
that is a loopback URL (the emulator) -> the region's.
Project id: ``project_id`` -> ``HUAWEICLOUD_SDK_PROJECT_ID`` -> ``PROJECT_ID`` (notebooks) ->
the official session's -> the password token's project -> IAM lookup of the project named
after the region.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

import requests.auth

from modelarts_widgets._kwargs import check_timeout, refuse_unknown
from modelarts_widgets._types import Timeout
from modelarts_widgets.auth import credentials, iam
from modelarts_widgets.auth.signer import AkSkAuth
from modelarts_widgets.client import ids
from modelarts_widgets.client.endpoints import (
    DEFAULT_REGION,
    is_loopback_url,
    resolve_iam_endpoint,
    resolve_modelarts_endpoint,
)
from modelarts_widgets.errors import ConfigurationError, CredentialsNotFoundError

if TYPE_CHECKING:
    from modelarts_widgets.client.base import ModelArtsApi

__all__ = ["DEFAULT_METADATA_URL", "Session", "in_modelarts_notebook"]

logger = logging.getLogger("modelarts_widgets.auth")

DEFAULT_METADATA_URL = "http://169.254.169.254"

_HOW_TO = (
    "Provide credentials in one of these ways:\n"
    "  - Session(access_key=..., secret_key=..., project_id=..., region_name=...)"
    " (add security_token=... for temporary credentials)\n"
    "  - Session(username=..., password=..., account=..., region_name=...)"
    " (account only for an IAM user of another account)\n"
    "  - Session(token=..., project_id=..., region_name=...)\n"
    "  - environment variables HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"
    " (optional HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID, MODELARTS_REGION,"
    " MODELARTS_ENDPOINT, HUAWEICLOUD_SDK_IAM_ENDPOINT)\n"
    "  - inside a ModelArts notebook nothing is needed; set MODELARTS_WIDGETS_NOTEBOOK=1 to force"
    " notebook detection (metadata service: MODELARTS_WIDGETS_METADATA_URL)"
)


def _official_session_module() -> Any:
    """``modelarts.session`` if importable, else None."""
    try:
        return importlib.import_module("modelarts.session")
    except Exception:  # ImportError, or a broken install raising anything at import
        return None


def _strong_notebook_signal(env: Mapping[str, str]) -> bool:
    flag = env.get("MODELARTS_WIDGETS_NOTEBOOK", "").strip()
    if flag:
        return flag == "1"
    return bool(env.get("INSTANCE_ID")) and os.path.isdir("/home/ma-user")


def in_modelarts_notebook(env: Optional[Mapping[str, str]] = None) -> bool:
    """Whether this kernel runs in a ModelArts notebook.

    ``MODELARTS_WIDGETS_NOTEBOOK=1`` forces yes (``0`` forces no); otherwise yes when
    ``modelarts.session`` is importable or ``/home/ma-user`` exists with ``INSTANCE_ID`` set.
    """
    env = os.environ if env is None else env
    flag = env.get("MODELARTS_WIDGETS_NOTEBOOK", "").strip()
    if flag:
        return flag == "1"
    return _strong_notebook_signal(env) or _official_session_module() is not None


def _missing(pairs: tuple[tuple[str, Optional[str]], ...]) -> list[str]:
    return [name for name, value in pairs if not value]


@dataclass(frozen=True)
class _Arguments:
    """The credential arguments of ``Session(...)``, in its order; secrets stay out of the repr."""

    access_key: Optional[str] = field(default=None, repr=False)
    secret_key: Optional[str] = field(default=None, repr=False)
    security_token: Optional[str] = field(default=None, repr=False)
    username: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    account: Optional[str] = None
    token: Optional[str] = field(default=None, repr=False)

    def found(self) -> Optional[_Found]:
        """The credentials these arguments name (None: none given); half a pair raises."""
        ak, sk, st = self.access_key, self.secret_key, self.security_token
        user, pw = self.username, self.password
        if ak or sk:
            missing = _missing((("access_key", ak), ("secret_key", sk)))
            if missing:
                raise CredentialsNotFoundError(
                    f"Session(...) got only half of an AK/SK pair: {' and '.join(missing)} "
                    "is missing. Pass both access_key=... and secret_key=...",
                    tried=("arguments",),
                )
            creds = credentials.Credentials(ak or "", sk or "", st)
            kind = "temporary-aksk" if st else "aksk"
            return _Found(kind, "explicit", aksk=credentials.StaticCredentialSource(creds))
        if st:
            raise CredentialsNotFoundError(
                "Session(security_token=...) needs access_key=... and secret_key=... too",
                tried=("arguments",),
            )
        if user or pw:
            missing = _missing((("username", user), ("password", pw)))
            if missing:
                raise CredentialsNotFoundError(
                    f"Session(...) got {'a password' if pw else 'a username'} but no "
                    f"{missing[0]}; pass both username=... and password=...",
                    tried=("arguments",),
                )
            return _Found("password", "explicit", login=self)
        if self.token:
            return _Found("token", "explicit", login=self)
        return None


@dataclass(frozen=True)
class _Found:
    """What the credential chain settled on (no network yet, except the metadata fetch)."""

    kind: str  # auth_method
    origin: str  # credential_source
    aksk: Optional[credentials.CredentialSource] = None
    login: _Arguments = _Arguments()  # username/password (+ account) or token, when given
    official: Any = None


class Session:
    """An authenticated connection to ModelArts; ``client`` is the :class:`ModelArtsApi`.

    Resolves everything on construction and raises :class:`CredentialsNotFoundError` (listing
    each source tried and what to set) when no credentials are found. Attributes:
    ``project_id``, ``region_name``, ``modelarts_endpoint``, ``iam_endpoint`` (None when not
    needed and unknown), ``workspace_id`` (``workspace_id=...`` or ``MODELARTS_WORKSPACE_ID``;
    None lists every workspace), ``auth_method`` (``"aksk"``, ``"temporary-aksk"``, ``"password"``,
    ``"token"``, ``"modelarts-sdk"`` or ``"metadata"``), ``credential_source``
    (``"explicit"``, ``"environment"``, ``"modelarts-sdk"`` or ``"metadata"``), ``auth`` (the
    ``requests`` auth object; None when the official SDK serves the calls) and
    ``official_session`` (the official ``modelarts.session.Session`` in use, if any).

    ``verify`` is TLS certificate checking. ``timeout`` (seconds, or a ``(connect, read)``
    pair) must be greater than 0 and at most 3600. An unknown keyword is a ``TypeError``.
    ``sleep`` is how the HTTP client waits (backoff, ``Retry-After``); tests pass their own.
    """

    @refuse_unknown()
    def __init__(
        self,
        *,
        access_key: Optional[str] = None,
        secret_key: Optional[str] = None,
        security_token: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        account: Optional[str] = None,
        token: Optional[str] = None,
        project_id: Optional[str] = None,
        region_name: Optional[str] = None,
        modelarts_endpoint: Optional[str] = None,
        iam_endpoint: Optional[str] = None,
        verify: bool = True,
        timeout: Timeout = (5.0, 30.0),
        workspace_id: Optional[str] = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        env: Mapping[str, str] = dict(os.environ)
        chosen = workspace_id if workspace_id is not None else env.get("MODELARTS_WORKSPACE_ID")
        #: The one workspace lists show, or None: every workspace the service lists.
        self.workspace_id: Optional[str] = (
            ids.workspace_id(chosen) if chosen is not None and str(chosen).strip() else None
        )
        self._verify = verify
        self._timeout: Timeout = check_timeout("timeout", timeout)
        self._sleep = sleep
        self._lock = threading.Lock()
        self._client: Optional[ModelArtsApi] = None
        if not verify:
            warnings.warn(
                "TLS certificate verification is off (verify=False): the ModelArts and IAM "
                "servers' identity is not checked. Use only against a trusted endpoint.",
                UserWarning,
                stacklevel=3,  # the caller, past the @refuse_unknown wrapper
            )

        given = _Arguments(
            access_key, secret_key, security_token, username, password, account, token
        )
        found = given.found() or self._find_credentials(env)
        self.auth_method: str = found.kind
        self.credential_source: str = found.origin
        self.official_session: Any = found.official

        official_src = (
            found.aksk if isinstance(found.aksk, credentials.OfficialSdkCredentialSource) else None
        )
        official_region = official_src.region_name if official_src else None
        if found.kind == "modelarts-sdk":
            official_region = _attr(found.official, "region_name")
        self.region_name: str = (
            region_name or env.get("MODELARTS_REGION") or official_region or DEFAULT_REGION
        )
        self.modelarts_endpoint: str = resolve_modelarts_endpoint(
            self.region_name, modelarts_endpoint, env
        )
        needs_iam = found.kind == "password"
        if not (iam_endpoint or env.get("HUAWEICLOUD_SDK_IAM_ENDPOINT")) and is_loopback_url(
            self.modelarts_endpoint
        ):
            # A local emulator serves IAM too: never send its credentials to the real cloud.
            iam_endpoint = self.modelarts_endpoint
        self.iam_endpoint: Optional[str] = resolve_iam_endpoint(
            self.region_name, iam_endpoint, env, required=needs_iam
        )

        project = project_id or env.get("HUAWEICLOUD_SDK_PROJECT_ID")
        if not project and found.origin in ("modelarts-sdk", "metadata"):
            project = env.get("PROJECT_ID") or None
        if not project and found.origin == "modelarts-sdk":
            project = _attr(found.official, "project_id")
        self.auth: Optional[requests.auth.AuthBase] = self._build_auth(found, project)
        if not project and isinstance(self.auth, iam.TokenAuth):
            project = self.auth.source.get().project_id
        if not project and self.auth is not None:
            project = self._lookup_project(self.auth)
        self.project_id: str = project or ""
        if isinstance(self.auth, AkSkAuth):
            self.auth.project_id = self.project_id
        logger.debug(
            "session: credentials from %s (auth %s), region %s, endpoint %s, project %s",
            self.credential_source,
            self.auth_method,
            self.region_name,
            self.modelarts_endpoint,
            self.project_id,
        )

    def __repr__(self) -> str:
        return (
            f"Session(modelarts_endpoint={self.modelarts_endpoint!r}, "
            f"region_name={self.region_name!r}, project_id={self.project_id!r}, "
            f"auth_method={self.auth_method!r})"
        )

    __str__ = __repr__

    @property
    def client(self) -> ModelArtsApi:
        """The API client, built on first use (our REST client, or the official SDK's)."""
        with self._lock:
            if self._client is None:
                self._client = self._build_client()
            return self._client

    def close(self) -> None:
        """Close the client's connections (if it was built)."""
        with self._lock:
            client, self._client = self._client, None
        close = getattr(client, "close", None)
        if callable(close):
            close()

    # --- construction helpers ---------------------------------------------------------------

    def _build_client(self) -> ModelArtsApi:
        if self.auth is None:
            from modelarts_widgets.client.official import OfficialSdkApi

            return OfficialSdkApi(self.official_session)
        from modelarts_widgets.client._http import HttpClient, RetryPolicy
        from modelarts_widgets.client.rest import RestClient

        http = HttpClient(
            self.modelarts_endpoint,
            self.auth,
            timeout=self._timeout,
            verify=self._verify,
            retry=RetryPolicy(sleep=self._sleep),
        )
        return RestClient(http, self.project_id, workspace_id=self.workspace_id)

    def _find_credentials(self, env: Mapping[str, str]) -> _Found:
        """Credentials from the environment, else (in a notebook) the notebook's."""
        tried = ["Session(...) arguments: none given"]

        env_src = credentials.EnvironmentCredentialSource(env)
        names = (env_src.AK, env_src.SK)
        missing = [n for n in names if not env.get(n)]
        if not missing:
            creds = env_src.get()
            kind = "temporary-aksk" if creds.security_token else "aksk"
            return _Found(kind, "environment", aksk=env_src)
        if len(missing) == 1:
            raise CredentialsNotFoundError(
                f"{names[0] if missing[0] == names[1] else names[1]} is set but {missing[0]} "
                "is not; set both (or unset both to use another source)",
                tried=(*tried, "environment"),
            )
        tried.append("environment: HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK not set")

        found = self._notebook_credentials(env, tried)
        if found is not None:
            return found
        raise CredentialsNotFoundError(
            "No ModelArts credentials found. Tried, in order:\n"
            + "".join(f"  {i}. {step}\n" for i, step in enumerate(tried, 1))
            + _HOW_TO,
            tried=tuple(tried),
        )

    def _notebook_credentials(self, env: Mapping[str, str], tried: list[str]) -> Optional[_Found]:
        if not in_modelarts_notebook(env):
            tried.append(
                "ModelArts notebook auto-authentication: not in a ModelArts notebook "
                "(metadata service not contacted)"
            )
            return None
        module = _official_session_module()
        if module is not None:
            try:
                official = module.Session()
            except Exception as exc:  # the foreign SDK may raise anything
                tried.append(f"official modelarts.session.Session(): failed ({type(exc).__name__})")
            else:
                src = credentials.OfficialSdkCredentialSource(official, factory=module.Session)
                if src.available():
                    kind = "temporary-aksk" if src.get().is_temporary else "aksk"
                    return _Found(kind, "modelarts-sdk", aksk=src, official=official)
                return _Found("modelarts-sdk", "modelarts-sdk", official=official)
        else:
            tried.append("official modelarts SDK: not importable")
        if not _strong_notebook_signal(env):
            # The SDK is importable (e.g. on a laptop) but failed: no metadata service here.
            tried.append("metadata service: skipped (no ModelArts notebook environment)")
            return None
        url = env.get("MODELARTS_WIDGETS_METADATA_URL") or DEFAULT_METADATA_URL
        meta = credentials.MetadataCredentialSource(url)
        try:
            meta.get()
        except credentials.CredentialSourceError as exc:
            tried.append(f"metadata service: {exc}")
            return None
        return _Found("metadata", "metadata", aksk=meta)

    def _build_auth(
        self, found: _Found, project: Optional[str]
    ) -> Optional[requests.auth.AuthBase]:
        if found.aksk is not None:
            return AkSkAuth(found.aksk, project)
        if found.kind == "password":
            login = found.login
            source: iam.TokenSource = iam.PasswordTokenSource(
                self.iam_endpoint or "",
                login.username or "",
                login.password or "",
                account=login.account,
                project_name=self.region_name,
                project_id=project,
                timeout=self._timeout,
                verify=self._verify,
            )
            source.get()  # authenticate now: wrong passwords fail at construction
            return iam.TokenAuth(source)
        if found.kind == "token":
            return iam.TokenAuth(iam.FixedTokenSource(found.login.token or ""))
        return None

    def _lookup_project(self, auth: requests.auth.AuthBase) -> str:
        if self.iam_endpoint is None:
            raise ConfigurationError(
                f"no project id: pass project_id=... or set HUAWEICLOUD_SDK_PROJECT_ID (the IAM "
                f"endpoint for region {self.region_name!r} is unknown, so it cannot be looked up; "
                "or pass iam_endpoint=...)"
            )
        return iam.lookup_project_id(
            self.iam_endpoint,
            self.region_name,
            auth,
            timeout=self._timeout,
            verify=self._verify,
        )


def _attr(obj: Any, name: str) -> Optional[str]:
    try:
        value = getattr(obj, name, None)
    except Exception:  # a foreign SDK's property may raise anything
        return None
    return value if isinstance(value, str) and value else None

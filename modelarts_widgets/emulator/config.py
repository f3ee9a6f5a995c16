"""Shared emulator pieces: the configuration and the exact error answers (:class:`ApiError`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, Optional

from .._kwargs import check_float, check_int  # noqa: TID252 - not client side (see tests)

Json = dict[str, Any]
ISO_MS = "%Y-%m-%dT%H:%M:%S.%fZ"

#: The documented demo credentials (the one definition; CLI, server and demo use these).
DEMO_ACCESS_KEY = "DEMOACCESSKEY"
DEMO_SECRET_KEY = "demo-secret-key"  # noqa: S105 - documented demo credential
DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential


NOT_FOUND_STYLES = ("ModelArts.2775", "ModelArts.0104", "404")
ERROR_FIELDS = ("alternate", "error_msg", "error_message", "both")
VERSIONS_PAGE0 = ("all", "first")


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


@dataclass
class EmulatorConfig:
    """Every option of one emulator instance, with its default (the one place they live).

    ``seed`` is a sizes mapping (:class:`~.seed.SeedSizes`) or ``None`` for no data;
    ``rng_seed`` makes the seed and random faults repeatable.
    ``delete_delay=None`` means manual mode (deletes finish on ``advance()``).
    ``refusal_status`` is the HTTP status of a ModelArts.0105 refusal. ``base_url`` is set by
    the server (from ``host`` and the bound port). Numbers out of range raise ``ValueError``.
    The repr leaves out ``secret_key`` and ``password``.
    """

    host: str = "127.0.0.1"
    port: int = 0
    access_key: str = DEMO_ACCESS_KEY
    secret_key: str = field(default=DEMO_SECRET_KEY, repr=False)
    project_id: str = "0123456789abcdef0123456789abcdef"
    region: str = "eu-de"
    username: str = "demo-user"
    password: str = field(default=DEMO_PASSWORD, repr=False)
    domain: str = "demo-domain"
    seed: Optional[Mapping[str, int]] = None
    rng_seed: int = 0
    delete_delay: Optional[float] = 0.0
    token_ttl: float = 86400.0
    temp_credential_ttl: float = 3600.0
    refusal_status: int = 200
    refused_delete_statuses: frozenset[int] = frozenset({9})
    base_url: str = ""
    #: v2 search ``offset``: ``"pages"`` (page index, as documented) or ``"items"``
    v2_offset: str = "pages"
    #: serve ``POST /v2/{p}/training-jobs/batch-delete`` (else it answers as an unknown API)
    batch_delete: bool = True
    #: serve the v1 training and visualization routes (else they answer as an unknown API)
    v1_training: bool = True
    #: How an unknown id is answered: ``"ModelArts.2775"`` (HTTP 400, as documented),
    #: ``"ModelArts.0104"`` (HTTP 400 "Parameter error") or ``"404"`` (HTTP 404 ModelArts.0104).
    not_found: str = "ModelArts.2775"
    #: The v1 failure message field: ``error_msg``, ``error_message``, ``both`` or
    #: ``alternate`` (one, then the other; the docs use both names).
    error_field: str = "alternate"
    #: ``page=0`` on the versions list: ``"all"`` (Huawei: no paging) or ``"first"`` (page 1).
    versions_page0: str = "all"
    #: Rewrite ``Connection`` / ``Accept-Encoding`` of every request like a proxy would.
    proxy_rewrites: bool = False
    #: Whether ``GET /v1/{project_id}/workspaces`` exists (Huawei Cloud) or not (OTC).
    workspace_list: bool = True

    def __post_init__(self) -> None:
        if self.v2_offset not in ("pages", "items"):
            raise ValueError(f"v2_offset must be 'pages' or 'items', not {self.v2_offset!r}")
        check_choice("not_found", self.not_found, NOT_FOUND_STYLES)
        check_choice("error_field", self.error_field, ERROR_FIELDS)
        check_choice("versions_page0", self.versions_page0, VERSIONS_PAGE0)
        self.port = check_int("port", self.port, 0, 65535, "0 picks a free port")
        self.rng_seed = check_int("rng_seed", self.rng_seed, 0)
        if self.delete_delay is not None:
            self.delete_delay = check_float("delete_delay", self.delete_delay, 0, 86400.0)
        self.token_ttl = check_float("token_ttl", self.token_ttl, 0, low_open=True)
        self.temp_credential_ttl = check_float(
            "temp_credential_ttl", self.temp_credential_ttl, 0, low_open=True
        )
        self.refusal_status = check_int("refusal_status", self.refusal_status, 200, 599)
        self.seed = dict(self.seed) if self.seed else None
        if not self.base_url:
            self.base_url = f"http://{self.host}:{self.port}"

    @property
    def domain_id(self) -> str:
        return uuid.uuid5(uuid.NAMESPACE_DNS, "domain." + self.domain).hex

    @property
    def user_id(self) -> str:
        return uuid.uuid5(uuid.NAMESPACE_DNS, "user." + self.username).hex


#: The options ``EmulatorServer(**options)`` takes (every field but the server-set ``base_url``).
OPTIONS = tuple(f.name for f in fields(EmulatorConfig) if f.name != "base_url")


class ApiError(Exception):
    """A rule violation with the exact HTTP answer to send."""

    def __init__(
        self, status: int, body: Json, headers: Optional[Mapping[str, str]] = None
    ) -> None:
        super().__init__(f"HTTP {status}: {body.get('error_code', '')}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def v1_error(status: int, code: str, message: str) -> ApiError:
    """The v1 ModelArts shape: ``is_success``/``error_code``/``error_message``."""
    return ApiError(status, {"is_success": False, "error_code": code, "error_message": message})


def cloud_error(status: int, code: str, message: str) -> ApiError:
    """The generic cloud / APIG shape: ``error_code``/``error_msg``."""
    return ApiError(status, {"error_code": code, "error_msg": message})


def unknown_api_error() -> ApiError:
    """What the API gateway answers for an API the region does not publish."""
    return cloud_error(
        404,
        "APIG.0101",
        "The API does not exist or has not been published in the environment",
    )


def keystone_error(status: int, title: str, message: str) -> ApiError:
    """The Keystone shape used by IAM."""
    return ApiError(status, {"error": {"code": status, "message": message, "title": title}})


def bad_param(message: str) -> ApiError:
    return v1_error(400, "ModelArts.0104", message)


def not_found(style: str, what: str, ident: object) -> ApiError:
    """An unknown id answered in ``style`` (see :attr:`EmulatorConfig.not_found`)."""
    if style == "ModelArts.2775":
        return v1_error(400, "ModelArts.2775", f"Training job (ID: {ident}) not found.")
    message = f"The {what} {ident} does not exist."
    return v1_error(404 if style == "404" else 400, "ModelArts.0104", message)


def with_error_field(body: Json, field: str) -> Json:
    """A v1 failure body with its message under ``field`` (``error_msg`` / ``error_message``
    / ``both``)."""
    message = body.get("error_message", body.get("error_msg"))
    if message is None or body.get("is_success") is not False:
        return body
    out = {k: v for k, v in body.items() if k not in ("error_msg", "error_message")}
    if field in ("error_msg", "both"):
        out["error_msg"] = message
    if field in ("error_message", "both"):
        out["error_message"] = message
    return out


def iso(ts: float) -> str:
    """Epoch seconds as ``%Y-%m-%dT%H:%M:%S.%fZ`` (UTC)."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime(ISO_MS)

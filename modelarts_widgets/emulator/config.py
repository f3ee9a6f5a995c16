"""Shared emulator pieces: the configuration and the exact error answers (:class:`ApiError`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

Json = dict[str, Any]
ISO_MS = "%Y-%m-%dT%H:%M:%S.%fZ"

#: The documented demo credentials (the one definition; CLI, server and demo use these).
DEMO_ACCESS_KEY = "DEMOACCESSKEY"
DEMO_SECRET_KEY = "demo-secret-key"  # noqa: S105 - documented demo credential
DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential


@dataclass
class EmulatorConfig:
    """Identity and behaviour knobs of one emulator instance."""

    access_key: str = DEMO_ACCESS_KEY
    secret_key: str = DEMO_SECRET_KEY
    project_id: str = "0123456789abcdef0123456789abcdef"
    region: str = "eu-de"
    username: str = "demo-user"
    password: str = DEMO_PASSWORD
    domain: str = "demo-domain"
    delete_delay: Optional[float] = 0.0
    token_ttl: float = 86400.0
    temp_credential_ttl: float = 3600.0
    refusal_status: int = 200
    refused_delete_statuses: frozenset[int] = frozenset({9})
    base_url: str = "http://127.0.0.1:0"
    #: v2 search ``offset``: ``"pages"`` (page index, as documented) or ``"items"``
    v2_offset: str = "pages"
    #: serve ``POST /v2/{p}/training-jobs/batch-delete`` (else it answers as an unknown API)
    batch_delete: bool = True
    #: serve the v1 training and visualization routes (else they answer as an unknown API)
    v1_training: bool = True

    @property
    def domain_id(self) -> str:
        return uuid.uuid5(uuid.NAMESPACE_DNS, "domain." + self.domain).hex

    @property
    def user_id(self) -> str:
        return uuid.uuid5(uuid.NAMESPACE_DNS, "user." + self.username).hex


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


def iso(ts: float) -> str:
    """Epoch seconds as ``%Y-%m-%dT%H:%M:%S.%fZ`` (UTC)."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime(ISO_MS)

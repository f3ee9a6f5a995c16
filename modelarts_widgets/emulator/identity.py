"""IAM tokens, temporary AK/SK credentials and metadata session tokens (no HTTP).

Thread-safe; shares the backend's clock so tests can move time for expiry and deletes alike.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .config import EmulatorConfig, Json, cloud_error, iso, keystone_error


@dataclass
class Principal:
    """Who a request authenticated as."""

    kind: str  # "token" | "aksk" | "temporary-aksk"
    project_id: Optional[str]


@dataclass
class _Token:
    project: Optional[tuple[str, str]]
    issued_at: float
    expires_at: float


@dataclass
class _TempCredential:
    secret: str
    security_token: str
    expires_at: float


class Identity:
    """Who may call: the configured AK/SK and user, issued tokens and temporary credentials."""

    def __init__(self, config: EmulatorConfig, clock: Callable[[], float]) -> None:
        self.config = config
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, _Token] = {}
        self._temp: dict[str, _TempCredential] = {}
        self._metadata_tokens: dict[str, float] = {}

    def reset(self) -> None:
        """Forget every issued token and credential."""
        with self._lock:
            self._tokens.clear()
            self._temp.clear()
            self._metadata_tokens.clear()

    def issue_token(self, body: Any) -> tuple[str, Json]:
        """``POST /v3/auth/tokens`` (password method); returns ``(token, body)``."""
        cfg = self.config
        try:
            auth = body["auth"]
            identity = auth["identity"]
            methods = identity["methods"]
            user = identity["password"]["user"]
        except (KeyError, TypeError):
            raise keystone_error(400, "Bad Request", "Malformed auth request body.") from None
        if "password" not in methods:
            raise keystone_error(401, "Unauthorized", "Only the password method is supported.")
        domain = user.get("domain") or {}
        domain_ok = (
            domain.get("name", cfg.domain) == cfg.domain
            and domain.get("id", cfg.domain_id) == cfg.domain_id
        )
        name_ok = user.get("name") == cfg.username or user.get("id") == cfg.user_id
        if not (name_ok and domain_ok and user.get("password") == cfg.password):
            raise keystone_error(401, "Unauthorized", "The username or password is wrong.")
        project: Optional[tuple[str, str]] = None
        scope = auth.get("scope") or {}
        if isinstance(scope, Mapping) and "project" in scope:
            wanted = scope["project"] or {}
            if (
                wanted.get("id", cfg.project_id) != cfg.project_id
                or wanted.get("name", cfg.region) != cfg.region
            ):
                raise keystone_error(401, "Unauthorized", "The project does not exist.")
            project = (cfg.project_id, cfg.region)
        now = self.clock()
        token = "MII" + base64.urlsafe_b64encode(secrets.token_bytes(96)).decode().rstrip("=")
        with self._lock:
            self._tokens[token] = _Token(project, now, now + cfg.token_ttl)
        domain_obj = {"id": cfg.domain_id, "name": cfg.domain}
        out: Json = {
            "methods": ["password"],
            "issued_at": iso(now),
            "expires_at": iso(now + cfg.token_ttl),
            "user": {"id": cfg.user_id, "name": cfg.username, "domain": domain_obj},
        }
        if project is not None:
            out["project"] = {"id": project[0], "name": project[1], "domain": domain_obj}
            out["catalog"] = [
                {
                    "type": "modelarts",
                    "name": "modelarts",
                    "endpoints": [
                        {
                            "interface": "public",
                            "region": cfg.region,
                            "region_id": cfg.region,
                            "url": f"{cfg.base_url}/v1/{cfg.project_id}",
                        }
                    ],
                }
            ]
        else:
            out["domain"] = domain_obj
        return token, {"token": out}

    def check_token(self, token: str) -> Principal:
        """Validate an ``X-Auth-Token``."""
        with self._lock:
            record = self._tokens.get(token)
        if record is None:
            raise cloud_error(401, "ModelArts.0203", "Invalid token.")
        if record.expires_at <= self.clock():
            raise cloud_error(401, "ModelArts.0202", "Token expired.")
        return Principal("token", record.project[0] if record.project else None)

    def secret_for(self, access_key: str) -> tuple[Optional[str], Optional[_TempCredential]]:
        """``(secret, temporary record or None)``; ``(None, None)`` for an unknown AK."""
        if access_key == self.config.access_key:
            return self.config.secret_key, None
        with self._lock:
            temp = self._temp.get(access_key)
        return (temp.secret, temp) if temp else (None, None)

    def issue_temporary_credential(self) -> Json:
        """A fresh temporary AK/SK + security token (the metadata ``securitykey`` body)."""
        now = self.clock()
        access = "TMP" + secrets.token_hex(10).upper()
        record = _TempCredential(
            secrets.token_urlsafe(30),
            secrets.token_urlsafe(96),
            now + self.config.temp_credential_ttl,
        )
        with self._lock:
            self._temp[access] = record
        return {
            "credential": {
                "access": access,
                "secret": record.secret,
                "securitytoken": record.security_token,
                "expires_at": iso(record.expires_at),
            }
        }

    def issue_metadata_token(self, ttl: float) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._metadata_tokens[token] = self.clock() + ttl
        return token

    def metadata_token_valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._metadata_tokens.get(token)
        return expiry is not None and expiry > self.clock()

    def expire_tokens(self) -> None:
        """Expire every IAM token and temporary credential now."""
        with self._lock:
            past = self.clock() - 1.0
            for record in self._tokens.values():
                record.expires_at = past
            for temp in self._temp.values():
                temp.expires_at = past

    def projects(self, name: Optional[str]) -> Json:
        cfg = self.config
        projects = [
            {
                "id": cfg.project_id,
                "name": cfg.region,
                "domain_id": cfg.domain_id,
                "enabled": True,
                "is_domain": False,
                "parent_id": cfg.domain_id,
                "description": "",
            }
        ]
        if name is not None:
            projects = [p for p in projects if p["name"] == name]
        return {"projects": projects, "links": {"self": f"{cfg.base_url}/v3/projects"}}

"""Helpers for the emulator tests: AK/SK requests signed by huaweicloudsdkcore (the oracle)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Optional

import requests
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer


def signed(
    server: Any,
    method: str,
    path: str,
    *,
    params: Optional[dict[str, Any]] = None,
    body: Any = None,
    ak: Optional[str] = None,
    sk: Optional[str] = None,
    security_token: Optional[str] = None,
    project_id: Optional[str] = "",
    sdk_date: Optional[str] = None,
    extra_headers: Optional[dict[str, str]] = None,
    session: Optional[requests.Session] = None,
) -> requests.Response:
    """Send a request signed exactly like huaweicloudsdkcore does.

    ``project_id=""`` means the server's project; ``None`` omits ``X-Project-Id``.
    """
    headers: dict[str, str] = {"Content-Type": "application/json"}
    pid = server.config.project_id if project_id == "" else project_id
    if pid is not None:
        headers["X-Project-Id"] = pid
    if security_token is not None:
        headers["X-Security-Token"] = security_token
    if sdk_date is not None:
        headers["X-Sdk-Date"] = sdk_date
    headers.update(extra_headers or {})
    data = b"" if body is None else json.dumps(body).encode()
    request = SdkRequest(
        method=method,
        schema="http",
        host=f"127.0.0.1:{server.port}",
        resource_path=path,
        query_params=sorted((params or {}).items()),
        header_params=headers,
        body=data,
    )
    creds = SimpleNamespace(ak=ak or server.config.access_key, sk=sk or server.config.secret_key)
    Signer(creds).sign(request)
    return (session or requests).request(
        method,
        server.base_url + request.uri,
        headers=request.header_params,
        data=data,
        timeout=10,
    )


def message_of(body: dict[str, Any]) -> str:
    """A v1 failure's message, under either documented field name."""
    return str(body.get("error_message", body.get("error_msg", "")))


def v1(server: Any, suffix: str) -> str:
    """``/v1/{project_id}{suffix}``."""
    return f"/v1/{server.config.project_id}{suffix}"


def password_body(
    user: str = "demo-user",
    password: str = "demo-password",
    domain: str = "demo-domain",
    project: Optional[dict[str, str]] = None,
) -> dict[str, Any]:
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}},
        }
    }
    if project is not None:
        auth["scope"] = {"project": project}
    return {"auth": auth}


def get_token(server: Any) -> str:
    reply = requests.post(
        server.base_url + "/v3/auth/tokens",
        json=password_body(project={"name": server.config.region}),
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]

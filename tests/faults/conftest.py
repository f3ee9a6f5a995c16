"""The fault matrix runs on the root fixtures, with an emulator whose secrets are distinctive."""

from __future__ import annotations

import secrets

import pytest


def _secret(prefix: str, n: int = 12) -> str:
    return prefix + secrets.token_hex(n)


@pytest.fixture
def emulator_credentials() -> dict[str, str]:
    """AK, SK, user and password random and unlikely to appear by chance (searched for)."""
    return {
        "access_key": _secret("FAULTAK", 8).upper(),
        "secret_key": _secret("faultsk-", 16),
        "username": _secret("faultuser-", 4),
        "password": _secret("faultpw-", 12),
    }

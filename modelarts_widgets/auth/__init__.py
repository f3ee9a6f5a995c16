"""Authentication: credential sources, the SDK-HMAC-SHA256 signer and IAM tokens."""

from __future__ import annotations

from modelarts_widgets.auth.credentials import (
    Credentials,
    CredentialSource,
    CredentialSourceError,
    EnvironmentCredentialSource,
    MetadataCredentialSource,
    OfficialSdkCredentialSource,
    StaticCredentialSource,
)
from modelarts_widgets.auth.iam import (
    FixedTokenSource,
    IamToken,
    PasswordTokenSource,
    TokenAuth,
    lookup_project_id,
)
from modelarts_widgets.auth.signer import AkSkAuth

__all__ = [
    "AkSkAuth",
    "CredentialSource",
    "CredentialSourceError",
    "Credentials",
    "EnvironmentCredentialSource",
    "FixedTokenSource",
    "IamToken",
    "MetadataCredentialSource",
    "OfficialSdkCredentialSource",
    "PasswordTokenSource",
    "StaticCredentialSource",
    "TokenAuth",
    "lookup_project_id",
]

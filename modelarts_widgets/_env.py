"""The names of the environment variables the package reads (credentials, endpoints, notebook)."""

from __future__ import annotations

__all__ = ["CREDENTIAL_ENV_VARS"]

#: Every credential / endpoint / notebook-detection variable the package looks at.
CREDENTIAL_ENV_VARS: tuple[str, ...] = (
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_PROJECT_ID",
    "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    "HUAWEICLOUD_SDK_DOMAIN_ID",
    "MODELARTS_ENDPOINT",
    "MODELARTS_REGION",
    "MODELARTS_WIDGETS_NOTEBOOK",
    "MODELARTS_WIDGETS_METADATA_URL",
)

"""Region -> ModelArts / IAM base URLs (Huawei Cloud and Open Telekom Cloud), plus overrides.

Resolution order for ModelArts: explicit ``modelarts_endpoint`` -> env ``MODELARTS_ENDPOINT``
-> env ``HUAWEICLOUD_SDK_REGION_MODELARTS_<REGION>`` (first of a comma list, as
huaweicloudsdkcore) -> the table. For IAM: explicit ``iam_endpoint`` -> env
``HUAWEICLOUD_SDK_IAM_ENDPOINT`` -> the table. Overrides may be full URLs
(``http://127.0.0.1:8080`` for the emulator) or bare hosts (``https://`` is assumed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional
from urllib.parse import urlsplit

from modelarts_widgets.errors import ConfigurationError

__all__ = [
    "DEFAULT_REGION",
    "IAM_ENDPOINTS",
    "MODELARTS_ENDPOINTS",
    "is_loopback_url",
    "normalize_url",
    "resolve_iam_endpoint",
    "resolve_modelarts_endpoint",
]

#: Region used when none is given (Open Telekom Cloud, the emulator's region too).
DEFAULT_REGION = "eu-de"

_HUAWEI_MODELARTS_REGIONS = [
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-11",
    "cn-north-12",
    "cn-east-3",
    "cn-east-4",
    "cn-south-1",
    "cn-southwest-2",
    "cn-southwest-3",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "af-south-1",
    "af-north-1",
    "la-south-2",
    "la-north-2",
    "sa-brazil-1",
    "tr-west-1",
    "me-east-1",
]

MODELARTS_ENDPOINTS: Mapping[str, str] = {
    "eu-de": "https://modelarts.eu-de.otc.t-systems.com",
    # Hong Kong is served under .cn, as huaweicloudsdkmodelarts codes it.
    "ap-southeast-1": "https://modelarts.ap-southeast-1.myhuaweicloud.cn",
    **{r: f"https://modelarts.{r}.myhuaweicloud.com" for r in _HUAWEI_MODELARTS_REGIONS},
}

_HUAWEI_IAM_REGIONS = [
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-12",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "la-north-2",
    "na-mexico-1",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ae-ad-1",
    "tr-west-1",
]

IAM_ENDPOINTS: Mapping[str, str] = {
    "eu-de": "https://iam.eu-de.otc.t-systems.com",
    "eu-nl": "https://iam.eu-nl.otc.t-systems.com",
    "eu-ch2": "https://iam-pub.eu-ch2.sc.otc.t-systems.com",
    **{r: f"https://iam.{r}.myhuaweicloud.com" for r in _HUAWEI_IAM_REGIONS},
}


def normalize_url(url: str, *, what: str = "endpoint") -> str:
    """``scheme://host[:port][/path]`` without trailing slashes; ``https://`` if no scheme."""
    text = url.strip()
    if not text:
        raise ConfigurationError(f"{what} must not be empty")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{what} {url!r} is not an http(s) URL or host name")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{what} {url!r} must not have a query or fragment")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise ConfigurationError(f"{what} {url!r} has an invalid port") from None
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def is_loopback_url(url: str) -> bool:
    """True for ``http(s)://127.x.x.x``, ``localhost`` or ``[::1]`` URLs (the local emulator)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _env_override(env: Mapping[str, str], region: str) -> Optional[str]:
    name = "HUAWEICLOUD_SDK_REGION_MODELARTS_" + region.upper().replace("-", "_")
    value = env.get(name, "")
    first = value.split(",")[0].strip()
    return first or None


def resolve_modelarts_endpoint(
    region: str, override: Optional[str] = None, env: Optional[Mapping[str, str]] = None
) -> str:
    """The ModelArts base URL (no ``/v1``) for ``region``, honouring overrides."""
    env = env if env is not None else {}
    explicit = override or env.get("MODELARTS_ENDPOINT") or _env_override(env, region)
    if explicit:
        return normalize_url(explicit, what="modelarts_endpoint")
    try:
        return MODELARTS_ENDPOINTS[region]
    except KeyError:
        raise ConfigurationError(
            f"no known ModelArts endpoint for region {region!r}; pass "
            "Session(modelarts_endpoint='https://modelarts.<region>.<domain>') or set "
            f"MODELARTS_ENDPOINT (known regions: {', '.join(sorted(MODELARTS_ENDPOINTS))})"
        ) from None


def resolve_iam_endpoint(
    region: str,
    override: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    *,
    required: bool = True,
) -> Optional[str]:
    """The IAM base URL (without ``/v3``) for ``region``; None if unknown and not required."""
    env = env if env is not None else {}
    explicit = override or env.get("HUAWEICLOUD_SDK_IAM_ENDPOINT")
    if explicit:
        url = normalize_url(explicit, what="iam_endpoint")
        return url[: -len("/v3")] if url.endswith("/v3") else url
    found = IAM_ENDPOINTS.get(region)
    if found is None and required:
        raise ConfigurationError(
            f"no known IAM endpoint for region {region!r}; pass "
            "Session(iam_endpoint='https://iam.<region>.<domain>') or set "
            "HUAWEICLOUD_SDK_IAM_ENDPOINT"
        )
    return found

"""Region -> endpoint tables and overrides."""

from __future__ import annotations

import pytest

from modelarts_widgets.client.endpoints import (
    is_loopback_url,
    normalize_url,
    resolve_iam_endpoint,
    resolve_modelarts_endpoint,
)
from modelarts_widgets.errors import ConfigurationError


def test_tables() -> None:
    assert resolve_modelarts_endpoint("eu-de") == "https://modelarts.eu-de.otc.t-systems.com"
    assert (
        resolve_modelarts_endpoint("cn-north-4") == "https://modelarts.cn-north-4.myhuaweicloud.com"
    )
    assert (
        resolve_modelarts_endpoint("ap-southeast-1")
        == "https://modelarts.ap-southeast-1.myhuaweicloud.cn"
    )
    assert resolve_iam_endpoint("eu-de") == "https://iam.eu-de.otc.t-systems.com"
    assert resolve_iam_endpoint("eu-ch2") == "https://iam-pub.eu-ch2.sc.otc.t-systems.com"
    assert resolve_iam_endpoint("cn-north-4") == "https://iam.cn-north-4.myhuaweicloud.com"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:8080///", "http://127.0.0.1:8080"),
        ("modelarts.example.com", "https://modelarts.example.com"),
        ("https://host:8443/prefix/", "https://host:8443/prefix"),
        ("  https://Host  ", "https://Host"),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


@pytest.mark.parametrize("bad", ["", "ftp://x", "http://", "http://h:notaport", "http://h/?q=1"])
def test_normalize_url_rejects(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_url(bad)


def test_override_order() -> None:
    env = {
        "MODELARTS_ENDPOINT": "http://127.0.0.1:1/",
        "HUAWEICLOUD_SDK_REGION_MODELARTS_EU_DE": "http://127.0.0.1:2,http://127.0.0.1:3",
    }
    assert resolve_modelarts_endpoint("eu-de", "http://127.0.0.1:9", env) == "http://127.0.0.1:9"
    assert resolve_modelarts_endpoint("eu-de", None, env) == "http://127.0.0.1:1"
    del env["MODELARTS_ENDPOINT"]
    assert resolve_modelarts_endpoint("eu-de", None, env) == "http://127.0.0.1:2"
    iam_env = {"HUAWEICLOUD_SDK_IAM_ENDPOINT": "https://iam.eu-de.otc.t-systems.com/v3/"}
    assert resolve_iam_endpoint("xx", None, iam_env) == "https://iam.eu-de.otc.t-systems.com"
    assert resolve_iam_endpoint("xx", "http://127.0.0.1:5", iam_env) == "http://127.0.0.1:5"


def test_unknown_region_says_to_pass_the_endpoint() -> None:
    with pytest.raises(ConfigurationError, match="modelarts_endpoint"):
        resolve_modelarts_endpoint("mars-north-1")
    with pytest.raises(ConfigurationError, match="iam_endpoint"):
        resolve_iam_endpoint("mars-north-1")
    assert resolve_iam_endpoint("mars-north-1", required=False) is None


def test_is_loopback_url() -> None:
    assert is_loopback_url("http://127.0.0.1:8080")
    assert is_loopback_url("http://localhost")
    assert is_loopback_url("http://[::1]:9")
    assert not is_loopback_url("https://modelarts.eu-de.otc.t-systems.com")
    assert not is_loopback_url("http://169.254.169.254")

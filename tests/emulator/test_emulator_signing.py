"""The emulator's own SDK-HMAC-SHA256 verifier: spec test vector and huaweicloudsdkcore oracle."""

from __future__ import annotations

import ast
import pathlib
from types import SimpleNamespace

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from hypothesis import given, settings
from hypothesis import strategies as st

from modelarts_widgets.emulator import signing

PID = "0123456789abcdef0123456789abcdef"
VECTOR_HEADERS = {
    "content-type": "application/json",
    "host": "modelarts.eu-de.otc.t-systems.com",
    "x-project-id": PID,
    "x-sdk-date": "20240101T000000Z",
    "x-security-token": "TOKEN",
}


def test_spec_test_vector() -> None:
    signed = tuple(sorted(VECTOR_HEADERS))
    canonical = signing.canonical_request(
        "GET", f"/v1/{PID}/training-jobs/10/versions", "per_page=5&page=1", VECTOR_HEADERS,
        signed, b"",
    )  # fmt: skip
    assert canonical.splitlines()[1] == f"/v1/{PID}/training-jobs/10/versions/"
    assert canonical.splitlines()[2] == "page=1&per_page=5"
    to_sign = signing.string_to_sign("20240101T000000Z", canonical)
    assert to_sign.splitlines()[2] == (
        "48f50dc9f411d364a0af467c140f6ee5c69902f0717796aaef7662d588c1eaba"
    )
    assert signing.signature("SKEXAMPLE", to_sign) == (
        "8868d10d3973b44675a7919373e662ce11aef7e2f8d16dd016ef3074090f130c"
    )


def test_parse_authorization() -> None:
    parsed = signing.parse_authorization(
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ABCdef01"
    )
    assert parsed == signing.AuthorizationHeader("AK", ("host", "x-sdk-date"), "abcdef01")
    assert signing.parse_authorization("Bearer x") is None


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    segments=st.lists(
        _text.filter(lambda s: "/" not in s and s not in ("", ".", "..")), min_size=1, max_size=3
    ),
    params=st.dictionaries(
        st.text(alphabet="abcdefgh_", min_size=1, max_size=6), _text, max_size=4
    ),
    body=st.binary(max_size=40),
)
def test_verify_agrees_with_huaweicloudsdkcore(
    segments: list[str], params: dict[str, str], body: bytes
) -> None:
    from urllib.parse import quote, urlsplit

    path = "/" + "/".join(quote(s, safe="") for s in segments)
    request = SdkRequest(
        method="POST",
        schema="http",
        host="127.0.0.1:8080",
        resource_path=path,
        query_params=sorted(params.items()),
        header_params={"Content-Type": "application/json", "X-Project-Id": PID},
        body=body,
    )
    Signer(SimpleNamespace(ak="AK", sk="SK")).sign(request)
    headers = {k.lower(): v for k, v in request.header_params.items()}
    auth = signing.parse_authorization(headers["authorization"])
    assert auth is not None
    query = urlsplit(request.uri).query
    assert signing.verify("SK", auth, "POST", path, query, headers, body)
    assert not signing.verify("SK2", auth, "POST", path, query, headers, body)


def test_raw_query_pairs_decode_only_percent_escapes() -> None:
    # ``+`` stays a plus (``%2B`` is one too); a key without ``=`` has an empty value.
    assert signing.raw_query_pairs("a+b=c+d&k=%2B&flag&=v&&e=&x=1=2&s=%20%E6%A8%A1") == [
        ("a+b", "c+d"),
        ("k", "+"),
        ("flag", ""),
        ("", "v"),
        ("e", ""),
        ("x", "1=2"),
        ("s", " 模"),
    ]
    assert signing.raw_query_pairs("") == []


def test_emulator_imports_nothing_from_client_side() -> None:
    root = pathlib.Path(signing.__file__).parent
    forbidden = ("client", "auth", "widgets", "models", "session", "sdk")
    for source in root.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not module.startswith("modelarts_widgets."), (source, module)
                if node.level == 2:  # from ..x import y
                    assert module.split(".")[0] not in forbidden, (source, module)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("modelarts_widgets"), (source, alias.name)

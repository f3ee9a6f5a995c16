"""SDK-HMAC-SHA256: the spec's test vector, and huaweicloudsdkcore as the oracle."""

from __future__ import annotations

import copy
import datetime
from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.signer import (
    AkSkAuth,
    canonical_query,
    canonical_request,
    canonical_uri,
    encode_query,
    sign,
    signature,
    string_to_sign,
)

core_signer = pytest.importorskip("huaweicloudsdkcore.signer.signer")
core_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")
core_credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")

PROJECT = "0123456789abcdef0123456789abcdef"
VECTOR_CANONICAL = (
    "GET\n"
    f"/v1/{PROJECT}/training-jobs/10/versions/\n"
    "page=1&per_page=5\n"
    "content-type:application/json\n"
    "host:modelarts.eu-de.otc.t-systems.com\n"
    f"x-project-id:{PROJECT}\n"
    "x-sdk-date:20240101T000000Z\n"
    "x-security-token:TOKEN\n"
    "\n"
    "content-type;host;x-project-id;x-sdk-date;x-security-token\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)
VECTOR_HASH = "48f50dc9f411d364a0af467c140f6ee5c69902f0717796aaef7662d588c1eaba"
VECTOR_SIGNATURE = "8868d10d3973b44675a7919373e662ce11aef7e2f8d16dd016ef3074090f130c"
VECTOR_HEADERS = {
    "Content-Type": "application/json",
    "X-Sdk-Date": "20240101T000000Z",
    "X-Project-Id": PROJECT,
    "X-Security-Token": "TOKEN",
    "Host": "modelarts.eu-de.otc.t-systems.com",
}


def test_spec_vector_canonical_request_and_signature() -> None:
    query = [("per_page", "5"), ("page", "1")]
    canonical = canonical_request(
        "GET", f"/v1/{PROJECT}/training-jobs/10/versions", query, VECTOR_HEADERS, b""
    )
    assert canonical == VECTOR_CANONICAL
    to_sign = string_to_sign(canonical, "20240101T000000Z")
    assert to_sign == f"SDK-HMAC-SHA256\n20240101T000000Z\n{VECTOR_HASH}"
    assert signature("SKEXAMPLE", to_sign) == VECTOR_SIGNATURE


def test_spec_vector_via_sign() -> None:
    headers = {k: v for k, v in VECTOR_HEADERS.items() if k != "Host"}
    out = sign(
        "AKEXAMPLE",
        "SKEXAMPLE",
        "GET",
        "modelarts.eu-de.otc.t-systems.com",
        f"/v1/{PROJECT}/training-jobs/10/versions",
        [("per_page", 5), ("page", 1)],
        headers,
    )
    assert out["Authorization"] == (
        "SDK-HMAC-SHA256 Access=AKEXAMPLE, "
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, "
        f"Signature={VECTOR_SIGNATURE}"
    )
    assert out["Host"] == "modelarts.eu-de.otc.t-systems.com"


def test_spec_vector_via_aksk_auth_on_a_prepared_request() -> None:
    creds = Credentials("AKEXAMPLE", "SKEXAMPLE", "TOKEN")
    moment = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    auth = AkSkAuth(StaticCredentialSource(creds), PROJECT, clock=lambda: moment)
    req = requests.Request(
        "GET",
        f"https://modelarts.eu-de.otc.t-systems.com/v1/{PROJECT}/training-jobs/10/versions",
        params={"per_page": 5, "page": 1},
        headers={"Content-Type": "application/json"},
    ).prepare()
    signed = auth(req)
    assert signed.headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=AKEXAMPLE, "
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, "
        f"Signature={VECTOR_SIGNATURE}"
    )
    assert signed.headers["X-Security-Token"] == "TOKEN"
    assert signed.headers["X-Project-Id"] == PROJECT
    assert signed.headers["X-Sdk-Date"] == "20240101T000000Z"
    assert signed.url.endswith("/versions?per_page=5&page=1")  # no trailing slash on the wire


def test_canonical_pieces() -> None:
    assert canonical_uri("/a b/ü/x~y") == "/a%20b/%C3%BC/x~y/"
    assert canonical_uri("/already/") == "/already/"
    assert canonical_uri("") == "/"
    assert canonical_query([("b", "x y"), ("a", ["2", "1"]), ("c", True)]) == (
        "a=1&a=2&b=x%20y&c=true"
    )
    assert canonical_query([("k", "2"), ("k", "1")]) == "k=1&k=2"


# ------------------------------------------------------------------------------ the oracle

segment = st.text(
    alphabet=st.sampled_from(list("abcXYZ019-_.~ %+;=,:@!$&'()*äü中€/")), min_size=0, max_size=8
)
scalar = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab1 _-~+&=/?#%äé中")), max_size=8),
    st.integers(min_value=-5, max_value=1000),
    st.booleans(),
)
query_key = st.text(alphabet=st.sampled_from(list("abcK_ -~äz")), min_size=1, max_size=5)


@st.composite
def sdk_requests(draw: Any) -> dict[str, Any]:
    keys = draw(st.lists(query_key, max_size=4, unique=True))
    query: list[tuple[str, object]] = []
    for key in keys:
        # a key either repeats with text values, carries a list, or one scalar value
        shape = draw(st.sampled_from(["one", "list", "repeat"]))
        if shape == "list":
            query.append((key, draw(st.lists(st.text(max_size=4), min_size=1, max_size=3))))
        elif shape == "repeat":
            for value in draw(st.lists(st.text(max_size=4), min_size=2, max_size=3)):
                query.append((key, value))
        else:
            query.append((key, draw(scalar)))
    headers = {
        "Content-Type": draw(
            st.sampled_from(["application/json", "application/json;charset=utf8", "text/plain"])
        ),
        "X-Sdk-Date": "20240102T030405Z",
        "User-Agent": "modelarts-widgets-test",
    }
    if draw(st.booleans()):
        headers["X-Custom-Thing"] = draw(st.text(alphabet="ab c", max_size=6))
    if draw(st.booleans()):
        headers["X_Not_Signed"] = "underscore"
    body = draw(st.one_of(st.just(b""), st.binary(max_size=40), st.text(max_size=20)))
    path = "/" + "/".join(draw(st.lists(segment, min_size=1, max_size=4)))
    return {
        "method": draw(st.sampled_from(["GET", "DELETE", "POST", "PUT"])),
        "host": draw(st.sampled_from(["modelarts.eu-de.otc.t-systems.com", "127.0.0.1:8080"])),
        "path": path,
        "query": query,
        "headers": headers,
        "body": body,
        "token": draw(st.one_of(st.none(), st.text(alphabet="ABCdef123+/=", min_size=1))),
        "project": draw(st.one_of(st.none(), st.just(PROJECT))),
    }


def core_sign(case: dict[str, Any], ak: str, sk: str) -> dict[str, str]:
    creds = core_credentials.BasicCredentials(ak, sk, case["project"])
    if case["token"] is not None:
        creds = creds.with_security_token(case["token"])
    request = core_request.SdkRequest(
        method=case["method"],
        schema="https",
        host=case["host"],
        resource_path=case["path"],
        query_params=copy.deepcopy(case["query"]),
        header_params=dict(case["headers"]),
        body=case["body"],
    )
    signed = creds.sign_request(request)
    return dict(signed.header_params)


def our_sign(case: dict[str, Any], ak: str, sk: str) -> dict[str, str]:
    headers = dict(case["headers"])
    if case["project"]:
        headers["X-Project-Id"] = case["project"]
    if case["token"] is not None:
        headers["X-Security-Token"] = case["token"]
    return sign(
        ak,
        sk,
        case["method"],
        case["host"],
        case["path"],
        copy.deepcopy(case["query"]),
        headers,
        case["body"],
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=sdk_requests())
def test_signature_equals_huaweicloudsdkcore(case: dict[str, Any]) -> None:
    theirs = core_sign(case, "AKORACLE", "sk-oracle/ä")
    ours = our_sign(case, "AKORACLE", "sk-oracle/ä")
    assert ours["Authorization"] == theirs["Authorization"]
    assert ours.get("X-Sdk-Content-Sha256") == theirs.get("X-Sdk-Content-Sha256")


@settings(max_examples=150, deadline=None)
@given(
    segments=st.lists(segment, min_size=1, max_size=4),
    params=st.lists(
        st.tuples(query_key, st.text(alphabet=st.sampled_from(list("ab 1+&=/%ä中~")), max_size=6)),
        max_size=5,
    ),
    body=st.one_of(st.none(), st.binary(max_size=30)),
    token=st.one_of(st.none(), st.text(alphabet="ABC123=", min_size=1, max_size=8)),
)
def test_aksk_auth_on_the_wire_equals_core(
    segments: list[str],
    params: list[tuple[str, str]],
    body: Optional[bytes],
    token: Optional[str],
) -> None:
    """What requests sends, re-signed by core from the same inputs, gives our signature.

    The query goes on the wire as the client builds it (:func:`encode_query`); the headers
    ``requests`` adds (Accept, Accept-Encoding, Connection, Content-Length) are not signed.
    """
    creds = Credentials("AKWIRE", "sk-wire", token)
    auth = AkSkAuth(StaticCredentialSource(creds), PROJECT)
    path = "/" + "/".join(segments)
    query = encode_query(params)
    url = f"http://127.0.0.1:8080{requests.utils.quote(path)}" + (f"?{query}" if query else "")
    prepared = requests.Session().prepare_request(
        requests.Request("POST", url, data=body, headers={"Content-Type": "application/json"})
    )
    signed = auth(prepared)
    wire = urlsplit(signed.url)
    assert wire.query == query  # requests leaves the encoded query alone

    own = ("Content-Type", "User-Agent", "X-Sdk-Date")
    case = {
        "method": "POST",
        "host": "127.0.0.1:8080",
        "path": wire.path,
        "query": list(params),
        "headers": {k: signed.headers[k] for k in own},
        "body": signed.body or b"",
        "token": token,
        "project": PROJECT,
    }
    theirs = core_sign(case, "AKWIRE", "sk-wire")
    assert signed.headers["Authorization"] == theirs["Authorization"]
    signed_names = signed.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    expected = "content-type;host;user-agent;x-project-id;x-sdk-date"
    assert signed_names == expected + (";x-security-token" if token else "")
    assert signed.headers["Host"] == "127.0.0.1:8080"

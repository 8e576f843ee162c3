"""The SigV4 signer against AWS's published test vectors and against botocore's signer as an oracle.

The vectors are the request/authorization pairs of AWS's Signature Version 4 test suite (formerly in
the AWS General Reference; a copy lives in bazelbuild/bazel ``third_party/aws-sig-v4-test-suite``),
restated here as data: key ``AKIDEXAMPLE``, date 2015-08-30T12:36:00Z, region us-east-1, service
``service``. The oracle test signs generated requests with both signers at the same instant.
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from any_llm.aws import AWSCredentials, canonical_query, canonical_uri, sigv4_headers
from any_llm.provider import Secret

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
WHEN = datetime.datetime(2015, 8, 30, 12, 36, tzinfo=datetime.timezone.utc)
STS_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
    "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE"
    "8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICC"
    "R/oLxBA=="
)

# (name, method, path+query as on the request line, extra headers, body, session token, signed headers, signature)
VECTORS = [
    ("post-vanilla", "POST", "/", {}, b"", None, "host;x-amz-date",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", {}, b"", None, "host;x-amz-date",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("get-vanilla-utf8-query", "GET", "/?\u1234=bar", {}, b"", None, "host;x-amz-date",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
    ("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {}, b"", None,
     "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
    ("get-slash-dot-slash", "GET", "/./", {}, b"", None, "host;x-amz-date",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-slashes", "GET", "//example//", {}, b"", None, "host;x-amz-date",
     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
    ("get-space", "GET", "/example space/", {}, b"", None, "host;x-amz-date",
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
    ("post-x-www-form-urlencoded", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
     b"Param1=value1", None, "content-type;host;x-amz-date",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ("post-sts-header-before", "POST", "/", {}, b"", STS_TOKEN, "host;x-amz-date;x-amz-security-token",
     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "method", "target", "headers", "body", "token", "signed", "signature"), VECTORS)
def test_aws_test_suite_vectors(
    name: str,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    token: str | None,
    signed: str,
    signature: str,
) -> None:
    creds = AWSCredentials("AKIDEXAMPLE", Secret(SECRET), Secret(token) if token else None)
    out = sigv4_headers(
        method,
        "https://example.amazonaws.com" + target,
        {"Host": "example.amazonaws.com", **headers},
        body,
        credentials=creds,
        region="us-east-1",
        service="service",
        when=WHEN,
    )
    assert out["X-Amz-Date"] == "20150830T123600Z"
    assert out["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}"
    ), name
    assert ("X-Amz-Security-Token" in out) == (token is not None)


def test_a_changed_byte_changes_the_signature() -> None:
    creds = AWSCredentials("AKIDEXAMPLE", Secret(SECRET))
    sign = lambda body: sigv4_headers(  # noqa: E731
        "POST", "https://h.example/p", {}, body, credentials=creds, region="r", service="s", when=WHEN
    )["Authorization"]
    assert sign(b'{"a":1}') != sign(b'{"a":2}')


# -- botocore as the oracle ---------------------------------------------------------------------

_segment = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="/?#%"),
    min_size=0,
    max_size=12,
)
_qtext = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
_hvalue = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
_when = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1),
    max_value=datetime.datetime(2100, 1, 1),
    timezones=st.just(datetime.timezone.utc),
)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="-_.~")


_segments = st.lists(st.one_of(_segment, st.sampled_from([".", "..", "model", "anthropic.claude-v2:1"])), max_size=5)
_pairs = st.lists(st.tuples(_qtext, _qtext), max_size=4)
_ports = st.sampled_from(["", ":443", ":8443", ":80"])
_hosts = st.sampled_from(
    ["bedrock-runtime.us-east-1.amazonaws.com", "127.0.0.1", "runtime.sagemaker.eu-west-3.amazonaws.com"]
)
_content_types = st.one_of(st.none(), st.sampled_from(["application/json", "application/x-amz-json-1.1"]))
_amz_headers = st.dictionaries(
    st.sampled_from(["x-amz-target", "X-Amz-Meta-A", "x-amz-content-sha256"]), _hvalue, max_size=2
)
_methods = st.sampled_from(["GET", "POST", "PUT", "DELETE"])
_akids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=20)
# AWS secret keys are 40 characters of base64: long enough that redacting them (every Secret is redacted
# process-wide) never blanks ordinary words in the messages of later tests
_secrets = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", min_size=40, max_size=40
)
_tokens = st.one_of(st.none(), st.text(alphabet="ABCDEFabcdef0123456789+/=", min_size=8, max_size=60))
_regions = st.sampled_from(["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1"])
_services = st.sampled_from(["bedrock", "sagemaker", "service"])
_bodies = st.binary(max_size=200)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, object]:
    from urllib.parse import quote

    path = "/" + "/".join(quote(s, safe="") for s in draw(_segments))  # as a client sends it: encoded once
    if draw(st.booleans()):
        path += "/"
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in draw(_pairs))
    port, host = draw(_ports), draw(_hosts)
    headers = {"host": host + ("" if port in ("", ":443") else port), **draw(_amz_headers)}
    content_type = draw(_content_types)
    if content_type:
        headers["content-type"] = content_type
    return {
        "method": draw(_methods),
        "url": f"https://{host}{port}{path}" + (f"?{query}" if query else ""),
        "headers": headers,
        "body": draw(_bodies),
        "akid": draw(_akids),
        "secret": draw(_secrets),
        "token": draw(_tokens),
        "region": draw(_regions),
        "service": draw(_services),
        "when": draw(_when),
    }


ORACLE_RUNS = 400


def botocore_authorization(r: dict[str, object]) -> dict[str, str]:
    """What botocore's SigV4Auth adds to the same request at the same instant."""
    when = r["when"]
    assert isinstance(when, datetime.datetime)
    request = AWSRequest(method=r["method"], url=r["url"], data=r["body"], headers=dict(r["headers"]))  # type: ignore[arg-type]
    auth = SigV4Auth(Credentials(r["akid"], r["secret"], r["token"]), r["service"], r["region"])
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        auth.add_auth(request)
    return {k: v for k, v in request.headers.items() if k in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")}


@settings(max_examples=ORACLE_RUNS, deadline=None)
@given(requests())
def test_signer_matches_botocore(r: dict[str, object]) -> None:
    token = r["token"]
    creds = AWSCredentials(str(r["akid"]), Secret(str(r["secret"])), Secret(token) if isinstance(token, str) else None)
    ours = sigv4_headers(
        str(r["method"]),
        str(r["url"]),
        r["headers"],  # type: ignore[arg-type]
        r["body"],  # type: ignore[arg-type]
        credentials=creds,
        region=str(r["region"]),
        service=str(r["service"]),
        when=r["when"],  # type: ignore[arg-type]
    )
    assert ours == botocore_authorization(r)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_segment, st.sampled_from([".", "..", ""])), max_size=6), st.booleans())
def test_canonical_uri_matches_botocore(segments: list[str], trailing: bool) -> None:
    from urllib.parse import quote

    from botocore.utils import normalize_url_path

    path = "/" + "/".join(quote(s, safe="") for s in segments) + ("/" if trailing else "")
    assert canonical_uri(path) == quote(normalize_url_path(path), safe="/~")


def test_canonical_query_sorts_and_reencodes() -> None:
    assert canonical_query("b=2&a=%7e&a=1&c") == "a=1&a=~&b=2&c="
    assert canonical_query("k=a b") == "k=a%20b"


def test_also_sign_adds_a_header_to_the_signature_as_botocore_signs_it() -> None:
    """Google's workload identity federation needs ``x-goog-cloud-target-resource`` signed: botocore signs
    every header it is given, ours only what ``also_sign`` adds beside host, content-type and x-amz-*."""
    r: dict[str, object] = {
        "method": "POST",
        "url": "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
        "headers": {"x-goog-cloud-target-resource": "//iam.googleapis.com/projects/1/locations/global/x"},
        "body": b"",
        "akid": "AKIDEXAMPLE",
        "secret": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "token": None,
        "service": "sts",
        "region": "us-east-2",
        "when": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    }
    creds = AWSCredentials("AKIDEXAMPLE", Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
    kw: dict[str, object] = {"credentials": creds, "region": "us-east-2", "service": "sts", "when": r["when"]}
    signed = sigv4_headers("POST", str(r["url"]), r["headers"], b"", also_sign=("x-goog-cloud-target-resource",), **kw)  # type: ignore[arg-type]
    assert "x-goog-cloud-target-resource" in signed["Authorization"]
    assert signed == botocore_authorization(r)
    unsigned = sigv4_headers("POST", str(r["url"]), r["headers"], b"", **kw)  # type: ignore[arg-type]
    assert "x-goog-cloud-target-resource" not in unsigned["Authorization"]

"""Test helpers for AWS providers: event-stream replies and a SigV4-verifying request check.

:func:`verify_sigv4` recomputes a request's signature with botocore's own signer (a test-only
dependency, imported when called) from the headers the request says it signed, so a local server
can refuse what AWS would refuse: a wrong key, a changed byte, a stale date.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from any_llm.eventstream import encode_message
from any_llm.testing.server import MockServer, RecordedRequest, Reply

__all__ = ["SigV4Server", "converse_frames", "eventstream_reply", "exception_frame", "verify_sigv4"]

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<akid>[^/]+)/(?P<day>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<sig>[0-9a-f]{64})$"
)


def event_frame(name: str, payload: Any) -> bytes:
    """One ``:message-type: event`` frame; a dict payload is sent as JSON, bytes as given."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return encode_message({":event-type": name, ":content-type": "application/json", ":message-type": "event"}, body)


def exception_frame(name: str, message: str) -> bytes:
    """An exception inside the stream, e.g. ``throttlingException``."""
    return encode_message(
        {":exception-type": name, ":content-type": "application/json", ":message-type": "exception"},
        json.dumps({"message": message}).encode(),
    )


def converse_frames(events: Iterable[tuple[str, Any]]) -> list[bytes]:
    return [event_frame(name, payload) for name, payload in events]


def eventstream_reply(frames: Iterable[bytes], split: int = 0, headers: Mapping[str, str] | None = None) -> Reply:
    """A 200 event-stream answer; ``split`` > 0 cuts the bytes into pieces of that size (frames
    straddling chunk boundaries, as on a real network)."""
    data = b"".join(frames)
    chunks = [data[i : i + split] for i in range(0, len(data), split)] if split else [data]
    return Reply(200, {"content-type": "application/vnd.amazon.eventstream", **(headers or {})}, chunks)


def verify_sigv4(
    request: RecordedRequest,
    secrets: Mapping[str, str],
    *,
    service: str,
    region: str | None = None,
    session_tokens: Mapping[str, str] | None = None,
    max_skew: float = 300.0,
) -> str | None:
    """None when ``request`` carries a valid SigV4 signature by a key in ``secrets`` (access key id →
    secret), else why not. Checked like AWS does: the signed headers include host and x-amz-date, the
    date is within ``max_skew`` seconds, the session token matches, the signature matches botocore's."""
    from botocore.auth import SigV4Auth  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from botocore.credentials import Credentials  # type: ignore[import-untyped,import-not-found,unused-ignore]

    headers = {k.lower(): v for k, v in request.headers.items()}
    match = _AUTH.match(headers.get("authorization", ""))
    if match is None:
        return "no SigV4 Authorization header"
    akid, signed = match["akid"], match["signed"].split(";")
    if akid not in secrets:
        return f"unknown access key {akid}"
    if match["service"] != service or (region is not None and match["region"] != region):
        return f"credential scope {match['region']}/{match['service']} is not {region}/{service}"
    if "host" not in signed or "x-amz-date" not in signed or any(h not in headers for h in signed):
        return "signed headers must include host and x-amz-date, and all be present"
    amz_date = headers["x-amz-date"]
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if (
        abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > max_skew
        or amz_date[:8] != match["day"]
    ):
        return "request date out of range (stale or replayed signature)"
    token = (session_tokens or {}).get(akid)
    if token is not None and (headers.get("x-amz-security-token") != token or "x-amz-security-token" not in signed):
        return "missing or wrong session token"
    aws_request = AWSRequest(
        method=request.method,
        url=f"http://{headers['host']}{request.path}",
        data=request.body,
        headers={h: headers[h] for h in signed},
    )
    aws_request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(akid, secrets[akid], token), match["service"], match["region"])
    canonical = auth.canonical_request(aws_request)
    expected = auth.signature(auth.string_to_sign(aws_request, canonical), aws_request)
    if expected != match["sig"]:
        return "signature mismatch"
    return None


class SigV4Server(MockServer):
    """A local AWS endpoint that checks every request's SigV4 signature (:func:`verify_sigv4`) before
    answering from ``script``; a bad signature gets AWS's 403 ``InvalidSignatureException``.
    ``verdicts`` holds one entry per request: None when the signature was valid, else why not."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        service: str,
        tokens: Mapping[str, str] | None = None,
        answer: Callable[[RecordedRequest], Reply] | None = None,
    ) -> None:
        super().__init__(handler=self._answer)
        self.secrets = dict(secrets)
        self.service = service
        self.tokens = dict(tokens) if tokens else None
        self.verdicts: list[str | None] = []
        self.script: list[Reply] = []
        """Replies in order; when empty, ``answer`` (if given) answers each verified request."""
        self.answer = answer

    def _answer(self, request: RecordedRequest) -> Reply:
        verdict = verify_sigv4(request, self.secrets, service=self.service, session_tokens=self.tokens)
        self.verdicts.append(verdict)
        if verdict is not None:
            return Reply.json(
                {"message": f"The request signature we calculated does not match ({verdict})"},
                403,
                headers={"x-amzn-errortype": "InvalidSignatureException"},
            )
        if self.script:
            return self.script.pop(0)
        if self.answer is not None:
            return self.answer(request)
        return Reply.json({"message": "nothing scripted"}, 500)

"""A local IBM Cloud IAM token endpoint, and the env pointing the provider at it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from any_llm.testing import MockServer, Reply
from any_llm.testing.conformance import KEY
from any_llm.testing.schema import schema_errors

SPEC = Path(__file__).parent / "spec" / "watsonx-text-chat.json"
PROJECT = "63dc4cf1-252f-424b-b52d-5cdd9814987f"


class IAMServer:
    """Answers IAM's API-key grant with numbered tokens; refuses unknown keys like IAM does."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.expires_in = 3600
        self._lock = threading.Lock()
        self.server = MockServer(self.handle)

    def handle(self, request: Any) -> Reply:
        form = dict(parse_qsl(request.body.decode()))
        if request.path != "/identity/token" or form.get("grant_type") != "urn:ibm:params:oauth:grant-type:apikey":
            return Reply.json({"errorCode": "BXNIM0109E", "errorMessage": "Property missing or empty."}, status=400)
        if form.get("apikey") != KEY:
            return Reply.json(
                {"errorCode": "BXNIM0415E", "errorMessage": "Provided API key could not be found."}, status=400
            )
        with self._lock:
            token = f"eyJraWQiOiIyMDI0.iam-token-{len(self.issued) + 1}.sig"
            self.issued.append(token)
        answer = {
            "access_token": token,
            "refresh_token": "not_supported",
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "expiration": 1900000000,
            "scope": "ibm openid",
        }
        assert not schema_errors(SPEC, "IAMTokenResponse", answer)
        return Reply.json(answer)


@pytest.fixture(scope="module")
def iam() -> Iterator[IAMServer]:
    server = IAMServer()
    with server.server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("WATSONX_IAM_URL", server.server.url + "/identity/token")
        mp.setenv("WATSONX_PROJECT_ID", PROJECT)
        yield server

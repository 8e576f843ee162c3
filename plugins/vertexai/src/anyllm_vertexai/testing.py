"""Test doubles for Google auth, for this plugin's tests and every plugin built on it (vertexaianthropic).

:class:`GoogleTokenServer` is a local OAuth2 token endpoint as strict as Google's: it verifies a
service-account JWT's RS256 signature and claims, answers the refresh-token grant, and serves the
metadata server's token path. Verifying needs ``cryptography`` (a test dependency, imported only
when a JWT arrives); nothing here is used at run time.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qsl

from any_llm.testing import MockServer, Reply

__all__ = [
    "CLIENT_EMAIL",
    "CLIENT_SECRET",
    "PROJECT",
    "REFRESH_TOKEN",
    "GoogleTokenServer",
    "pem",
    "service_account_info",
]

CLIENT_EMAIL = "anyllm-test@demo-project-4711.iam.gserviceaccount.com"
PROJECT = "demo-project-4711"
REFRESH_TOKEN = "1//0refresh-token-for-tests-QwErTy"
CLIENT_SECRET = "d-FL95Q19q7MQmFpd7hHD0Ty"


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def pem(key: Any, pkcs8: bool = True) -> str:
    """``key`` (a ``cryptography`` RSA private key) as unencrypted PEM, PKCS#8 or PKCS#1."""
    from cryptography.hazmat.primitives import serialization  # type: ignore[import-not-found,unused-ignore]

    fmt = serialization.PrivateFormat.PKCS8 if pkcs8 else serialization.PrivateFormat.TraditionalOpenSSL
    return str(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode())


class GoogleTokenServer:
    """Google's token endpoint, strict like the real one: the JWT must verify against the service
    account's public key and carry the right claims."""

    def __init__(self, public_key: Any) -> None:
        self.public_key = public_key
        self.issued: list[str] = []
        self.verified: list[dict[str, Any]] = []
        self.expires_in = 3599
        self._lock = threading.Lock()
        self.server = MockServer(self.handle)

    @property
    def token_uri(self) -> str:
        return self.server.url + "/token"

    def _token(self) -> Reply:
        with self._lock:
            token = f"ya29.c.test-access-token-{len(self.issued) + 1:03d}"
            self.issued.append(token)
        return Reply.json({"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"})

    def handle(self, request: Any) -> Reply:
        if request.path.startswith("/computeMetadata/v1/instance/service-accounts/default/token"):
            if request.method != "GET" or request.headers.get("metadata-flavor") != "Google":
                return Reply.text("Missing Metadata-Flavor:Google header.", status=403)
            return self._token()
        if request.path != "/token" or request.method != "POST":
            return Reply.json({"error": "not_found"}, status=404)
        if request.headers.get("content-type") != "application/x-www-form-urlencoded":
            return Reply.json({"error": "invalid_request"}, status=400)
        form = dict(parse_qsl(request.body.decode()))
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if form.get("refresh_token") != REFRESH_TOKEN or form.get("client_secret") != CLIENT_SECRET:
                return Reply.json({"error": "invalid_grant", "error_description": "Bad Request"}, status=400)
            return self._token()
        if grant != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Reply.json(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}, status=400
            )
        problem = self.verify(form.get("assertion", ""))
        if problem:
            return Reply.json({"error": "invalid_grant", "error_description": problem}, status=400)
        return self._token()

    def verify(self, assertion: str) -> str | None:
        from cryptography.exceptions import InvalidSignature  # type: ignore[import-not-found,unused-ignore]
        from cryptography.hazmat.primitives import hashes  # type: ignore[import-not-found,unused-ignore]
        from cryptography.hazmat.primitives.asymmetric import padding  # type: ignore[import-not-found,unused-ignore]

        try:
            head, body, sig = assertion.split(".")
            header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
        except ValueError:
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return "Invalid JWT header"
        try:
            self.public_key.verify(_unb64(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "Invalid JWT Signature."
        now = time.time()
        if claims.get("iss") != CLIENT_EMAIL or claims.get("aud") != self.token_uri:
            return "Invalid JWT: iss or aud"
        if "https://www.googleapis.com/auth/cloud-platform" not in str(claims.get("scope", "")).split():
            return "Invalid OAuth scope or ID token audience provided."
        if not (abs(claims["iat"] - now) < 60 and claims["exp"] - claims["iat"] == 3600):
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
        with self._lock:
            self.verified.append({"header": header, "claims": claims})
        return None


def service_account_info(key: Any, token_uri: str) -> dict[str, Any]:
    """A service-account JSON key file's content for ``key``, pointing at ``token_uri``."""
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "5d41402abc4b2a76b9719d911017c592",
        "private_key": pem(key),
        "client_email": CLIENT_EMAIL,
        "client_id": "103651192749830591234",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }

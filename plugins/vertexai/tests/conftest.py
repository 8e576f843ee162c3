"""Fixtures around :mod:`anyllm_vertexai.testing`'s JWT-verifying Google token endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyllm_vertexai.testing import (  # noqa: F401  (re-exported for the test modules)
    CLIENT_EMAIL,
    CLIENT_SECRET,
    PROJECT,
    REFRESH_TOKEN,
    GoogleTokenServer,
    pem,
    service_account_info,
)


@pytest.fixture(scope="session")
def rsa_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def google(rsa_key: Any) -> Iterator[GoogleTokenServer]:
    server = GoogleTokenServer(rsa_key.public_key())
    with server.server:
        yield server


@pytest.fixture
def clean_google_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ambient credentials: no env file, an empty gcloud config dir, no project/location env."""
    for name in (
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GCE_METADATA_HOST",
        "VERTEXAI_PROJECT",
        "GOOGLE_CLOUD_PROJECT",
        "VERTEXAI_LOCATION",
        "GOOGLE_CLOUD_LOCATION",
        "VERTEXAI_API_KEY",
        "VERTEXAI_API_BASE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    return tmp_path


@pytest.fixture
def sa_file(clean_google_env: Path, rsa_key: Any, google: GoogleTokenServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = clean_google_env / "sa.json"
    path.write_text(json.dumps(service_account_info(rsa_key, google.token_uri)))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    return path

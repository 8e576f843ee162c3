"""Fixtures: the JWT-verifying Google token endpoint (from anyllm_vertexai.testing) and the anthropic
plugin's Messages schema, made exact by that plugin's own ``extend_spec`` (loaded from its file)."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyllm_vertexai.testing import GoogleTokenServer, service_account_info

ANTHROPIC_TESTS = Path(__file__).resolve().parents[2] / "anthropic" / "tests"


@pytest.fixture(scope="session")
def messages_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("anthropic_spec_tools", ANTHROPIC_TESTS / "conftest.py")
    assert spec is not None and spec.loader is not None
    tools = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tools)
    extended = tools.extend_spec(json.loads((ANTHROPIC_TESTS / "spec" / "anthropic-messages.json").read_text()))
    path = tmp_path_factory.mktemp("spec") / "anthropic-messages-extended.json"
    path.write_text(json.dumps(extended))
    return path


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
def sa_file(rsa_key: Any, google: GoogleTokenServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in (
        "VERTEXAI_PROJECT",
        "GOOGLE_CLOUD_PROJECT",
        "ANTHROPIC_VERTEX_PROJECT_ID",
        "CLOUD_ML_REGION",
        "VERTEXAI_LOCATION",
        "GOOGLE_CLOUD_LOCATION",
        "GCE_METADATA_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(service_account_info(rsa_key, google.token_uri)))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    return path

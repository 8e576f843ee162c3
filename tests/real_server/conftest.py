"""The real-server tier: tests here talk to a real OpenAI-compatible LLM server.

They are marked ``real_server`` and skip, with the reason, unless ``LLM_TEST_BASE_URL`` names the
server's base URL. CI (and ``nox -s tests``) starts llama-cpp-python + SmolLM2-135M with
``.ci/start-llm-server.sh`` and exports the URL it prints. Tests check structure, never wording;
they use temperature 0 and small ``max_tokens``, and stay at a few dozen requests in total.
Upstream llama-server (``.ci/start-llama-server.sh``, opt-in: it builds llama.cpp) serves routes that
llama-cpp-python's server lacks; tests that need them branch on ``server_info["kind"]``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

BASE_URL = os.environ.get("LLM_TEST_BASE_URL", "").strip()
HERE = os.path.dirname(__file__)
SKIP_REASON = (
    "LLM_TEST_BASE_URL is not set: run `export LLM_TEST_BASE_URL=$(bash .ci/start-llm-server.sh)` "
    "to run the real-server tier"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not BASE_URL and str(item.path).startswith(HERE):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def base_url() -> str:
    return BASE_URL.rstrip("/")


@pytest.fixture(scope="session")
def server_info(base_url: str) -> dict[str, Any]:
    """The served model id and which server it is: llama-cpp-python reports ``owned_by: "me"``,
    upstream llama-server ``"llamacpp"``. Used only where the two are known to differ."""
    from any_llm import list_models

    models = list_models("llamacpp", api_base=base_url)
    assert models, "the server lists no model"
    owner = models[0].owned_by
    return {"model": models[0].id, "kind": "llama-cpp-python" if owner == "me" else "llama-server"}

"""Fixtures of the reliability suite: a fault server per test, the protocols to run over, a hang guard."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from rel_support import FaultServer, Protocol, installed_protocols

HANG_GUARD = 120
"""A test still running after this many seconds is a hang: dump every thread's stack and exit."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reference_protocol: run with the OpenAI protocol only (the behaviour under test is the core's)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``proto`` runs a test once per installed protocol plugin (OpenAI, Anthropic, Gemini, Ollama, Cohere)."""
    if "proto" in metafunc.fixturenames:
        protos = installed_protocols()
        if metafunc.definition.get_closest_marker("reference_protocol"):
            protos = [p for p in protos if p.name == "openai"]
        metafunc.parametrize("proto", protos, ids=[p.name for p in protos])


@pytest.fixture(autouse=True)
def _hang_guard() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_GUARD, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def _close_pooled_clients() -> Iterator[None]:
    """The module-level API pools clients per configuration; close them so no socket outlives a test."""
    yield
    from any_llm import api

    with api._clients_lock:
        clients = list(api._clients.values())
        api._clients.clear()
    for client in clients:
        client.close()


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff of 10 ms instead of 0.5 s, so retry counts can be checked quickly."""
    import any_llm.transport

    monkeypatch.setattr(any_llm.transport, "INITIAL_RETRY_DELAY", 0.01)


@pytest.fixture
def openai_proto() -> Protocol:
    from rel_support import OPENAI

    return OPENAI

"""The httpx-style test seam: a transport given the way httpx takes one, per client or mounted for core's pool."""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
import pytest

from any_llm import AnyLLM, acompletion, completion, errors, plugins
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.transport import mount


class Mounted(OpenAICompatibleProvider):
    name = "mounted"
    display_name = "Mounted"
    requires_api_key = False
    default_api_base = "http://mounted.anyllm.invalid/v1"


def answer(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        text = f"echo {body['messages'][-1]['content']}"
        return httpx.Response(
            200,
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            },
        )

    return httpx.MockTransport(handle)


def test_a_mounted_transport_serves_the_module_level_functions_sync_and_async() -> None:
    seen: list[httpx.Request] = []
    with mount("all://mounted.anyllm.invalid", answer(seen)), plugins.registered(Mounted):
        result = completion("mounted:m", messages=[{"role": "user", "content": "hi"}])
        assert result.choices[0].message.content == "echo hi"

        async def call() -> Any:
            return await acompletion("mounted:m", messages=[{"role": "user", "content": "async"}])

        import asyncio

        assert asyncio.run(call()).choices[0].message.content == "echo async"
    assert [r.url.host for r in seen] == ["mounted.anyllm.invalid"] * 2


def test_after_the_block_no_pooled_client_keeps_the_route() -> None:
    args: dict[str, Any] = {"messages": [{"role": "user", "content": "hi"}], "client_args": {"max_retries": 0}}
    with plugins.registered(Mounted):
        with mount("all://mounted.anyllm.invalid", answer([])):
            assert completion("mounted:m", **args).choices[0].message.content == "echo hi"
        with pytest.raises(errors.APIConnectionError):  # the same call, now to the (unreachable) network
            completion("mounted:m", **args)


def test_one_client_takes_a_transport_as_httpx_does() -> None:
    seen: list[httpx.Request] = []
    with plugins.registered(Mounted):
        client = AnyLLM.create("mounted", transport=answer(seen))
        assert client.completion(model="m", messages=[{"role": "user", "content": "one"}]).choices[0].message.content
    assert len(seen) == 1


def test_a_pattern_mounts_once() -> None:
    first = mount("all://x.invalid", answer([]))
    with first, pytest.raises(errors.ConfigurationError, match="already mounted"), mount("all://x.invalid", answer([])):
        pass
    with mount("all://x.invalid", answer([])):  # the first block left cleanly
        pass


def test_provider_http_transport_still_works_with_a_deprecation_warning() -> None:
    seen: list[httpx.Request] = []
    old_style = type("OldStyle", (Mounted,), {"name": "oldstyle", "http_transport": answer(seen)})
    with plugins.registered(old_style), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        AnyLLM.create("oldstyle").completion(model="m", messages=[{"role": "user", "content": "old"}])
    assert len(seen) == 1
    (warning,) = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert "http_transport is deprecated" in str(warning.message)
    assert "mount" in str(warning.message)


def test_an_async_call_remembers_a_missing_sniffio(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore imports sniffio ~10 times a request; core records its absence once (any_llm.asyncenv)."""
    import importlib.util
    import sys

    from any_llm import asyncenv

    monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    if importlib.util.find_spec("sniffio") is not None:
        pytest.skip("sniffio is installed here: there is no failed import to remember")
    monkeypatch.setattr(asyncenv, "_checked", False)
    with mount("all://mounted.anyllm.invalid", answer([])), plugins.registered(Mounted):
        import asyncio

        asyncio.run(acompletion("mounted:m", messages=[{"role": "user", "content": "hi"}]))
    assert "sniffio" in sys.modules and sys.modules["sniffio"] is None

"""cost(): checked against genai-prices' own calculator; None (never an exception) when it cannot price."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

import any_llm
from any_llm.callhooks import CallInfo
from any_llm.types.completion import ChatCompletion, CompletionUsage, PromptTokensDetails
from any_llm.types.embedding import CreateEmbeddingResponse

genai_prices = pytest.importorskip("genai_prices", reason="needs anyllm-core[prices]; nox installs it")


def completion(model: str, usage: CompletionUsage) -> ChatCompletion:
    return ChatCompletion.model_validate(
        {
            "id": "x",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
            "usage": usage.model_dump(),
        }
    )


def oracle(model: str, provider_id: str, **counts: int) -> Any:
    return genai_prices.calc_price(genai_prices.Usage(**counts), model, provider_id=provider_id)


@pytest.mark.parametrize(
    ("provider", "provider_id", "model"),
    [
        ("openai", "openai", "gpt-4o-2024-08-06"),
        ("anthropic", "anthropic", "claude-3-5-haiku-20241022"),
        ("mistral", "mistral", "mistral-large-latest"),
    ],
)
def test_cost_matches_the_price_data_calculator(provider: str, provider_id: str, model: str) -> None:
    usage = CompletionUsage(prompt_tokens=12_345, completion_tokens=678, total_tokens=13_023)
    got = any_llm.cost(completion(model, usage), provider)
    want = oracle(model, provider_id, input_tokens=12_345, output_tokens=678)
    assert got is not None
    assert got.total == want.total_price and got.total > 0
    assert (got.input, got.output, got.cache) == (want.input_price, want.output_price, Decimal(0))
    assert isinstance(got.total, Decimal) and got.provider == provider_id
    # without provider=, the price data finds these vendors from the model name alone
    guessed = any_llm.cost(completion(model, usage))
    assert guessed is not None and guessed.total == want.total_price


def test_cache_reads_and_writes_are_split_out() -> None:
    details = PromptTokensDetails(cached_tokens=4_000, cache_creation_tokens=1_000)  # type: ignore[call-arg]
    usage = CompletionUsage(
        prompt_tokens=10_000, completion_tokens=500, total_tokens=10_500, prompt_tokens_details=details
    )
    got = any_llm.cost(completion("claude-3-5-haiku-20241022", usage), "anthropic")
    want = oracle(
        "claude-3-5-haiku-20241022",
        "anthropic",
        input_tokens=10_000,
        output_tokens=500,
        cache_read_tokens=4_000,
        cache_write_tokens=1_000,
    )
    assert got is not None and got.total == want.total_price
    assert got.cache > 0 and got.input + got.cache == want.input_price
    # 4k reads at $0.08/M + 1k writes at $1/M
    assert got.cache == Decimal("0.00032") + Decimal("0.001")


def test_embedding_and_usage_and_call_info() -> None:
    emb = CreateEmbeddingResponse.model_validate(
        {
            "data": [],
            "model": "text-embedding-3-small",
            "usage": {"prompt_tokens": 1_000_000, "total_tokens": 1_000_000},
        }
    )
    got = any_llm.cost(emb, "openai")
    assert (
        got is not None and got.total == oracle("text-embedding-3-small", "openai", input_tokens=1_000_000).total_price
    )
    usage = CompletionUsage(prompt_tokens=100, completion_tokens=10, total_tokens=110)
    by_usage = any_llm.cost(usage, "openai", model="gpt-4o")
    call = CallInfo(provider="openai", model="gpt-4o", operation="chat", usage=usage)
    assert by_usage is not None and by_usage == any_llm.cost(call)


@pytest.mark.parametrize(
    ("result", "provider"),
    [
        (completion("no-such-model-anywhere-9", CompletionUsage(prompt_tokens=5)), "openai"),
        (completion("no-such-model-anywhere-9", CompletionUsage(prompt_tokens=5)), None),
        (completion("gpt-4o", CompletionUsage(prompt_tokens=5)), "ollama"),  # local: no price
        (completion("gpt-4o", CompletionUsage(prompt_tokens=5)), "some-private-gateway"),
        (ChatCompletion(id="x", created=0, model="gpt-4o", choices=[]), "openai"),  # no usage
        (object(), None),
        (None, None),
        ("gpt-4o", "openai"),
    ],
)
def test_unknown_is_none_never_an_exception(result: Any, provider: str | None) -> None:
    assert any_llm.cost(result, provider) is None


def test_missing_extra_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "genai_prices", None)  # import fails as if not installed
    usage = CompletionUsage(prompt_tokens=100, completion_tokens=10, total_tokens=110)
    assert any_llm.cost(completion("gpt-4o", usage), "openai") is None


def test_price_data_is_not_imported_at_import() -> None:
    code = "import sys, any_llm; any_llm.cost; assert 'genai_prices' not in sys.modules, 'imported too early'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

"""completion()/acompletion() match the reference contract exactly, and the twins match each other."""

from __future__ import annotations

import inspect
import typing

import pytest

import any_llm
from any_llm import acompletion, completion

# From the reference page (shared/api/completion.md): name, default (None = required/no default), kind.
EXPECTED = [
    ("model", inspect.Parameter.empty, "POSITIONAL_OR_KEYWORD"),
    ("messages", inspect.Parameter.empty, "POSITIONAL_OR_KEYWORD"),
    ("provider", None, "KEYWORD_ONLY"),
    ("tools", None, "KEYWORD_ONLY"),
    ("tool_choice", None, "KEYWORD_ONLY"),
    ("temperature", None, "KEYWORD_ONLY"),
    ("top_p", None, "KEYWORD_ONLY"),
    ("max_tokens", None, "KEYWORD_ONLY"),
    ("response_format", None, "KEYWORD_ONLY"),
    ("stream", None, "KEYWORD_ONLY"),
    ("n", None, "KEYWORD_ONLY"),
    ("stop", None, "KEYWORD_ONLY"),
    ("presence_penalty", None, "KEYWORD_ONLY"),
    ("frequency_penalty", None, "KEYWORD_ONLY"),
    ("seed", None, "KEYWORD_ONLY"),
    ("api_key", None, "KEYWORD_ONLY"),
    ("api_base", None, "KEYWORD_ONLY"),
    ("user", None, "KEYWORD_ONLY"),
    ("session_label", None, "KEYWORD_ONLY"),
    ("parallel_tool_calls", None, "KEYWORD_ONLY"),
    ("logprobs", None, "KEYWORD_ONLY"),
    ("top_logprobs", None, "KEYWORD_ONLY"),
    ("logit_bias", None, "KEYWORD_ONLY"),
    ("stream_options", None, "KEYWORD_ONLY"),
    ("max_completion_tokens", None, "KEYWORD_ONLY"),
    ("reasoning_effort", "auto", "KEYWORD_ONLY"),
    ("client_args", None, "KEYWORD_ONLY"),
    ("kwargs", inspect.Parameter.empty, "VAR_KEYWORD"),
]

EXPECTED_ANNOTATIONS = {
    "model": "str",
    "messages": "list[dict[str, Any] | ChatCompletionMessage]",
    "provider": "str | LLMProvider | None",
    "tools": "list[dict[str, Any] | Callable[..., Any]] | None",
    "tool_choice": "str | dict[str, Any] | None",
    "temperature": "float | None",
    "response_format": "dict[str, Any] | type | None",
    "stream": "bool | None",
    "stop": "str | list[str] | None",
    "logit_bias": "dict[str, float] | None",
    "reasoning_effort": "Literal['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'auto'] | None",
    "client_args": "dict[str, Any] | None",
    "kwargs": "Any",
}


@pytest.mark.parametrize("func", [completion, acompletion])
def test_signature_matches_reference(func: typing.Callable[..., typing.Any]) -> None:
    params = list(inspect.signature(func).parameters.values())
    assert [(p.name, p.default, p.kind.name) for p in params] == EXPECTED
    for p in params:
        if p.name in EXPECTED_ANNOTATIONS:
            assert p.annotation == EXPECTED_ANNOTATIONS[p.name], p.name


def test_twins_have_identical_signatures_and_docstrings() -> None:
    sync, async_ = inspect.signature(completion), inspect.signature(acompletion)
    assert list(sync.parameters.values()) == list(async_.parameters.values())
    assert completion.__doc__ == acompletion.__doc__
    assert inspect.iscoroutinefunction(acompletion)
    assert not inspect.iscoroutinefunction(completion)


def test_overloads_describe_the_return_types() -> None:
    overloads = typing.get_overloads(completion) if hasattr(typing, "get_overloads") else []
    if not overloads:  # Python 3.10 has no get_overloads; the annotations are checked by mypy there
        return
    returns = {str(inspect.signature(o).return_annotation) for o in overloads}
    assert "Iterator[ChatCompletionChunk]" in returns
    assert "ParsedChatCompletion[_T]" in returns
    assert "ChatCompletion" in returns


def test_public_names() -> None:
    for name in [
        "completion",
        "acompletion",
        "embedding",
        "aembedding",
        "list_models",
        "alist_models",
        "AnyLLM",
        "LLMProvider",
        "hookimpl",
        "list_providers",
        "AnyLLMError",
    ]:
        assert getattr(any_llm, name) is not None
    with pytest.raises(AttributeError):
        _ = any_llm.does_not_exist  # type: ignore[attr-defined]


def test_import_is_lazy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, any_llm; from any_llm import completion; "
        "heavy = [m for m in ('pydantic', 'pluggy', 'any_llm.types', 'any_llm.plugins') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

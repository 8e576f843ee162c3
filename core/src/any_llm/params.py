"""Checking and normalizing completion() arguments into :class:`~any_llm.provider.CompletionParams`.

Everything here runs before a byte is sent: a wrong argument is a
:class:`~any_llm.errors.ConfigurationError` that names the argument and the fix.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, cast

from any_llm import errors
from any_llm.provider import CompletionParams

if TYPE_CHECKING:
    from any_llm.provider import Provider

__all__ = [
    "REASONING_EFFORTS",
    "SEED_PARAMS",
    "SEED_PARAM_NAMES",
    "build_params",
    "check_request",
    "content_capabilities",
    "normalize_messages",
]

SEED_PARAMS: tuple[tuple[str, str], ...] = (
    (
        "model",
        "Model identifier. Recommended: with a separate ``provider`` (model='gpt-4', provider='openai'). "
        "Alternative: 'provider:model' (e.g. 'openai:gpt-4'). Legacy 'provider/model' still works, with a "
        "DeprecationWarning.",
    ),
    ("messages", "The conversation: dicts, or message objects such as ``response.choices[0].message``."),
    ("provider", "Provider name (case-insensitive) or an ``LLMProvider``; the model is then used verbatim."),
    ("tools", "OpenAI tool dicts or Python callables (schemas come from type hints and docstrings)."),
    ("tool_choice", 'Which tools the model may call ("auto", "none", "required", or a named tool).'),
    ("temperature", "Randomness, 0.0 to 2.0."),
    ("top_p", "Nucleus sampling, 0.0 to 1.0."),
    ("max_tokens", "Maximum number of tokens to generate."),
    (
        "response_format",
        '{"type": "json_object"}, a json_schema dict, or a pydantic model / dataclass (then the result is a '
        "``ParsedChatCompletion`` with ``.choices[0].message.parsed``).",
    ),
    ("stream", "Return an iterator of ``ChatCompletionChunk`` (also a context manager)."),
    ("n", "Number of completions to generate."),
    ("stop", "Stop sequence(s)."),
    ("presence_penalty", "Penalize tokens already present in the text."),
    ("frequency_penalty", "Penalize tokens by their frequency in the text."),
    ("seed", "Random seed for reproducible results."),
    ("api_key", "The provider's key; defaults to its env var (e.g. MISTRAL_API_KEY)."),
    ("api_base", "Base URL of the provider's API; defaults to its env var, then its public URL."),
    ("user", "Unique identifier of the end user."),
    ("session_label", "Deprecated and ignored."),
    ("parallel_tool_calls", "Whether the model may call several tools at once."),
    ("logprobs", "Include token log probabilities."),
    ("top_logprobs", "Alternatives per token when logprobs are requested."),
    ("logit_bias", "Bias for specific token ids."),
    ("stream_options", "Streaming options (usage in the last chunk is requested by default)."),
    ("max_completion_tokens", "Maximum number of tokens for the completion."),
    ("reasoning_effort", 'Reasoning effort for models that support it; "auto" uses each provider\'s default.'),
    ("client_args", "Client settings: timeout, max_retries, default_headers, http_client, or httpx options."),
)
"""Every named parameter of ``completion()`` / ``acompletion()``, in signature order, with its documentation.

The one list: the signatures (checked by a test), the docstrings (built from it), the request
parameters core validates and forwards (:data:`SEED_PARAM_NAMES`), :class:`CompletionParams` (checked by
a test) and the conformance kit's "every parameter is sent or refused" check all derive from it."""

_CLIENT_PARAMS = frozenset({"model", "messages", "provider", "api_key", "api_base", "client_args"})

SEED_PARAM_NAMES: tuple[str, ...] = tuple(name for name, _ in SEED_PARAMS if name not in _CLIENT_PARAMS)
"""The seed parameters that shape the request (not which client sends it)."""

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "auto")
ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})

# name -> (accepted types, lower bound or None, description of what is expected)
_NUMBERS: dict[str, tuple[tuple[type, ...], float | None, str]] = {
    "temperature": ((int, float), 0.0, "a number from 0 to 2"),
    "top_p": ((int, float), 0.0, "a number from 0 to 1"),
    "presence_penalty": ((int, float), None, "a number from -2 to 2"),
    "frequency_penalty": ((int, float), None, "a number from -2 to 2"),
    "max_tokens": ((int,), 1, "a positive integer"),
    "max_completion_tokens": ((int,), 1, "a positive integer"),
    "n": ((int,), 1, "a positive integer"),
    "seed": ((int,), None, "an integer"),
    "top_logprobs": ((int,), 0, "an integer from 0 to 20"),
}
_BOOLS = ("stream", "parallel_tool_calls", "logprobs")


def build_params(
    model: Any,
    messages: Any,
    args: dict[str, Any],
    kwargs: dict[str, Any],
) -> CompletionParams:
    """Validate the seed arguments and fold them into CompletionParams (``kwargs`` become ``extra``)."""
    if not isinstance(model, str) or not model.strip():
        raise errors.ConfigurationError(f"model must be a non-empty string, got {model!r}")
    for name, (types, low, what) in _NUMBERS.items():
        value: Any = args.get(name)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, types)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise errors.ConfigurationError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")
        if low is not None and cast(float, value) < low:
            raise errors.ConfigurationError(f"{name} must be {what}, got {value!r}")
    for name in _BOOLS:
        value = args.get(name)
        if value is not None and not isinstance(value, bool):
            raise errors.ConfigurationError(f"{name} must be True, False or None, got {value!r}")
    stop = args.get("stop")
    if stop is not None and not (
        isinstance(stop, str) or (isinstance(stop, list) and all(isinstance(s, str) for s in stop))
    ):
        raise errors.ConfigurationError(f"stop must be a string or a list of strings, got {stop!r}")
    effort = args.get("reasoning_effort")
    if effort is not None and effort not in REASONING_EFFORTS:
        raise errors.ConfigurationError(
            f"reasoning_effort must be one of {', '.join(REASONING_EFFORTS)} or None, got {effort!r}"
        )
    user = args.get("user")
    if user is not None and not isinstance(user, str):
        raise errors.ConfigurationError(f"user must be a string, got {user!r}")
    tool_choice = args.get("tool_choice")
    if tool_choice is not None and not isinstance(tool_choice, (str, dict)):
        raise errors.ConfigurationError(
            f'tool_choice must be "auto", "none", "required" or a dict naming a tool, got {tool_choice!r}'
        )
    for name in ("logit_bias", "stream_options"):
        value = args.get(name)
        if value is not None and not isinstance(value, dict):
            raise errors.ConfigurationError(f"{name} must be a dict, got {type(value).__name__}")

    if args.get("session_label") is not None:
        warnings.warn("session_label is deprecated and ignored", DeprecationWarning, stacklevel=4)

    tools = args.get("tools")
    response_format, output_type = args.get("response_format"), None
    if response_format is not None:  # structured and tools: imported only by the calls that use them
        from any_llm.structured import normalize_response_format

        response_format, output_type = normalize_response_format(response_format)
    if output_type is not None and args.get("stream"):
        raise errors.ConfigurationError(
            "response_format as a pydantic model or dataclass cannot be combined with stream=True; "
            "stream with a json_schema dict and parse the text yourself, or drop stream"
        )

    normalized = normalize_messages(messages)  # before the tools: the same error first as always
    if tools is not None:
        from any_llm.tools import prepare_tools

        tools = prepare_tools(tools)
    service_tier = kwargs.pop("service_tier", None)
    prompt_cache_key = kwargs.pop("prompt_cache_key", None)
    return CompletionParams(
        model=model,
        messages=normalized,
        tools=tools,
        tool_choice=tool_choice,
        temperature=args.get("temperature"),
        top_p=args.get("top_p"),
        max_tokens=args.get("max_tokens"),
        response_format=response_format,
        stream=args.get("stream"),
        n=args.get("n"),
        stop=stop,
        presence_penalty=args.get("presence_penalty"),
        frequency_penalty=args.get("frequency_penalty"),
        seed=args.get("seed"),
        user=args.get("user"),
        parallel_tool_calls=args.get("parallel_tool_calls"),
        logprobs=args.get("logprobs"),
        top_logprobs=args.get("top_logprobs"),
        logit_bias=args.get("logit_bias"),
        stream_options=args.get("stream_options"),
        max_completion_tokens=args.get("max_completion_tokens"),
        reasoning_effort=effort,
        service_tier=service_tier,
        prompt_cache_key=prompt_cache_key,
        output_type=output_type,
        extra=kwargs,
    )


def normalize_messages(messages: Any) -> list[dict[str, Any]]:
    """Messages as plain dicts. Accepts dicts and message objects (e.g. ``response.choices[0].message``)."""
    if not isinstance(messages, (list, tuple)) or isinstance(messages, str):
        raise errors.ConfigurationError(
            f'messages must be a list like [{{"role": "user", "content": "Hello"}}], got {type(messages).__name__}'
        )
    if not messages:
        raise errors.ConfigurationError('messages is empty; pass at least [{"role": "user", "content": "..."}]')
    out: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if isinstance(message, dict):
            msg = message
        elif hasattr(message, "model_dump"):
            msg = message.model_dump(exclude_none=True)
            # "parsed" is our own field on structured answers, not something to send back
            msg.pop("parsed", None)
        else:
            raise errors.ConfigurationError(
                f"messages[{i}] is a {type(message).__name__}; each message must be a dict or a message object"
            )
        role = msg.get("role")
        if role is None:
            raise errors.ConfigurationError(f'messages[{i}] has no "role"; add one of {", ".join(sorted(ROLES))}')
        if role not in ROLES:
            raise errors.ConfigurationError(
                f"messages[{i}] has unknown role {role!r}; use one of {', '.join(sorted(ROLES))}"
            )
        out.append(msg)
    return out


# content part type -> the capability a provider declares to accept it
_PART_CAPABILITIES = {
    "image_url": "images",
    "input_image": "images",
    "image": "images",
    "input_audio": "audio",
    "audio": "audio",
    "file": "documents",
    "document": "documents",
    "input_file": "documents",
}


def content_capabilities(messages: list[dict[str, Any]]) -> set[str]:
    """The capabilities the messages' content parts need (``images``, ``audio``, ``documents``)."""
    needed: set[str] = set()
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict):
                    capability = _PART_CAPABILITIES.get(part.get("type"))  # type: ignore[arg-type]
                    if capability is not None:
                        needed.add(capability)
    return needed


def check_request(provider: Provider, params: CompletionParams) -> None:
    """Core's checks before a provider builds anything: its declared parameters and capabilities, and
    every content part of the messages against what it declares (nothing is silently dropped)."""
    provider.check_params(params)
    for capability in sorted(content_capabilities(params.messages)):
        if not getattr(provider, f"supports_{capability}", False):
            raise errors.UnsupportedCapabilityError(capability, provider.name)

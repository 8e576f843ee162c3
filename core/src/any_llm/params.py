"""Checking and normalizing completion() arguments into :class:`~any_llm.provider.CompletionParams`.

Everything here runs before a byte is sent: a wrong argument is a
:class:`~any_llm.errors.ConfigurationError` that names the argument and the fix.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, cast

from any_llm import errors
from any_llm.provider import CompletionParams

__all__ = ["REASONING_EFFORTS", "build_params", "normalize_messages"]

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
    from any_llm.structured import normalize_response_format
    from any_llm.tools import prepare_tools

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
    response_format, output_type = normalize_response_format(args.get("response_format"))
    if output_type is not None and args.get("stream"):
        raise errors.ConfigurationError(
            "response_format as a pydantic model or dataclass cannot be combined with stream=True; "
            "stream with a json_schema dict and parse the text yourself, or drop stream"
        )

    service_tier = kwargs.pop("service_tier", None)
    prompt_cache_key = kwargs.pop("prompt_cache_key", None)
    return CompletionParams(
        model=model,
        messages=normalize_messages(messages),
        tools=prepare_tools(tools) if tools is not None else None,
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

"""The five seed examples again, through ``responses()`` and ``messages()``, run for real.

    python demo/run_demo_apis.py                      # the local model (llamacpp: both APIs translated)
    python demo/run_demo_apis.py --api messages --provider anthropic --model claude-sonnet-4-20250514

The local server is found or started exactly as by ``demo/run_demo.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_demo import LOCAL, CityInfo, get_weather, local_server, say

from any_llm import amessages, aresponses, errors, list_models, messages, responses
from any_llm.types import messages as mt
from any_llm.types import responses as rt

QUESTIONS = (
    "What is the capital of France?",
    "Tell me a story.",
    "Hello!",
    "Tell me about Paris.",
    "What's the weather in Paris?",
)


def step(n: int, title: str, start: float, text: str) -> None:
    print(f"\n[{n}/5] {title}", flush=True)
    say(text)
    say(f"({time.perf_counter() - start:.2f} s)")


def run_responses(kw: dict[str, Any], local: bool) -> None:
    kw = {**kw, "max_output_tokens": 64} if local else kw  # short, repeatable answers from the small model
    start = time.perf_counter()
    step(1, "responses(): basic", start, responses(input_data=QUESTIONS[0], **kw).output_text)
    start = time.perf_counter()
    events = list(responses(input_data=QUESTIONS[1], stream=True, **kw))
    text = "".join(e.delta for e in events if isinstance(e, rt.ResponseTextDeltaEvent))
    kinds = sorted({e.type for e in events})
    step(2, "responses(): streamed", start, f"{text}\n[{len(events)} events: {', '.join(kinds)}]")
    start = time.perf_counter()
    step(3, "aresponses(): async", start, asyncio.run(aresponses(input_data=QUESTIONS[2], **kw)).output_text)
    start = time.perf_counter()
    parsed = responses(input_data=QUESTIONS[3], response_format=CityInfo, **kw).output_parsed
    step(4, "responses(): structured output into CityInfo", start, f"output_parsed: {parsed!r}")
    start = time.perf_counter()
    choice = {"tool_choice": {"type": "function", "name": "get_weather"}} if local else {}
    first = responses(input_data=QUESTIONS[4], tools=[get_weather], **choice, **kw)
    calls = [i for i in first.output if isinstance(i, rt.ResponseFunctionToolCall)]
    if not calls:
        step(5, "responses(): tool calling", start, f"no tool call: {first.output_text!r}")
        return
    result = get_weather(**json.loads(calls[0].arguments))
    history = [
        {"role": "user", "content": QUESTIONS[4]},
        *first.output,
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": result},
    ]
    final = responses(input_data=history, tools=[get_weather], **kw)
    step(
        5,
        "responses(): tool call, then its output sent back",
        start,
        f"{calls[0].name}({calls[0].arguments}) -> {result!r}\n{final.output_text or final.output}",
    )


def run_messages(kw: dict[str, Any], local: bool) -> None:
    def user(text: str) -> list[dict[str, Any]]:
        return [{"role": "user", "content": text}]

    start = time.perf_counter()
    step(1, "messages(): basic", start, messages(messages=user(QUESTIONS[0]), max_tokens=64, **kw).text)
    start = time.perf_counter()
    events = list(messages(messages=user(QUESTIONS[1]), max_tokens=64, stream=True, **kw))
    text = "".join(
        e.delta.text for e in events if isinstance(e, mt.ContentBlockDeltaEvent) and isinstance(e.delta, mt.TextDelta)
    )
    step(
        2,
        "messages(): streamed",
        start,
        f"{text}\n[{len(events)} events: {' '.join(e.type for e in events[:3])} ... "
        f"{' '.join(e.type for e in events[-2:])}]",
    )
    start = time.perf_counter()
    answer = asyncio.run(amessages(messages=user(QUESTIONS[2]), max_tokens=64, **kw))
    step(3, "amessages(): async", start, answer.text)
    start = time.perf_counter()
    parsed = messages(messages=user(QUESTIONS[3]), max_tokens=96, output_format=CityInfo, **kw).parsed_output
    step(4, "messages(): structured output into CityInfo", start, f"parsed_output: {parsed!r}")
    start = time.perf_counter()
    choice = {"tool_choice": {"type": "tool", "name": "get_weather"}} if local else {}
    first = messages(messages=user(QUESTIONS[4]), max_tokens=64, tools=[get_weather], **choice, **kw)
    uses = [b for b in first.content if isinstance(b, mt.ToolUseBlock)]
    if not uses:
        step(5, "messages(): tool calling", start, f"no tool call: {first.text!r}")
        return
    result = get_weather(**uses[0].input)
    history = [
        *user(QUESTIONS[4]),
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": uses[0].id, "content": result}]},
    ]
    final = messages(messages=history, max_tokens=64, tools=[get_weather], **kw)
    step(
        5,
        "messages(): tool_use, then its tool_result sent back",
        start,
        f"{uses[0].name}({uses[0].input}) -> {result!r}\n{final.text or final.content}",
    )


def run(api: str, provider: str, model: str | None, api_base: str | None) -> None:
    local = provider == LOCAL
    kw: dict[str, Any] = {"provider": provider}
    if api_base:
        kw["api_base"] = api_base
    if local:
        kw["temperature"] = 0
        if model is None:
            model = list_models(LOCAL, api_base=api_base)[0].id
    if model is None:
        raise SystemExit("--model is required with --provider")
    kw["model"] = model
    for name in ("responses", "messages") if api == "both" else (api,):
        print(f"\nanyllm {name}() demo: provider={provider} model={model}", flush=True)
        total = time.perf_counter()
        (run_responses if name == "responses" else run_messages)(kw, local)
        print(f"\nall five {name}() examples ran in {time.perf_counter() - total:.2f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", choices=("responses", "messages", "both"), default="both")
    parser.add_argument("--provider", default=LOCAL)
    parser.add_argument("--model")
    parser.add_argument("--api-base")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LLM_SERVER_PORT", "8089")))
    args = parser.parse_args(argv)
    try:
        if args.provider == LOCAL and not args.api_base:
            with local_server(args.port) as base_url:
                run(args.api, args.provider, args.model, base_url)
        else:
            run(args.api, args.provider, args.model, args.api_base)
    except errors.AnyLLMError as exc:
        print(f"\n[demo] {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

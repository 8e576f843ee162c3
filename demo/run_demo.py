"""The five examples of the completion() reference, run for real.

    python demo/run_demo.py                      # a real local model: llama-cpp-python + SmolLM2-135M
    python demo/run_demo.py --provider mistral --model mistral-small-latest   # any installed provider

With the default ``--provider llamacpp`` (and no ``--api-base``) the demo brings up the local server
with ``.ci/start-llm-server.sh`` (the first run compiles llama.cpp: a few minutes; its progress goes to
stderr), and stops it again at the end, also on Ctrl-C or an error. A server already answering on the
port is used as is and left running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from any_llm import acompletion, completion, errors, list_models
from any_llm.testing.seed import CityInfo, get_weather  # the reference's tool and output type, as written there

ROOT = Path(__file__).resolve().parents[1]
START_SCRIPT = ROOT / ".ci" / "start-llm-server.sh"
SERVER_DIR = Path(os.environ.get("LLM_SERVER_DIR", "/tmp/llm-server"))
LOCAL = "llamacpp"


# -- the examples (as in the completion() reference) --------------------------------------------------


def say(text: str = "", indent: int = 4) -> None:
    pad = " " * indent
    print("\n".join(pad + line for line in (text.splitlines() or [""])), flush=True)


def header(n: int, title: str) -> None:
    print(f"\n[{n}/5] {title}", flush=True)


def took(start: float, extra: str = "") -> None:
    say(f"({time.perf_counter() - start:.2f} s{extra})")


def example_basic(kw: dict[str, Any]) -> None:
    header(1, "Basic completion: 'What is the capital of France?'")
    start = time.perf_counter()
    response = completion(messages=[{"role": "user", "content": "What is the capital of France?"}], **kw)
    say(response.choices[0].message.content or "")
    took(start)


def example_streaming(kw: dict[str, Any]) -> None:
    header(2, "Streaming: 'Tell me a story.'")
    start = time.perf_counter()
    first: float | None = None
    print("    ", end="", flush=True)
    for chunk in completion(messages=[{"role": "user", "content": "Tell me a story."}], stream=True, **kw):
        text = chunk.choices[0].delta.content if chunk.choices else None
        if text:
            first = first if first is not None else time.perf_counter() - start
            print(text.replace("\n", "\n    "), end="", flush=True)
    print()
    took(start, f", first text after {first:.2f} s" if first is not None else "")


def example_async(kw: dict[str, Any]) -> None:
    header(3, "Async: acompletion('Hello!')")

    async def main() -> str:
        response = await acompletion(messages=[{"role": "user", "content": "Hello!"}], **kw)
        return response.choices[0].message.content or ""

    start = time.perf_counter()
    say(asyncio.run(main()))
    took(start)


def example_structured(kw: dict[str, Any], local: bool) -> None:
    header(4, "Structured output: 'Tell me about Paris.' into a pydantic CityInfo")
    if local:
        say("(llama.cpp gets the schema as json_object + schema, so the model is grammar-forced to fit it)")
    start = time.perf_counter()
    response = completion(
        messages=[{"role": "user", "content": "Tell me about Paris."}], response_format=CityInfo, **kw
    )
    city = response.choices[0].message.parsed
    say(f"{city.name}, {city.country} - pop. {city.population}")
    say(f"parsed: {city!r}")
    took(start)


def example_tools(kw: dict[str, Any], local: bool) -> None:
    header(5, "Tool calling: 'What's the weather in Paris?' with tools=[get_weather]")
    extra: dict[str, Any] = {}
    if local:
        # llama-cpp-python grammar-forces a *named* tool choice; with "auto" a 135M model may just chat
        extra["tool_choice"] = {"type": "function", "function": {"name": "get_weather"}}
        say(
            "(tool_choice names get_weather: llama-cpp-python then grammar-forces the call, which makes a "
            "135M model reliable)"
        )
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]
    start = time.perf_counter()
    response = completion(messages=messages, tools=[get_weather], **extra, **kw)
    message = response.choices[0].message
    if not message.tool_calls:
        say(f"the model answered without calling the tool: {message.content!r}")
        took(start)
        return
    call = message.tool_calls[0]
    args = json.loads(call.function.arguments)
    result = get_weather(**args)
    say(f"the model calls {call.function.name}({args}) -> {result!r}")
    took(start)
    start = time.perf_counter()
    messages += [message, {"role": "tool", "tool_call_id": call.id, "content": result}]
    final = completion(messages=messages, tools=[get_weather], **kw)
    say("with the tool's result sent back, the model answers:")
    say(final.choices[0].message.content or f"(no text; finish_reason={final.choices[0].finish_reason})")
    took(start)


# -- the local server -----------------------------------------------------------------------------------


def answering(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


@contextmanager
def local_server(port: int) -> Iterator[str]:
    """The base URL of a running local server; started (and stopped afterwards) unless one already answers."""
    base_url = f"http://127.0.0.1:{port}/v1"
    if answering(base_url):
        print(f"[demo] using the LLM server already running at {base_url} (left running)", flush=True)
        yield base_url
        return
    print(
        f"[demo] starting the local LLM server with {START_SCRIPT.relative_to(ROOT)} "
        "(the first run installs it: a few minutes)",
        flush=True,
    )
    pid_file = SERVER_DIR / "server.pid"
    started = time.time()
    env = {**os.environ, "LLM_SERVER_PORT": str(port), "LLM_SERVER_DIR": str(SERVER_DIR)}
    script = subprocess.Popen(["bash", str(START_SCRIPT)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        out = wait_for_script(script, started)
        if script.returncode != 0:
            raise SystemExit(
                f"[demo] the LLM server did not start (exit {script.returncode}); see {SERVER_DIR / 'server.log'}"
            )
        base_url = out.strip().splitlines()[-1]
        print(f"[demo] server ready at {base_url} after {time.time() - started:.1f} s", flush=True)
        yield base_url
    finally:
        if script.poll() is None:
            script.terminate()
            script.wait(timeout=10)
        stop_server(pid_file, started)


def wait_for_script(script: subprocess.Popen[str], started: float) -> str:
    """Wait for the start script, saying every 20 s that it is still working (pip is quiet meanwhile)."""
    install_log = SERVER_DIR / "install.log"
    next_note = 20.0
    while script.poll() is None:
        time.sleep(0.25)
        elapsed = time.time() - started
        if elapsed >= next_note:
            next_note += 20.0
            step = last_line(install_log) if install_log.exists() and install_log.stat().st_mtime >= started else ""
            print(
                f"[demo] still starting after {elapsed:.0f} s" + (f"; install: {step[:100]}" if step else ""),
                file=sys.stderr,
                flush=True,
            )
    assert script.stdout is not None
    return script.stdout.read()


def last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def stop_server(pid_file: Path, started: float) -> None:
    """Stop the server this run started: the PID file must be this run's and name a llama_cpp.server."""
    try:
        if pid_file.stat().st_mtime < started - 1:
            return
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"llama_cpp.server" not in cmdline.read_bytes():
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        time.sleep(0.1)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
    else:
        os.kill(pid, signal.SIGKILL)
    print(f"[demo] stopped the LLM server (pid {pid})", flush=True)


# -- main -----------------------------------------------------------------------------------------------


def run(provider: str, model: str | None, api_base: str | None) -> None:
    local = provider == LOCAL
    kw: dict[str, Any] = {"provider": provider}
    if api_base:
        kw["api_base"] = api_base
    if local:
        kw.update(temperature=0, max_tokens=64)  # repeatable output from the small model
        if model is None:
            model = list_models(LOCAL, api_base=api_base)[0].id
    if model is None:
        raise SystemExit("--model is required with --provider (e.g. --provider mistral --model mistral-small-latest)")
    kw["model"] = model
    where = f" at {api_base}" if api_base else ""
    print(f"\nanyllm demo: provider={provider} model={model}{where}", flush=True)
    total = time.perf_counter()
    example_basic(kw)
    example_streaming(kw)
    example_async(kw)
    example_structured(kw, local)
    example_tools(kw, local)
    print(f"\nall five examples ran in {time.perf_counter() - total:.2f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", default=LOCAL, help="provider name (default: llamacpp, a local model)")
    parser.add_argument("--model", help="model id (default for llamacpp: what the server serves)")
    parser.add_argument("--api-base", help="base URL; for llamacpp this skips starting the local server")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("LLM_SERVER_PORT", "8089")),
        help="port of the local server (default 8089)",
    )
    args = parser.parse_args(argv)

    def terminate(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the server

    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even when started with SIGINT ignored
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    try:
        if args.provider == LOCAL and not args.api_base:
            with local_server(args.port) as base_url:
                run(args.provider, args.model, base_url)
        else:
            run(args.provider, args.model, args.api_base)
    except KeyboardInterrupt:
        print("\n[demo] interrupted", file=sys.stderr)
        return 130
    except errors.AnyLLMError as exc:
        print(f"\n[demo] {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

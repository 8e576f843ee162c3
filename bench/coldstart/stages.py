"""Stages of a cold call inside one fresh process (``time.process_time``, ms), printed as JSON.

``python stages.py types chat|stream``: the types' share (import of the types, then the first validation a call
does). ``python stages.py call URL``: the whole call split into import, discovery, client and send stages.
``python stages.py own``: our own share, with httpx, pydantic (and its first model build) and importlib.metadata
imported first, as the floor with pydantic would have them: pluggy, any_llm, discovery, the plugin with
openai_compat and the types, client, transport, params, the first ChatCompletion validation.
``python stages.py ab ROUNDS ARGS... -- NAME=PYTHON ...``: run one of those in fresh processes per venv,
interleaved, and print the medians.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

CLOCK = time.process_time
CHAT = (
    b'{"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [{"index": 0, "message": '
    b'{"role": "assistant", "content": "hi"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, '
    b'"completion_tokens": 1, "total_tokens": 2}}'
)
CHUNK = (
    b'{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, '
    b'"delta": {"content": "hi"}, "finish_reason": null}]}'
)


def warm_pydantic() -> None:
    from pydantic import BaseModel

    class Warm(BaseModel):
        x: int


def types_share(mode: str) -> dict[str, float]:
    warm_pydantic()
    start = CLOCK()
    import any_llm.types.completion as c

    imported = CLOCK()
    if mode == "chat":
        c.ChatCompletion.model_validate_json(CHAT)
    else:
        c.ChatCompletionChunk.model_validate_json(CHUNK)
        c.ChunkChoice(index=0, delta=c.ChoiceDelta())
    done = CLOCK()
    return {"import types": imported - start, "first validation": done - imported, "types total": done - start}


def call_stages(url: str) -> dict[str, float]:
    out: dict[str, float] = {}
    mark = CLOCK()

    def lap(name: str) -> None:
        nonlocal mark
        now = CLOCK()
        out[name] = now - mark
        mark = now

    import httpx

    lap("import httpx (the floor pays it too)")
    httpx.create_ssl_context()
    lap("one SSL context with CA bundle (the floor pays it too)")
    warm_pydantic()
    lap("import pydantic + first model build machinery")
    from any_llm import completion

    lap("from any_llm import completion")
    from any_llm.plugins import get_provider_class

    get_provider_class("openai")
    lap("discovery: entry points + plugin + openai_compat + types")
    import any_llm.client
    import any_llm.transport  # noqa: F401

    lap("import client + transport")
    kwargs = {"provider": "openai", "api_base": url + "/v1", "api_key": "k", "max_tokens": 16}
    messages = [{"role": "user", "content": "Hello"}]
    completion(model="bench-model", messages=messages, **kwargs)
    lap("first call: client (SSL context) + send + parse")
    completion(model="bench-model", messages=messages, **kwargs)
    lap("second call")
    return out


def own_share() -> dict[str, float]:
    import importlib
    import importlib.metadata  # pydantic's plugin loader imports it at the first model build

    import httpx  # noqa: F401

    warm_pydantic()
    out: dict[str, float] = {}

    def lap(name: str, step: Any) -> None:
        start = CLOCK()
        step()
        out[name] = CLOCK() - start

    lap("pluggy", lambda: importlib.import_module("pluggy"))
    lap("any_llm + api", lambda: importlib.import_module("any_llm.api"))
    plugins = importlib.import_module("any_llm.plugins")
    lap("discovery: entry points", plugins._entry_points)
    lap(
        "the openai plugin: openai_compat, provider, types, families bases",
        lambda: plugins.get_provider_class("openai"),
    )
    lap("client", lambda: importlib.import_module("any_llm.client"))
    lap("transport (auth, retry, deadline)", lambda: importlib.import_module("any_llm.transport"))
    lap("params", lambda: importlib.import_module("any_llm.params"))

    def first_validation() -> None:
        from any_llm.types.completion import ChatCompletion

        ChatCompletion.model_validate_json(CHAT)

    lap("first ChatCompletion validation (its schema build)", first_validation)
    return out


def ab(rounds: int, args: list[str], venvs: dict[str, str]) -> None:
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in venvs}
    for _ in range(rounds):
        for name, python in venvs.items():
            run = subprocess.run(["taskset", "-c", "1", python, __file__, *args], capture_output=True, check=True)
            rows[name].append(json.loads(run.stdout))
    first = next(iter(rows.values()))[0]
    print("| stage | " + " | ".join(venvs) + " |")
    for key in first:
        cells = [statistics.median(r[key] * 1000 for r in rs) for rs in rows.values()]
        print(f"| {key} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")


if __name__ == "__main__":
    if sys.argv[1] == "types":
        print(json.dumps(types_share(sys.argv[2])))
    elif sys.argv[1] == "call":
        print(json.dumps(call_stages(sys.argv[2])))
    elif sys.argv[1] == "own":
        print(json.dumps(own_share()))
    else:
        split = sys.argv.index("--")
        ab(int(sys.argv[2]), sys.argv[3:split], dict(a.split("=", 1) for a in sys.argv[split + 1 :]))

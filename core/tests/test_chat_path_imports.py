"""A cold chat call imports only what a chat call needs (issue 18: cold start close to the floor).

Each probe is a fresh interpreter doing one ``completion()`` through the OpenAI plugin against a local
server, then listing the ``any_llm`` modules it loaded. The lists below are exact on purpose: a new import
on the chat path shows up here, and is either made lazy (imported where it is used) or added knowingly.
Measured costs and what was moved off the path: bench/results/coldstart-notes.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from any_llm.testing.server import MockServer, Reply

pytest.importorskip("anyllm_openai", reason="the probe calls through the OpenAI plugin")

CHAT_PATH = {
    "any_llm",
    "any_llm.api",
    "any_llm.auth",  # Transport's TokenCache (token auth is asked of the provider on each send)
    "any_llm.callhooks",
    "any_llm.calls",
    "any_llm.client",
    "any_llm.deadline",
    "any_llm.entry_points",
    "any_llm.errors",
    "any_llm.families",  # base classes only: FamilyMethods (AnyLLM), FamilyHooks (Provider), OpenAIFamilyWire
    "any_llm.families.client",
    "any_llm.families.contract",
    "any_llm.families.flow",
    "any_llm.families.openai_wire",
    "any_llm.hookspecs",
    "any_llm.openai_compat",
    "any_llm.params",
    "any_llm.plugins",
    "any_llm.provider",
    "any_llm.retry",
    "any_llm.transport",
    "any_llm.types",
    "any_llm.types.completion",
    "any_llm.wire",
}
STREAM_PATH = CHAT_PATH | {"any_llm.opened", "any_llm.streaming"}  # opened: the stream opener a streamed Call carries
NEVER = ("bridges", "router", "bulk", "pricing", "aws", "eventstream", "model_metadata", "structured", "tools")

PROBE = """
import json, sys
from any_llm import completion
from any_llm.plugins import get_provider_class

get_provider_class("openai")
after_discovery = sorted(m for m in ("importlib.metadata", "email", "zipfile", "csv") if m in sys.modules)
kwargs = dict(provider="openai", api_base=sys.argv[1] + "/v1", api_key="k", max_tokens=16)
messages = [{"role": "user", "content": "Hello"}]
if sys.argv[2] == "chat":
    assert completion(model="m", messages=messages, **kwargs).choices[0].message.content == "hi"
else:
    assert "".join(c.choices[0].delta.content or "" for c in completion(
        model="m", messages=messages, stream=True, **kwargs) if c.choices) == "hi"
print(json.dumps({
    "modules": sorted(m for m in sys.modules if m == "any_llm" or m.startswith("any_llm.")),
    "after_discovery": after_discovery,
}))
"""

CHAT = {
    "id": "c",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
}
CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
}


def _probe(mode: str) -> dict[str, list[str]]:
    with MockServer() as server:
        server.queue(Reply.json(CHAT) if mode == "chat" else Reply.sse([CHUNK]))
        # only the OpenAI plugin (other installed plugins and hook plugins would add their own modules)
        env = {**os.environ, "ANYLLM_PLUGINS": "anyllm-openai"}
        run = subprocess.run(
            [sys.executable, "-c", PROBE, server.url, mode], capture_output=True, text=True, env=env, timeout=60
        )
    assert run.returncode == 0, run.stderr[-2000:]
    out: dict[str, list[str]] = json.loads(run.stdout)
    return out


@pytest.mark.parametrize(("mode", "expected"), [("chat", CHAT_PATH), ("stream", STREAM_PATH)])
def test_a_cold_call_imports_only_the_chat_path(mode: str, expected: set[str]) -> None:
    out = _probe(mode)
    loaded = set(out["modules"])
    never = sorted(m for m in loaded if any(part in NEVER for part in m.split(".")[1:]))
    assert not never, f"a {mode} call imported modules it never uses: {never}"
    assert loaded - expected == set(), (
        f"new on the {mode} path: {sorted(loaded - expected)}; import it where it is used, or add it to the list"
    )
    assert expected - loaded == set(), f"no longer on the {mode} path (update the list): {sorted(expected - loaded)}"
    # discovery reads entry_points.txt itself: importlib.metadata (email, zipfile, csv) is not imported for it
    assert out["after_discovery"] == []

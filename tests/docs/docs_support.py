"""Reading the docs site's pages as the site shows them, and running their code examples.

Pages are the hand-written ``docs/**/*.md`` plus every generated page (provider pages, the API
reference), with the generated placeholders filled in, exactly as ``scripts/mkdocs_hooks.py`` gives
them to MkDocs. Each fenced ``python`` block is run, in page order, in one namespace per page.

A block may be preceded by a hidden HTML comment (invisible on the site)::

    <!-- test: fake.add_text("Paris.") -->            code run first, in the same namespace
    <!-- test: skip (needs Google credentials) -->     not run; the reason is required

The setup code sees these helpers: ``fake`` (a :class:`~any_llm.testing.FakeLLM` queue),
``fake_as("mistral", ...)`` (those provider names answered by ``fake``, through the real core),
``serve("cohere", Reply.json(...))`` (a :class:`~any_llm.testing.MockServer` on 127.0.0.1 that the
named provider's real plugin is pointed at through its own base-URL env var), ``Reply``,
``sse_events``, ``family("moderation")`` (an API family's canned OpenAI-protocol answers),
``chat_json("text")`` (a chat completion reply) and ``echo_server()`` (the OpenAI-compatible echo
server). Functions named ``test_*`` that a block defines are then called, as pytest would (a
``fake_llm`` argument gets a started FakeLLM).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FAKE_HOST = "docs-example.anyllm.invalid"
"""Where ``fake_as`` providers send: mounted on an in-memory transport answered by ``fake``."""
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))

FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[\w+-]*)[^\n]*\n(?P<code>.*?)^(?P=indent)```[ ]*$", re.M | re.S)
MARKER = re.compile(r"<!--\s*test:(?P<body>.*)-->", re.S)
SKIP = re.compile(r"^\s*skip\s*\((?P<reason>[^)]+)\)\s*$", re.S)


@dataclass
class Block:
    page: str
    line: int
    code: str
    setup: str = ""
    skip: str | None = None


def site_pages() -> dict[str, str]:
    """Every page of the site, path under docs/ -> markdown as MkDocs receives it."""
    import mkdocs_hooks

    pages = {str(p.relative_to(DOCS)): p.read_text() for p in sorted(DOCS.rglob("*.md")) if p.name != "README.md"}
    pages.update(mkdocs_hooks.generated_pages())
    return {path: mkdocs_hooks.fill_placeholders(text) for path, text in pages.items()}


def python_blocks(page: str, markdown: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(markdown):
        if match.group("lang") not in ("python", "py"):
            continue
        indent = len(match.group("indent"))
        code = "\n".join(line[indent:] for line in match.group("code").splitlines())
        block = Block(page, markdown.count("\n", 0, match.start()) + 1, code)
        before = markdown[: match.start()].rstrip()
        marker = MARKER.fullmatch(before[before.rfind("<!--") :]) if before.endswith("-->") else None
        if marker:
            body = marker.group("body").strip()
            skip = SKIP.match(body)
            if skip:
                block.skip = skip.group("reason").strip()
            elif body.startswith("skip"):
                raise ValueError(f"{page}:{block.line}: a skip needs a reason: <!-- test: skip (why) -->")
            else:
                block.setup = _dedent(body)
        blocks.append(block)
    return blocks


def _dedent(text: str) -> str:
    import textwrap

    lines = text.splitlines()
    return lines[0].strip() + ("\n" + textwrap.dedent("\n".join(lines[1:])) if len(lines) > 1 else "")


# -- the helpers the examples run with -------------------------------------------------------------------------


class Harness:
    """Fakes, servers and env for one page; everything undone by :meth:`close`."""

    def __init__(self, tmp: Path) -> None:
        from any_llm.testing import FakeLLM

        self.tmp = tmp
        self.fake = FakeLLM()
        self.stack = contextlib.ExitStack()
        self.names: set[str] = set()
        self.mounted = False
        self.env_before = dict(os.environ)

    def namespace(self) -> dict[str, Any]:
        import types

        from any_llm.testing import Reply, sse_events

        module = types.ModuleType("__docs_example__")  # a real module: dataclasses and pickling look it up
        sys.modules[module.__name__] = module
        self.stack.callback(sys.modules.pop, module.__name__, None)
        module.__dict__.update(
            {
                "fake": self.fake,
                "fake_as": self.fake_as,
                "serve": self.serve,
                "echo_server": self.echo_server,
                "family": family,
                "chat_json": chat_json,
                "Reply": Reply,
                "sse_events": sse_events,
                "json": json,
                "Path": Path,
            }
        )
        return module.__dict__

    def fake_as(self, *names: str) -> None:
        """``names`` answered by ``fake``: chat from its queue (streams too), embeddings with a fixed vector."""
        import httpx

        from any_llm import plugins
        from any_llm.transport import mount

        fake = self.fake
        base = fake._provider_class()

        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/embeddings"):
                inputs = json.loads(request.content).get("input")
                count = len(inputs) if isinstance(inputs, list) else 1
                data = [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]} for i in range(count)]
                return httpx.Response(
                    200,
                    json={
                        "object": "list",
                        "data": data,
                        "model": "fake-embed",
                        "usage": {"prompt_tokens": count, "total_tokens": count},
                    },
                )
            result: httpx.Response = fake._handle(request)
            return result

        def init(self: Any, api_key: str | None = None, api_base: str | None = None, **options: Any) -> None:
            base.__init__(self, api_key, None)  # whatever api_base an example gives, the fake host answers

        if not self.mounted:
            self.stack.enter_context(mount(f"all://{FAKE_HOST}", httpx.MockTransport(handle)))
            self.mounted = True
        for name in names:
            real = plugins.get_provider_class_or_none(name)
            cls = type(
                f"Fake_{name}",
                (base,),
                {
                    "name": name,
                    "default_api_base": f"http://{FAKE_HOST}/v1",
                    "supports_embedding": True,
                    "client_options": real.client_options if real is not None else frozenset(),
                    "__init__": init,
                },
            )
            self.stack.enter_context(plugins.registered(cls))
            self.names.add(name)

    def serve(self, provider: str, *replies: Any, handler: Any = None) -> Any:
        """A MockServer the real ``provider`` plugin is pointed at (its first base-URL and key env vars)."""
        from any_llm import plugins
        from any_llm.testing import MockServer

        cls = plugins.get_provider_class(provider)
        server = self.stack.enter_context(MockServer(handler))
        if replies:
            server.queue(*replies)
        base = server.url + _base_path(cls.default_api_base)
        os.environ[cls.api_base_env[0]] = base
        if cls.api_key_env:
            os.environ[cls.api_key_env[0]] = "sk-docs-example"
        self.names.add(provider)
        return server

    def echo_server(self, **faults: Any) -> Any:
        """The OpenAI-compatible echo server (answers ``"echo: <prompt>"``), with OPENAI_BASE_URL set to it."""
        from any_llm.testing.echo_server import EchoServer

        server = self.stack.enter_context(EchoServer(**faults))
        os.environ["OPENAI_BASE_URL"] = server.url
        os.environ["OPENAI_API_KEY"] = "sk-docs-example"
        self.names.add("openai")
        return server

    def close(self) -> None:
        from any_llm import api

        try:
            self.stack.close()
        finally:
            for name in {*self.names, "fake"}:
                api.close_clients(name)
            os.environ.clear()
            os.environ.update(self.env_before)


def family(name: str) -> list[Any]:
    """The OpenAI-protocol answers of an API family's scenario (``any_llm.testing.families``), as a list."""
    from any_llm.testing.families import openai_family_exchanges

    replies = openai_family_exchanges()[name]
    return replies if isinstance(replies, list) else [replies]


def chat_json(content: str, model: str = "gpt-4.1-mini") -> Any:
    """A chat completion answer with ``content``, as a :class:`~any_llm.testing.Reply`."""
    from any_llm.testing import Reply

    return Reply.json(
        {
            "id": "chatcmpl-docs",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16},
        }
    )


def _base_path(default: str) -> str:
    """The path part of a provider's default base URL (``/v1``...), kept when pointing it at a local server."""
    from urllib.parse import urlsplit

    return urlsplit(default).path.rstrip("/") if default and "{" not in default else ""


@contextlib.contextmanager
def tracked_hook_plugins() -> Iterator[list[Any]]:
    """Unregister whatever hook plugin an example registered with ``any_llm.register_plugin``."""
    from any_llm import plugins

    added: list[Any] = []
    original = plugins.register_plugin

    def register(plugin: Any, name: str | None = None) -> Any:
        added.append(plugin)
        return original(plugin, name) if name is not None else original(plugin)

    plugins.register_plugin = register
    import any_llm

    any_llm.__dict__.pop("register_plugin", None)
    try:
        yield added
    finally:
        plugins.register_plugin = original
        any_llm.__dict__.pop("register_plugin", None)
        for plugin in added:
            with contextlib.suppress(Exception):
                plugins.unregister_plugin(plugin)

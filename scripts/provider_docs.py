"""What the README and the docs site say about providers, made from the installed plugins' declarations.

One source of truth: the README's provider table (``scripts/update_readme.py``), the site's provider
index and one page per provider (the mkdocs hook ``scripts/mkdocs_hooks.py``) all come from here, and
every cell comes from :func:`any_llm.__main__.provider_cells`, the code behind ``python -m any_llm
--markdown``. Nothing here is written by hand per provider: a new plugin gets its page by being installed.
"""

from __future__ import annotations

import re
from pathlib import Path

from reference_docs import plain_roles

from any_llm.__main__ import _SHORT, FAMILIES, markdown_table, provider_cells
from any_llm.bridges import api_table
from any_llm.plugins import ProviderInfo, list_providers
from any_llm.provider import CAPABILITIES

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE_PLUGINS = frozenset({"acme"})
"""Plugins that exist to be copied (examples/), never listed as providers."""

__all__ = [
    "api_table",
    "provider_index",
    "provider_infos",
    "provider_page",
    "provider_table",
    "readme_providers",
    "update_readme",
]

_CAPABILITY_TEXT = {
    "completion": "`completion()` (chat)",
    "streaming": "streaming",
    "tools": "tool calling",
    "structured_output": "structured output (`response_format`)",
    "reasoning": "reasoning returned in `message.reasoning`",
    "images": "image input parts",
    "audio": "audio input parts",
    "documents": "file/PDF input parts",
    "embedding": "`embedding()`",
    "list_models": "`list_models()`",
    "count_tokens": "`count_tokens()` (server-side)",
    "rerank": "`rerank()`",
    "moderation": "`moderation()`",
    "image_generation": "`image_generation()`",
    "speech": "`speech()` (text to speech)",
    "transcription": "`transcription()` (speech to text)",
    "batch": "batch jobs (`create_batch()`...)",
}


def provider_infos() -> list[ProviderInfo]:
    """The installed providers, sorted by name, without the example plugins."""
    infos, _ = list_providers()
    return sorted((i for i in infos if i.name not in EXAMPLE_PLUGINS), key=lambda i: i.name)


def provider_table() -> str:
    """The full capability table (README before, the site's provider index now)."""
    return "\n".join(line for line in markdown_table().splitlines() if not _is_example_row(line))


def _is_example_row(line: str) -> bool:
    return any(line.startswith(f"| `{name}` |") for name in EXAMPLE_PLUGINS)


def provider_index() -> str:
    """The site's providers page: the table, every name linked to its own page."""
    table = provider_table()
    for info in provider_infos():
        table = table.replace(f"| `{info.name}` |", f"| [`{info.name}`]({info.name}.md) |", 1)
    return "\n".join(
        [
            "---",
            "hide:",
            "  - toc",
            "---",
            "",
            "# Providers",
            "",
            "Generated from the installed plugins' own declarations when the site is built (the same code",
            "makes `python -m any_llm --markdown`). `json` is structured output, `reason` returns reasoning in",
            "`message.reasoning`; the last six columns are the API families (`moderate` moderation, `imagegen`",
            "image generation, `transcribe` speech to text). Each name opens the provider's page.",
            "",
            '<div class="provider-table" markdown>',
            "",
            table,
            "",
            "</div>",
            "",
            "## `responses()` and `messages()`: native or translated",
            "",
            api_table(),
            "",
        ]
    )


def provider_page(info: ProviderInfo) -> str:
    """One provider's page: how to install and configure it, what it can do, what it refuses, and the
    plugin's own notes (its README) on how calls are translated."""
    cls = info.provider_class
    cells = provider_cells(info)
    title = cls.display_name or info.name
    out = [f"# {title}", ""]
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    if doc:
        out += [plain_roles(" ".join(line.strip() for line in doc.splitlines())), ""]
    facts = [
        ("`provider=`", f'`{info.name}` (or `model="{info.name}:<model>"`)'),
        ("Install", cells["Install"]),
        ("API key env", cells["API key env"]),
        ("Base URL env (default)", cells["Base URL env (default)"]),
        ("Stream format", f"`{cls.stream_format}`"),
        ("`responses()`", _api_route(cls, "responses", "`POST /responses`")),
        ("`messages()`", _api_route(cls, "messages", "`POST /v1/messages`")),
    ]
    if cls.docs_url:
        facts.append(("Provider's API docs", f"<{cls.docs_url}>"))
    out += ["| Setting | Value |", "|---|---|", *[f"| {k} | {v} |" for k, v in facts], ""]
    has = [c for c in CAPABILITIES if info.capabilities[c] and c not in FAMILIES]
    lacks = [c for c in CAPABILITIES if not info.capabilities[c] and c not in FAMILIES]
    families = [c for c in FAMILIES if info.capabilities[c]]
    out += ["## Capabilities", ""]
    out += [f"- **Supported**: {', '.join(_CAPABILITY_TEXT[c] for c in has) or 'none'}"]
    out += [f"- **API families**: {', '.join(_CAPABILITY_TEXT[c] for c in families) or 'none beside chat'}"]
    out += [f"- **Not supported** (refused before sending): {', '.join(_CAPABILITY_TEXT[c] for c in lacks) or '-'}"]
    out += ["", '<div class="provider-table" markdown>', ""]
    out += ["| " + " | ".join(_SHORT[c] for c in CAPABILITIES) + " |", "|" + "---|" * len(CAPABILITIES)]
    out += ["| " + " | ".join(cells[_SHORT[c]] for c in CAPABILITIES) + " |", "", "</div>", ""]
    quirks = _declared_quirks(info)
    if quirks:
        out += ["## Declared limits and options", "", *[f"- {q}" for q in quirks], ""]
    notes = plugin_notes(info.name)
    if notes:
        out += ["## Notes from the plugin", "", notes, ""]
    return "\n".join(out)


def _api_route(cls: type, api: str, endpoint: str) -> str:
    if getattr(cls, f"supports_{api}_native"):
        return f"native ({endpoint})"
    return "translated over chat completions"


def _declared_quirks(info: ProviderInfo) -> list[str]:
    cls = info.provider_class
    out = []
    if cls.unsupported_params:
        names = ", ".join(f"`{p}`" for p in sorted(cls.unsupported_params))
        out.append(f"Parameters refused with `UnsupportedParameterError` before sending: {names}.")
    if cls.max_choices is not None:
        out.append(f"At most {cls.max_choices} choice(s) per request: a larger `n` is refused before sending.")
    if cls.single_token_limit:
        out.append("One token limit: pass `max_tokens` or `max_completion_tokens`, not both.")
    if cls.client_options:
        names = ", ".join(f"`{o}`" for o in sorted(cls.client_options))
        out.append(f"Provider settings taken from `client_args` (or `AnyLLM.create(...)` keywords): {names}.")
    if cls.supports_responses_native and not cls.responses_keeps_state:
        out.append(
            "Its `/responses` endpoint keeps no state: `previous_response_id`, `conversation`, `store=True` "
            "and `background=True` are refused."
        )
    for capability, note in sorted(getattr(cls, "capability_notes", {}).items()):
        out.append(f"No {_CAPABILITY_TEXT.get(capability, f'`{capability}`')}: {note.rstrip('.')}.")
    if cls.context_markers:
        names = ", ".join(f"`{m}`" for m in cls.context_markers)
        out.append(f"Error text meaning the prompt is too long (becomes `ContextLengthExceededError`): {names}.")
    return out


def plugin_notes(name: str) -> str:
    """The plugin's README without its title, headings one level down and links made site-relative
    (``../../README.md`` is the site's home, ``../other/README.md`` that provider's page)."""
    path = ROOT / "plugins" / name / "README.md"
    if not path.exists():
        return ""
    lines = path.read_text().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    text = "\n".join(lines).strip()
    text = re.sub(r"^(#{2,5}) ", r"#\1 ", text, flags=re.M)
    text = text.replace("](../../README.md)", "](../index.md)")
    return re.sub(r"\]\(\.\./([a-z0-9]+)/README\.md\)", r"](\1.md)", text)


def update_readme(readme: Path = README) -> str:
    """Regenerate the README's generated blocks (the provider list); returns the new text."""
    text = readme.read_text()
    new = re.sub(
        r"(<!-- providers:start -->\n).*?(<!-- providers:end -->)",
        lambda m: m.group(1) + readme_providers() + "\n" + m.group(2),
        text,
        flags=re.S,
    )
    readme.write_text(new)
    return new


def readme_providers() -> str:
    """The README's short provider list (the full table and one page each are on the site)."""
    return (
        f"{len(provider_infos())} providers, each `pip install anyllm-NAME`: "
        + ", ".join(f"`{i.name}`" for i in provider_infos())
        + "."
    )

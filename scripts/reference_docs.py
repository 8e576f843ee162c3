"""The API reference pages: every public name of ``any_llm`` (its ``__all__``), grouped, one mkdocstrings
block each. Names no group claims land on the "Other" page, so a new public name is documented the
moment it is exported (``tests/docs/test_docs_reference.py`` checks both ways)."""

from __future__ import annotations

import re

GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "calls": (
        "Chat, responses, messages, embeddings, models",
        "The module-level calls: each picks the provider from `provider=` or the `model` prefix.",
        (
            "completion",
            "acompletion",
            "responses",
            "aresponses",
            "messages",
            "amessages",
            "embedding",
            "aembedding",
            "list_models",
            "alist_models",
        ),
    ),
    "families": (
        "Rerank, moderation, images, audio",
        "The API families beside chat. A provider without the family raises `UnsupportedCapabilityError`.",
        (
            "rerank",
            "arerank",
            "moderation",
            "amoderation",
            "image_generation",
            "aimage_generation",
            "speech",
            "aspeech",
            "transcription",
            "atranscription",
        ),
    ),
    "batch": (
        "Batch jobs and files",
        "Provider-side batch jobs (OpenAI's batch JSONL everywhere) and the files they read.",
        (
            "create_batch",
            "acreate_batch",
            "retrieve_batch",
            "aretrieve_batch",
            "cancel_batch",
            "acancel_batch",
            "list_batches",
            "alist_batches",
            "retrieve_batch_results",
            "aretrieve_batch_results",
            "upload_file",
            "aupload_file",
            "list_files",
            "alist_files",
            "retrieve_file",
            "aretrieve_file",
            "file_content",
            "afile_content",
            "delete_file",
            "adelete_file",
        ),
    ),
    "client": (
        "Client, retries, router",
        "A reusable client with its own connection pool, the retry policy, the router, what is installed.",
        (
            "AnyLLM",
            "RetryPolicy",
            "RawResponse",
            "Router",
            "Deployment",
            "LLMProvider",
            "list_providers",
            "__version__",
        ),
    ),
    "observability": (
        "Call hooks, cost, model info, tokens",
        "What a hook plugin receives, and the helpers that price and describe calls.",
        (
            "hookimpl",
            "register_plugin",
            "CallInfo",
            "AttemptInfo",
            "cost",
            "Cost",
            "model_info",
            "ModelInfo",
            "count_tokens",
            "acount_tokens",
        ),
    ),
    "errors": (
        "Errors",
        "The base class and the router's error; the whole tree is on the [errors page](../errors.md).",
        ("AnyLLMError", "FallbacksExhaustedError"),
    ),
    "plugins": (
        "Writing providers",
        "What a provider plugin subclasses and registers (see [writing a plugin](../writing-a-plugin.md)).",
        (
            "Provider",
            "OpenAICompatibleProvider",
            "ProviderRegistry",
            "register_provider",
            "HTTPRequest",
            "CompletionParams",
            "SEED_PARAMS",
        ),
    ),
}
OTHER = ("other", "Other", "Public names not in a group above.")


def public_names() -> list[str]:
    import any_llm

    return sorted(set(any_llm.__all__))


def reference_pages() -> dict[str, str]:
    """``reference/<slug>.md`` -> markdown, for every group that has a name, plus the index."""
    names = public_names()
    claimed: set[str] = set()
    pages: dict[str, str] = {}
    index = [
        "# API reference",
        "",
        "Generated from the docstrings of `any_llm`'s public names (`any_llm.__all__`): everything here is",
        "importable as `from any_llm import NAME`.",
        "",
    ]
    groups = [(slug, *spec) for slug, spec in GROUPS.items()]
    leftover = tuple(n for n in names if not any(n in g[2] for g in GROUPS.values()))
    if leftover:
        groups.append((*OTHER, leftover))
    for slug, title, intro, members in groups:
        present = [n for n in members if n in names]
        if not present:
            continue
        claimed.update(present)
        body = [f"# {title}", "", intro, ""]
        for name in present:
            body += [f"::: any_llm.{name}", ""]
        pages[f"reference/{slug}.md"] = "\n".join(body)
        index.append(f"- [{title}]({slug}.md): " + ", ".join(f"`{n}`" for n in present))
    pages["reference/index.md"] = "\n".join([*index, ""])
    return pages


DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.M)
ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|obj|exc):`(~?)([^`]+)`")


def plain_roles(text: str) -> str:
    """Docstring text for Markdown: Sphinx roles (``:class:`~a.b.C```) as inline code (``C``), and RST's
    double-backtick literals as single-backtick code."""

    def code(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2)
        return f"`{target.rsplit('.', 1)[-1] if short else target}`"

    return ROLE.sub(code, text).replace("``", "`")


def documented_names(markdown: str) -> list[str]:
    """The identifiers a page renders with mkdocstrings (``::: any_llm.x`` lines)."""
    return DIRECTIVE.findall(markdown)

"""``python -m any_llm``: list installed providers (and plugins that failed to load).

python -m any_llm              a table of providers, capabilities and env vars
python -m any_llm --markdown   the same as a markdown table (the README's is made this way)
python -m any_llm bulk IN -o OUT   run a JSONL file of batch requests (see ``any_llm.bulk.cli``)
"""

from __future__ import annotations

import argparse
import sys

from any_llm.plugins import ProviderInfo, list_providers
from any_llm.provider import CAPABILITIES

FAMILIES = ("rerank", "moderation", "image_generation", "speech", "transcription", "batch")
"""The API families beside chat, listed on their own line per provider."""

_SHORT = {
    "completion": "chat",
    "streaming": "stream",
    "tools": "tools",
    "structured_output": "json",
    "reasoning": "reason",
    "images": "images",
    "audio": "audio in",
    "documents": "files",
    "embedding": "embed",
    "list_models": "models",
    "count_tokens": "tokens",
    "rerank": "rerank",
    "moderation": "moderate",
    "image_generation": "imagegen",
    "speech": "speech",
    "transcription": "transcribe",
    "batch": "batch",
}


def provider_cells(info: ProviderInfo) -> dict[str, str]:
    """One provider's facts as markdown cells, keyed by column title: the README table's row and the
    docs site's provider page are both made from this (``scripts/provider_docs.py``)."""
    key = " or ".join(f"`{v}`" for v in info.api_key_env) or "-"
    if not info.provider_class.requires_api_key and info.api_key_env:
        key += " (optional)"
    elif not info.provider_class.requires_api_key:
        key = "none"
    base = " or ".join(f"`{v}`" for v in info.api_base_env) or "-"
    default = f"<br>`{info.default_api_base}`" if info.default_api_base else ""
    cells = {
        "Provider": f"`{info.name}`",
        "Install": f"`pip install {info.distribution}`",
        "API key env": key,
        "Base URL env (default)": base + default,
    }
    cells.update({_SHORT[c]: "yes" if info.capabilities[c] else "-" for c in CAPABILITIES})
    return cells


def markdown_table() -> str:
    infos, _ = list_providers()
    head = ["Provider", "Install", "API key env", "Base URL env (default)", *[_SHORT[c] for c in CAPABILITIES]]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for info in infos:
        rows.append("| " + " | ".join(provider_cells(info).values()) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["bulk"]:
        from any_llm.bulk.cli import main as bulk_main

        return bulk_main(args_in[1:])
    parser = argparse.ArgumentParser(prog="python -m any_llm", description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown_table())
        return 0
    infos, failures = list_providers()
    if not infos:
        print("No providers installed. Install one, e.g.: pip install anyllm-mistral")
    for info in infos:
        caps = ", ".join(c for c in CAPABILITIES if info.capabilities[c] and c not in FAMILIES)
        families = ", ".join(c for c in FAMILIES if info.capabilities[c])
        print(f"{info.name:14} {info.distribution or '<in-process>'} {info.version or ''}  [{caps}]")
        if families:
            print(f"{'':14} families: {families}")
    for failure in failures:
        print(f"FAILED {failure.entry_point} ({failure.distribution}): {failure.error}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

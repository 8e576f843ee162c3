"""This project: ``any_llm.completion(provider=..., api_base=...)`` through the module-level API.

``--provider`` picks the plugin (openai by default; anthropic, gemini, ollama, mistral when installed);
``--api-path`` is the path part of that plugin's default base URL (/v1, /v1beta, ...), which the runner
reads once, so no discovery happens before a timed call.
"""

from __future__ import annotations

from _common import API_KEY, MAX_TOKENS, MESSAGES, MODEL, emit, now, parse_args, run_modes

NAME = "anyllm"


def main() -> None:
    args = parse_args()
    provider = args.get("provider", "openai")
    name = NAME if provider == "openai" else f"{NAME}:{provider}"

    start = now()
    from any_llm import completion

    import_s = now() - start
    if args["mode"] == "import":
        emit(name, "import", import_s=import_s)
        return

    def call(base: str, **kw: object) -> object:
        return completion(
            model=MODEL,
            provider=provider,
            messages=MESSAGES,
            api_base=base,
            api_key=API_KEY,
            max_tokens=MAX_TOKENS,
            **kw,
        )

    def acall() -> object:
        from any_llm import acompletion

        async def one(base: str) -> str:
            result = await acompletion(
                model=MODEL, provider=provider, messages=MESSAGES, api_base=base, api_key=API_KEY, max_tokens=MAX_TOKENS
            )
            return result.choices[0].message.content

        return one

    run_modes(name, args, import_s, call, acall, api_path=args.get("api_path", "/v1"))


if __name__ == "__main__":
    main()

"""any-llm-sdk (the package this project's API mirrors): ``any_llm.completion(provider="openai", ...)``.

It has the same import name as this project, hence its own virtual environment.
"""

from __future__ import annotations

from _common import API_KEY, MAX_TOKENS, MESSAGES, MODEL, emit, now, parse_args, run_modes

NAME = "any_llm_sdk"


def main() -> None:
    args = parse_args()
    start = now()
    from any_llm import completion

    import_s = now() - start
    if args["mode"] == "import":
        emit(NAME, "import", import_s=import_s)
        return

    def call(base: str, **kw: object) -> object:
        return completion(
            model=MODEL,
            provider="openai",
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
                model=MODEL, provider="openai", messages=MESSAGES, api_base=base, api_key=API_KEY, max_tokens=MAX_TOKENS
            )
            return result.choices[0].message.content

        return one

    run_modes(NAME, args, import_s, call, acall)


if __name__ == "__main__":
    main()

"""litellm: ``litellm.completion(model="openai/x", api_base=...)``, its documented OpenAI-compatible route.

Run with LITELLM_LOCAL_MODEL_COST_MAP=True (the runner sets it): no network access at import.
"""

from __future__ import annotations

from _common import API_KEY, MAX_TOKENS, MESSAGES, MODEL, emit, now, parse_args, run_modes

NAME = "litellm"


def main() -> None:
    args = parse_args()
    start = now()
    import litellm

    import_s = now() - start
    if args["mode"] == "import":
        emit(NAME, "import", import_s=import_s)
        return

    def call(base: str, **kw: object) -> object:
        return litellm.completion(
            model=f"openai/{MODEL}", messages=MESSAGES, api_base=base, api_key=API_KEY, max_tokens=MAX_TOKENS, **kw
        )

    def acall() -> object:
        from litellm import acompletion

        async def one(base: str) -> str:
            result = await acompletion(
                model=f"openai/{MODEL}", messages=MESSAGES, api_base=base, api_key=API_KEY, max_tokens=MAX_TOKENS
            )
            return result.choices[0].message.content

        return one

    run_modes(NAME, args, import_s, call, acall)


if __name__ == "__main__":
    main()

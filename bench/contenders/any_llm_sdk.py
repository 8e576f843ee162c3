"""any-llm-sdk (the package this project's API mirrors): ``any_llm.completion(provider="openai", ...)``.

It has the same import name as this project, hence its own virtual environment.
"""

from __future__ import annotations

from _common import API_KEY, MAX_TOKENS, MESSAGES, MODEL, check_stream, emit, now, parse_args, peak_rss_kb, sequential

NAME = "any_llm_sdk"


def main() -> None:
    args = parse_args()
    mode, url = args["mode"], args.get("url", "")
    n = int(args.get("n", "16"))

    start = now()
    from any_llm import completion

    import_s = now() - start
    if mode == "import":
        emit(NAME, mode, import_s=import_s)
        return

    def call(base: str, **kw: object) -> object:
        return completion(model=MODEL, provider="openai", messages=MESSAGES, api_base=base, api_key=API_KEY,
                          max_tokens=MAX_TOKENS, **kw)

    base = f"{url}/n/{n}/v1"
    if mode == "first_call":
        start = now()
        text = call(base).choices[0].message.content
        first_s = now() - start
        assert text
        emit(NAME, mode, import_s=import_s, first_call_s=first_s)
        return
    if mode == "sequential":
        def check(result: object) -> None:
            assert result.choices[0].message.content

        sequential(NAME, url, int(args.get("calls", "500")), lambda: call(base), check)
        return
    if mode == "stream":
        for count in (16, n):  # a short warm-up stream, then the timed one
            chunks = content = 0
            start = now()
            for chunk in call(f"{url}/n/{count}/v1", stream=True):
                chunks += 1
                if chunk.choices and chunk.choices[0].delta.content:
                    content += 1
            elapsed = now() - start
            check_stream(NAME, content, count)
        emit(NAME, mode, chunks=chunks, content_chunks=content, stream_s=elapsed, chunks_per_s=content / elapsed)
        return
    if mode == "concurrent":
        import asyncio

        from any_llm import acompletion

        k = int(args.get("concurrency", "500"))

        async def one() -> str:
            result = await acompletion(model=MODEL, provider="openai", messages=MESSAGES, api_base=base,
                                       api_key=API_KEY, max_tokens=MAX_TOKENS)
            return result.choices[0].message.content

        async def run() -> tuple[float, int]:
            await one()
            rss = peak_rss_kb()
            start = now()
            results = await asyncio.gather(*(one() for _ in range(k)))
            elapsed = now() - start
            assert all(results)
            return elapsed, rss

        elapsed, rss_before = asyncio.run(run())
        emit(NAME, mode, concurrency=k, wall_s=elapsed, rss_before_kb=rss_before)
        return
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

"""The openai SDK (``OpenAI(base_url=...)``), used as its docs show: one client, reused."""

from __future__ import annotations

from _common import (
    API_KEY,
    MAX_TOKENS,
    MESSAGES,
    MODEL,
    check_stream,
    emit,
    now,
    parse_args,
    peak_rss_kb,
    process_cpu_s,
    sequential,
)

NAME = "openai_sdk"


def main() -> None:
    args = parse_args()
    mode, url = args["mode"], args.get("url", "")
    n = int(args.get("n", "16"))

    start = now()
    from openai import OpenAI

    import_s = now() - start
    if mode == "import":
        emit(NAME, mode, import_s=import_s)
        return

    def create(client: OpenAI, **kw: object) -> object:
        return client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=MAX_TOKENS, **kw)

    if mode == "cold":
        assert create(OpenAI(base_url=f"{url}/n/{n}/v1", api_key=API_KEY)).choices[0].message.content
        emit(NAME, mode, cpu_s=process_cpu_s())
        return
    if mode == "cold_stream":
        content = 0
        for chunk in create(OpenAI(base_url=f"{url}/n/{n}/v1", api_key=API_KEY), stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                content += 1
        check_stream(NAME, content, n)
        emit(NAME, mode, cpu_s=process_cpu_s())
        return
    if mode == "first_call":
        start = now()
        text = create(OpenAI(base_url=f"{url}/n/{n}/v1", api_key=API_KEY)).choices[0].message.content
        first_s = now() - start
        assert text
        emit(NAME, mode, import_s=import_s, first_call_s=first_s)
        return
    if mode == "sequential":
        client = OpenAI(base_url=f"{url}/n/{n}/v1", api_key=API_KEY)

        def check(result: object) -> None:
            assert result.choices[0].message.content

        sequential(NAME, url, int(args.get("calls", "500")), lambda: create(client), check)
        return
    if mode == "stream":
        for count in (16, n):  # a short warm-up stream, then the timed one
            client = OpenAI(base_url=f"{url}/n/{count}/v1", api_key=API_KEY)
            chunks = content = 0
            start = now()
            for chunk in create(client, stream=True):
                chunks += 1
                if chunk.choices and chunk.choices[0].delta.content:
                    content += 1
            elapsed = now() - start
            check_stream(NAME, content, count)
        emit(NAME, mode, chunks=chunks, content_chunks=content, stream_s=elapsed, chunks_per_s=content / elapsed)
        return
    if mode == "concurrent":
        import asyncio

        from openai import AsyncOpenAI

        k = int(args.get("concurrency", "500"))

        async def run() -> tuple[float, int]:
            client = AsyncOpenAI(base_url=f"{url}/n/{n}/v1", api_key=API_KEY)

            async def one() -> str:
                result = await client.chat.completions.create(model=MODEL, messages=MESSAGES, max_tokens=MAX_TOKENS)
                return result.choices[0].message.content

            await one()
            rss = peak_rss_kb()
            start = now()
            results = await asyncio.gather(*(one() for _ in range(k)))
            elapsed = now() - start
            assert all(results)
            await client.close()
            return elapsed, rss

        elapsed, rss_before = asyncio.run(run())
        emit(NAME, mode, concurrency=k, wall_s=elapsed, rss_before_kb=rss_before)
        return
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

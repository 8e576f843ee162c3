"""The floor: httpx.Client / AsyncClient + json.loads doing the same work as a unified client.

Speaks every protocol the server does (--protocol openai|mistral|anthropic|gemini|ollama), so each
native plugin can also be compared with raw httpx on its own wire format. Streams: iterate lines,
json.loads each data payload, as a hand-written client would.
"""

from __future__ import annotations

import sys

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

NAME = "raw_httpx"


def spec(protocol: str, base: str, stream: bool) -> tuple[str, dict, dict]:
    """(url, json body, headers) of one completion request in ``protocol``."""
    if protocol in ("openai", "mistral"):
        body = {"model": MODEL, "messages": MESSAGES, "max_tokens": MAX_TOKENS}
        if stream:
            body["stream"] = True
        return f"{base}/v1/chat/completions", body, {"Authorization": f"Bearer {API_KEY}"}
    if protocol == "anthropic":
        body = {"model": MODEL, "messages": MESSAGES, "max_tokens": MAX_TOKENS}
        if stream:
            body["stream"] = True
        return f"{base}/v1/messages", body, {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}
    if protocol == "gemini":
        body = {
            "contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
            "generationConfig": {"maxOutputTokens": MAX_TOKENS},
        }
        method = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return f"{base}/v1beta/models/{MODEL}:{method}", body, {"x-goog-api-key": API_KEY}
    if protocol == "ollama":
        body = {"model": MODEL, "messages": MESSAGES, "stream": stream, "options": {"num_predict": MAX_TOKENS}}
        return f"{base}/api/chat", body, {}
    raise SystemExit(f"unknown protocol {protocol}")


def text_of(protocol: str, data: dict) -> str:
    if protocol in ("openai", "mistral"):
        return data["choices"][0]["message"]["content"]
    if protocol == "anthropic":
        return data["content"][0]["text"]
    if protocol == "gemini":
        return data["candidates"][0]["content"]["parts"][0]["text"]
    return data["message"]["content"]


def delta_of(protocol: str, obj: dict) -> str | None:
    if protocol in ("openai", "mistral"):
        choices = obj.get("choices")
        return choices[0]["delta"].get("content") if choices else None
    if protocol == "anthropic":
        return obj["delta"].get("text") if obj.get("type") == "content_block_delta" else None
    if protocol == "gemini":
        return obj["candidates"][0]["content"]["parts"][0].get("text")
    return None if obj.get("done") else obj["message"]["content"]


def read_stream(protocol: str, response, json) -> tuple[int, int]:
    """(objects parsed, objects carrying content)."""
    chunks = content = 0
    if protocol == "ollama":
        for line in response.iter_lines():
            if line:
                obj = json.loads(line)
                chunks += 1
                if delta_of(protocol, obj):
                    content += 1
        return chunks, content
    for line in response.iter_lines():
        if line.startswith("data:"):
            payload = line[5:].lstrip()
            if payload == "[DONE]":
                break
            obj = json.loads(payload)
            chunks += 1
            if delta_of(protocol, obj):
                content += 1
    return chunks, content


def main() -> None:
    args = parse_args()
    mode, url = args["mode"], args.get("url", "")
    protocol = args.get("protocol", "openai")
    n = int(args.get("n", "16"))
    name = NAME if protocol == "openai" else f"{NAME}:{protocol}"

    start = now()
    import httpx

    import_s = now() - start
    if mode == "import":
        emit(name, mode, import_s=import_s)
        return
    import json

    base = f"{url}/n/{n}"
    if mode == "cold":
        client = httpx.Client()
        u, body, headers = spec(protocol, base, False)
        assert text_of(protocol, json.loads(client.post(u, json=body, headers=headers).content))
        emit(name, mode, cpu_s=process_cpu_s())
        return
    if mode == "cold_stream":
        client = httpx.Client()
        u, body, headers = spec(protocol, base, True)
        with client.stream("POST", u, json=body, headers=headers) as response:
            _, content = read_stream(protocol, response, json)
        check_stream(name, content, n)
        emit(name, mode, cpu_s=process_cpu_s())
        return
    if mode == "first_call":
        start = now()
        client = httpx.Client()
        u, body, headers = spec(protocol, base, False)
        text = text_of(protocol, json.loads(client.post(u, json=body, headers=headers).content))
        first_s = now() - start
        assert text
        emit(name, mode, import_s=import_s, first_call_s=first_s)
        return
    if mode == "sequential":
        client = httpx.Client()
        u, body, headers = spec(protocol, base, False)

        def call() -> str:
            response = client.post(u, json=body, headers=headers)
            response.raise_for_status()
            return text_of(protocol, json.loads(response.content))

        sequential(name, url, int(args.get("calls", "500")), call, lambda text: text or sys.exit("empty"))
        return
    if mode == "stream":
        client = httpx.Client()
        for count in (16, n):  # a short warm-up stream, then the timed one
            u, body, headers = spec(protocol, f"{url}/n/{count}", True)
            start = now()
            with client.stream("POST", u, json=body, headers=headers) as response:
                chunks, content = read_stream(protocol, response, json)
            elapsed = now() - start
            check_stream(name, content, count)
        emit(name, mode, chunks=chunks, content_chunks=content, stream_s=elapsed, chunks_per_s=content / elapsed)
        return
    if mode == "concurrent":
        import asyncio

        k = int(args.get("concurrency", "500"))
        u, body, headers = spec(protocol, base, False)

        async def run() -> tuple[float, int]:
            async with httpx.AsyncClient() as client:

                async def one() -> str:
                    response = await client.post(u, json=body, headers=headers)
                    response.raise_for_status()
                    return text_of(protocol, json.loads(response.content))

                await one()
                rss = peak_rss_kb()
                start = now()
                results = await asyncio.gather(*(one() for _ in range(k)))
                elapsed = now() - start
                assert all(results)
                return elapsed, rss

        elapsed, rss_before = asyncio.run(run())
        emit(name, mode, concurrency=k, wall_s=elapsed, rss_before_kb=rss_before)
        return
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

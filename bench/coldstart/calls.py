"""One cold call in a fresh process: ``python calls.py anyllm|raw chat|stream URL`` (the server of bench/server.py)."""

from __future__ import annotations

import sys

BODY = {"model": "bench-model", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 16}


def anyllm(url: str, stream: bool) -> str:
    from any_llm import completion

    kwargs = {"provider": "openai", "api_base": url + "/v1", "api_key": "k", "max_tokens": 16}
    if not stream:
        return completion(model=BODY["model"], messages=BODY["messages"], **kwargs).choices[0].message.content
    text = ""
    for chunk in completion(model=BODY["model"], messages=BODY["messages"], stream=True, **kwargs):
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
    return text


def raw(url: str, stream: bool) -> str:
    import json

    import httpx

    headers = {"Authorization": "Bearer k"}
    with httpx.Client() as client:
        if not stream:
            answer = client.post(url + "/v1/chat/completions", json=BODY, headers=headers)
            return json.loads(answer.content)["choices"][0]["message"]["content"]
        text = ""
        with client.stream("POST", url + "/v1/chat/completions", json={**BODY, "stream": True}, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    obj = json.loads(line[6:])
                    if obj.get("choices"):
                        text += obj["choices"][0]["delta"].get("content") or ""
        return text


if __name__ == "__main__":
    who, mode, url = sys.argv[1:4]
    assert (anyllm if who == "anyllm" else raw)(url, mode == "stream")

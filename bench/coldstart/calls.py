"""One cold call in a fresh process: ``python calls.py anyllm|raw|pydantic chat|stream URL`` (bench/server.py).

``pydantic`` is raw httpx + validation into a few small deferred pydantic models (message, choice, usage,
completion; or delta, choice, chunk): the floor of any client whose response types are pydantic models.
"""

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


def pydantic(url: str, stream: bool) -> str:
    import httpx
    from pydantic import BaseModel, ConfigDict

    deferred = ConfigDict(defer_build=True)

    class Message(BaseModel):
        model_config = deferred
        role: str
        content: str | None = None

    class Choice(BaseModel):
        model_config = deferred
        index: int
        message: Message
        finish_reason: str | None = None

    class Usage(BaseModel):
        model_config = deferred
        prompt_tokens: int
        completion_tokens: int
        total_tokens: int

    class Completion(BaseModel):
        model_config = deferred
        id: str
        object: str
        created: int
        model: str
        choices: list[Choice]
        usage: Usage | None = None

    class Delta(BaseModel):
        model_config = deferred
        role: str | None = None
        content: str | None = None

    class ChunkChoice(BaseModel):
        model_config = deferred
        index: int
        delta: Delta
        finish_reason: str | None = None

    class Chunk(BaseModel):
        model_config = deferred
        id: str
        object: str
        created: int
        model: str
        choices: list[ChunkChoice]

    headers = {"Authorization": "Bearer k"}
    with httpx.Client() as client:
        if not stream:
            answer = client.post(url + "/v1/chat/completions", json=BODY, headers=headers)
            return Completion.model_validate_json(answer.content).choices[0].message.content or ""
        text = ""
        with client.stream("POST", url + "/v1/chat/completions", json={**BODY, "stream": True}, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    chunk = Chunk.model_validate_json(line[6:])
                    if chunk.choices:
                        text += chunk.choices[0].delta.content or ""
        return text


if __name__ == "__main__":
    who, mode, url = sys.argv[1:4]
    assert {"anyllm": anyllm, "raw": raw, "pydantic": pydantic}[who](url, mode == "stream")

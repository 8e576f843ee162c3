"""``pip install anyllm-core anyllm-bedrock`` (wheels built from this repo, no botocore) runs the seed
examples against a local Bedrock that verifies every SigV4 signature, with credentials from env vars
and from a profile file. Slow: builds two wheels and one venv."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from any_llm.testing import RecordedRequest, Reply
from any_llm.testing.aws import SigV4Server, converse_frames, eventstream_reply

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
AKID = "AKIDPACKAGINGTEST001"
SECRET = "packaging-secret/K7MDENG+bPxRfiCYEXAMPLEKEY"

SEED = """
    import asyncio, importlib.util, json
    from pydantic import BaseModel
    from any_llm import completion, acompletion

    assert importlib.util.find_spec("botocore") is None, "botocore must not come with a default install"
    MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    kw = dict(provider="bedrock", api_base=BASE)

    class CityInfo(BaseModel):
        name: str
        country: str
        population: int

    def get_weather(location: str, unit: str = "F") -> str:
        '''Get weather information for a location.

        Args:
            location: The city or location to get weather for
            unit: Temperature unit, either 'C' or 'F'
        '''
        return "sunny"

    r = completion(model=MODEL, messages=[{"role": "user", "content": "What is the capital of France?"}], **kw)
    print("basic:", r.choices[0].message.content)
    text = "".join(c.choices[0].delta.content or "" for c in completion(
        model=MODEL, messages=[{"role": "user", "content": "Tell me a story."}], stream=True, **kw) if c.choices)
    print("stream:", text)
    async def main():
        r = await acompletion(model=MODEL, messages=[{"role": "user", "content": "Hello!"}], **kw)
        return r.choices[0].message.content
    print("async:", asyncio.run(main()))
    r = completion(model=MODEL, messages=[{"role": "user", "content": "Tell me about Paris."}],
                   response_format=CityInfo, **kw)
    city = r.choices[0].message.parsed
    print("structured:", f"{city.name}, {city.country} - pop. {city.population}")
    r = completion(model=MODEL, messages=[{"role": "user", "content": "What's the weather in Paris?"}],
                   tools=[get_weather], **kw)
    print("tools:", r.choices[0].message.tool_calls[0].function.name)
"""
EXPECTED = [
    "basic: Paris.",
    "stream: Once upon",
    "async: Paris.",
    "structured: Paris, France - pop. 2102650",
    "tools: get_weather",
]


def converse(request: RecordedRequest) -> Reply:
    body = request.json or {}
    usage = {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}
    if request.path.endswith("/converse-stream"):
        events = [("messageStart", {"role": "assistant"})]
        events += [("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": w}}) for w in ["Once", " upon"]]
        events += [
            ("messageStop", {"stopReason": "end_turn"}),
            ("metadata", {"usage": usage, "metrics": {"latencyMs": 1}}),
        ]
        return eventstream_reply(converse_frames(events), split=17)
    if body.get("toolConfig"):
        content = [{"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"location": "Paris"}}}]
        stop = "tool_use"
    elif body.get("outputConfig"):
        content, stop = (
            [{"text": json.dumps({"name": "Paris", "country": "France", "population": 2102650})}],
            "end_turn",
        )
    else:
        content, stop = [{"text": "Paris."}], "end_turn"
    return Reply.json(
        {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": usage,
            "metrics": {"latencyMs": 1},
        }
    )


def uv(*args: str) -> None:
    out = subprocess.run(["uv", *args], capture_output=True, text=True)
    assert out.returncode == 0, f"uv {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    for path in (ROOT / "core", ROOT / "plugins" / "bedrock"):
        uv("build", "--quiet", "--wheel", "--out-dir", str(dist), str(path))
    env = tmp_path_factory.mktemp("venv") / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(env))
    uv(
        "pip",
        "install",
        "--quiet",
        "--python",
        str(env / "bin" / "python"),
        "--find-links",
        str(dist),
        "anyllm-core",
        "anyllm-bedrock",
    )
    return env / "bin" / "python"


def run(python: Path, base: str, env: dict[str, str]) -> list[str]:
    code = f"BASE = {base!r}\n" + textwrap.dedent(SEED)
    out = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, cwd="/", env={"PATH": "/usr/bin:/bin", **env}
    )
    assert out.returncode == 0, f"script failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout.splitlines()


def test_seed_examples_with_env_credentials(python: Path, tmp_path: Path) -> None:
    with SigV4Server({AKID: SECRET}, "bedrock", answer=converse) as server:
        env = {
            "HOME": str(tmp_path),
            "AWS_ACCESS_KEY_ID": AKID,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_REGION": "us-west-2",
        }
        assert run(python, server.url, env) == EXPECTED
        assert server.verdicts == [None] * 5


def test_seed_examples_with_a_profile_file(python: Path, tmp_path: Path) -> None:
    (tmp_path / "credentials").write_text(f"[seed]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n")
    (tmp_path / "config").write_text("[profile seed]\nregion = eu-west-1\n")
    with SigV4Server({AKID: SECRET}, "bedrock", answer=converse) as server:
        env = {
            "HOME": str(tmp_path),
            "AWS_PROFILE": "seed",
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
        }
        assert run(python, server.url, env) == EXPECTED
        assert server.verdicts == [None] * 5
        assert all("/eu-west-1/bedrock/" in r.headers["authorization"] for r in server.requests)

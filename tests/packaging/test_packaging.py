"""Packaging as users see it: build every wheel and sdist, install them into fresh venvs, use them.

Slow (builds ~35 distributions, makes several venvs), so it runs once per suite; uv's cache makes
the installs cheap after the first run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())
pytestmark = pytest.mark.slow


def uv(*args: str, cwd: Path | None = None) -> str:
    out = subprocess.run(["uv", *args], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(f"uv {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    for path in [ROOT / "core", *[ROOT / "plugins" / p for p in PLUGINS], ROOT / "examples" / "anyllm-acme"]:
        uv("build", "--quiet", "--out-dir", str(out), str(path))
    return out


def venv(tmp_path: Path, dist: Path, *packages: str) -> Path:
    env = tmp_path / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(env))
    python = env / "bin" / "python"
    uv("pip", "install", "--quiet", "--python", str(python), "--find-links", str(dist), *packages)
    return python


def run(python: Path, code: str) -> str:
    out = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    if out.returncode != 0:
        raise AssertionError(f"script failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def test_every_distribution_has_a_wheel_and_sdist_with_metadata(dist: Path) -> None:
    names = ["anyllm-core", *[f"anyllm-{p}" for p in PLUGINS], "anyllm-acme"]
    for name in names:
        stem = name.replace("-", "_")
        wheels = list(dist.glob(f"{stem}-*.whl"))
        assert len(wheels) == 1, name
        assert len(list(dist.glob(f"{stem}-*.tar.gz"))) == 1, name
        with zipfile.ZipFile(wheels[0]) as zf:
            meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            text = zf.read(meta).decode()
            assert f"Name: {name}" in text
            assert "Requires-Python: >=3.10" in text
            if name != "anyllm-core":
                assert "Requires-Dist: anyllm-core<0.2,>=0.1.0" in text
                eps = zf.read(meta.replace("METADATA", "entry_points.txt")).decode()
                assert "[anyllm]" in eps
            assert any(n.endswith("py.typed") for n in zf.namelist()), name


def test_core_alone_lists_no_providers_and_says_what_to_install(dist: Path, tmp_path: Path) -> None:
    python = venv(tmp_path, dist, "anyllm-core")
    out = run(
        python,
        """
        import any_llm
        from any_llm import completion, list_providers
        from any_llm.errors import UnsupportedProviderError
        assert list_providers() == ([], []), list_providers()
        try:
            completion(model="mistral-small-latest", provider="mistral", messages=[{"role": "user", "content": "x"}])
        except UnsupportedProviderError as exc:
            print(exc)
    """,
    )
    assert "pip install anyllm-mistral" in out
    assert "Installed providers: none" in out


SEED_OPENAI = """
    import asyncio, json
    from pydantic import BaseModel
    from any_llm import completion, acompletion
    from any_llm.testing import MockServer, Reply

    def reply(request):
        body = request.json
        base = {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        if body.get("stream"):
            ev = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
            return Reply.sse([{**ev, "choices": [{"index": 0, "delta": {"content": w}}]} for w in ["Once", " upon"]]
                             + [{**ev, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}])
        if body.get("tools"):
            call = {"id": "call_1", "type": "function", "function": {"name": "get_weather",
                                                                      "arguments": '{"location": "Paris"}'}}
            msg = {"role": "assistant", "content": None, "tool_calls": [call]}
            return Reply.json({**base, "choices": [{"index": 0, "message": msg, "finish_reason": "tool_calls"}]})
        if body.get("response_format"):
            content = json.dumps({"name": "Paris", "country": "France", "population": 2102650})
        else:
            content = "Paris."
        return Reply.json({**base, "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                                "finish_reason": "stop"}]})

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

    with MockServer(reply) as server:
        kw = dict(provider=PROVIDER, api_key="sk-test-12345678", api_base=server.url + "/v1")
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


@pytest.mark.parametrize("provider", ["openai", "mistral"])
def test_core_plus_one_plugin_runs_the_seed_examples(dist: Path, tmp_path: Path, provider: str) -> None:
    if provider not in PLUGINS:
        pytest.fail(f"plugins/{provider} is missing")
    python = venv(tmp_path, dist, "anyllm-core", f"anyllm-{provider}")
    model = {"openai": "gpt-4.1-mini", "mistral": "mistral-small-latest"}[provider]
    out = run(python, f"PROVIDER = {provider!r}\nMODEL = {model!r}\n" + textwrap.dedent(SEED_OPENAI))
    assert out.splitlines() == EXPECTED


def test_all_plugins_together_then_one_uninstalled(dist: Path, tmp_path: Path) -> None:
    python = venv(tmp_path, dist, "anyllm-core", *[f"anyllm-{p}" for p in PLUGINS])
    listed = run(
        python,
        """
        from any_llm import list_providers
        infos, failures = list_providers()
        assert failures == [], failures
        print(" ".join(i.name for i in infos))
    """,
    ).split()
    assert set(PLUGINS) <= set(listed)
    uv("pip", "uninstall", "--quiet", "--python", str(python), "anyllm-groq" if "groq" in PLUGINS else "anyllm-openai")
    out = run(
        python,
        """
        from any_llm import list_providers
        infos, failures = list_providers()
        assert failures == [], failures
        print(" ".join(i.name for i in infos))
    """,
    ).split()
    assert len(out) == len(listed) - 1
    run(python, "PROVIDER = 'openai'\nMODEL = 'gpt-4.1-mini'\n" + textwrap.dedent(SEED_OPENAI))


def test_a_third_party_plugin_needs_only_core(dist: Path, tmp_path: Path) -> None:
    python = venv(tmp_path, dist, "anyllm-core", "anyllm-acme")
    out = run(
        python,
        """
        from any_llm import completion, list_providers
        from any_llm.testing import MockServer, Reply
        infos, _ = list_providers()
        print([i.name for i in infos])
        answer = {"trace": "t1", "reply": {"text": "Hello from Acme"}, "stop": "done", "meter": {"in": 3, "out": 4}}
        with MockServer() as server:
            server.queue(Reply.json(answer))
            r = completion(model="acme-1", provider="acme", api_key="acme-key-123456", api_base=server.url,
                           messages=[{"role": "user", "content": "Hi"}])
            print(r.choices[0].message.content, r.usage.total_tokens)
            print(server.requests[0].headers["x-acme-key"], server.requests[0].json["turns"])
    """,
    )
    assert out.splitlines() == [
        "['acme']",
        "Hello from Acme 7",
        "acme-key-123456 [{'speaker': 'human', 'text': 'Hi'}]",
    ]


# -- the enterprise clouds: installed from wheels, authenticated through core's token flows -------------

SEED_CALLS = """
    import asyncio
    from pydantic import BaseModel
    from any_llm import completion, acompletion

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

    def seed(kw):
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

CITY_JSON = '{"name": "Paris", "country": "France", "population": 2102650}'

SEED_VERTEX = f"""
    import json, os, tempfile
    from cryptography.hazmat.primitives.asymmetric import rsa
    from any_llm.testing import MockServer, Reply
    from anyllm_vertexai.testing import PROJECT, GoogleTokenServer, service_account_info

    def reply(request):
        assert request.headers["authorization"].startswith("Bearer ya29."), "no token from the JWT exchange"
        assert f"/projects/{{PROJECT}}/locations/us-central1/publishers/google/models/" in request.path
        body = request.json
        def answer(parts):
            return {{"candidates": [{{"content": {{"role": "model", "parts": parts}}, "finishReason": "STOP"}}],
                    "usageMetadata": {{"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2}}}}
        if request.path.endswith("alt=sse"):
            return Reply.sse([answer([{{"text": "Once"}}]), answer([{{"text": " upon"}}])], done=False)
        if body.get("tools"):
            return Reply.json(answer([{{"functionCall": {{"name": "get_weather", "args": {{"location": "Paris"}}}}}}]))
        if body.get("generationConfig", {{}}).get("responseMimeType") == "application/json":
            return Reply.json(answer([{{"text": {CITY_JSON!r}}}]))
        return Reply.json(answer([{{"text": "Paris."}}]))

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    google = GoogleTokenServer(key.public_key())
    with google.server, MockServer(reply) as vertex:
        path = os.path.join(tempfile.mkdtemp(), "sa.json")
        with open(path, "w") as f:
            json.dump(service_account_info(key, google.token_uri), f)
        os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = path
        os.environ["CLOUDSDK_CONFIG"] = tempfile.mkdtemp()
        seed(dict(provider="vertexai", api_base=vertex.url))
        assert len(google.verified) == 1, google.verified  # one verified JWT exchange for all five calls
"""

SEED_WATSONX = f"""
    import json, os
    from any_llm.testing import MockServer, Reply

    KEY = "ibm-cloud-api-key-0123456789"
    def iam(request):
        assert "apikey=" + KEY in request.body.decode()
        return Reply.json({{"access_token": "iam-bearer-0001", "token_type": "Bearer", "expires_in": 3600}})

    def reply(request):
        assert request.headers["authorization"] == "Bearer iam-bearer-0001"
        assert request.json["project_id"] == "proj-1" and "version=" in request.path
        body = request.json
        base = {{"id": "c1", "model_id": MODEL, "created": 0,
                 "usage": {{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}}}
        if request.path.startswith("/ml/v1/text/chat_stream"):
            frames = [{{**base, "choices": [{{"index": 0, "delta": {{"content": w}}, "finish_reason": f}}]}}
                      for w, f in (("Once", None), (" upon", "stop"))]
            return Reply.sse([("message", f) for f in frames], done=False)
        if body.get("tools"):
            call = {{"id": "call_1", "type": "function", "function": {{"name": "get_weather",
                                                                     "arguments": '{{"location": "Paris"}}'}}}}
            msg = {{"role": "assistant", "content": None, "tool_calls": [call]}}
            return Reply.json({{**base, "choices": [{{"index": 0, "message": msg, "finish_reason": "tool_calls"}}]}})
        content = {CITY_JSON!r} if body.get("response_format") else "Paris."
        msg = {{"role": "assistant", "content": content}}
        return Reply.json({{**base, "choices": [{{"index": 0, "message": msg, "finish_reason": "stop"}}]}})

    with MockServer(iam) as iam_server, MockServer(reply) as server:
        os.environ.update(WATSONX_API_KEY=KEY, WATSONX_PROJECT_ID="proj-1",
                          WATSONX_IAM_URL=iam_server.url + "/identity/token", WATSONX_SERVICE_URL=server.url)
        seed(dict(provider="watsonx"))
        assert len(iam_server.requests) == 1
"""

SEED_AZURE = f"""
    from any_llm.testing import MockServer, Reply

    calls = []
    def token_provider():
        calls.append(1)
        return "entra-token-0001"

    def reply(request):
        assert request.headers["authorization"] == "Bearer entra-token-0001" and "api-key" not in request.headers
        assert request.path.startswith(f"/openai/deployments/{{MODEL}}/chat/completions?api-version=")
        body = request.json
        base = {{"id": "c1", "object": "chat.completion", "created": 0, "model": MODEL,
                 "usage": {{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}}}
        if body.get("stream"):
            ev = {{"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": MODEL}}
            return Reply.sse([{{**ev, "choices": [{{"index": 0, "delta": {{"content": w}}}}]}} for w in ["Once", " upon"]]
                             + [{{**ev, "choices": [{{"index": 0, "delta": {{}}, "finish_reason": "stop"}}]}}])
        if body.get("tools"):
            call = {{"id": "call_1", "type": "function", "function": {{"name": "get_weather",
                                                                     "arguments": '{{"location": "Paris"}}'}}}}
            msg = {{"role": "assistant", "content": None, "tool_calls": [call]}}
            return Reply.json({{**base, "choices": [{{"index": 0, "message": msg, "finish_reason": "tool_calls"}}]}})
        content = {CITY_JSON!r} if body.get("response_format") else "Paris."
        msg = {{"role": "assistant", "content": content}}
        return Reply.json({{**base, "choices": [{{"index": 0, "message": msg, "finish_reason": "stop"}}]}})

    with MockServer(reply) as server:
        seed(dict(provider="azureopenai", api_base=server.url,
                  client_args={{"azure_ad_token_provider": token_provider}}))
        assert calls == [1], calls  # one token for the five calls
"""


@pytest.mark.parametrize(
    ("plugin", "model", "script", "extra"),
    [
        ("vertexai", "gemini-2.5-flash", SEED_VERTEX, ["cryptography"]),  # cryptography: the test's JWT verifier
        ("watsonx", "ibm/granite-3-3-8b-instruct", SEED_WATSONX, []),
        ("azureopenai", "my-gpt-4o", SEED_AZURE, []),
    ],
)
def test_cloud_plugin_from_wheels_runs_the_seed_examples_with_its_credentials(
    dist: Path, tmp_path: Path, plugin: str, model: str, script: str, extra: list[str]
) -> None:
    """Vertex with a service-account file (JWT verified by a local token endpoint), watsonx with an API
    key exchanged at a local IAM, Azure OpenAI with an Entra ID token provider: core + one plugin."""
    python = venv(tmp_path, dist, "anyllm-core", f"anyllm-{plugin}", *extra)
    code = f"MODEL = {model!r}\n" + textwrap.dedent(SEED_CALLS) + textwrap.dedent(script)
    assert run(python, code).splitlines() == EXPECTED

"""Packaging as users see it: build every wheel and sdist, install them into fresh venvs, use them.

Slow (builds ~35 distributions, makes several venvs), so it runs once per suite; uv's cache makes
the installs cheap after the first run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from any_llm.testing import RecordedRequest, Reply
from any_llm.testing.aws import SigV4Server, converse_frames, eventstream_reply
from any_llm.testing.seed import EXPECTED_LINES

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


def run(python: Path, code: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **(env or {})},
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


SEED_CALLS = """
    from any_llm.testing.seed import run_examples

    def seed(kw):
        print("\\n".join(run_examples(MODEL, **kw)))
"""
"""The five reference examples as a user runs them (any_llm.testing.seed), inside the fresh venv."""

SEED_OPENAI = """
    from any_llm.testing import MockServer
    from any_llm.testing.seed import openai_reply

    with MockServer(openai_reply) as server:
        seed(dict(provider=PROVIDER, api_key="sk-test-12345678", api_base=server.url + "/v1"))
"""


def seed_program(script: str, **constants: str) -> str:
    head = "".join(f"{name} = {value!r}\n" for name, value in constants.items())
    return head + textwrap.dedent(SEED_CALLS) + textwrap.dedent(script)


@pytest.mark.parametrize("provider", ["openai", "mistral"])
def test_core_plus_one_plugin_runs_the_seed_examples(dist: Path, tmp_path: Path, provider: str) -> None:
    if provider not in PLUGINS:
        pytest.fail(f"plugins/{provider} is missing")
    python = venv(tmp_path, dist, "anyllm-core", f"anyllm-{provider}")
    model = {"openai": "gpt-4.1-mini", "mistral": "mistral-small-latest"}[provider]
    out = run(python, seed_program(SEED_OPENAI, PROVIDER=provider, MODEL=model))
    assert out.splitlines() == EXPECTED_LINES


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
    run(python, seed_program(SEED_OPENAI, PROVIDER="openai", MODEL="gpt-4.1-mini"))


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

SEED_AZURE = """
    from any_llm.testing import MockServer
    from any_llm.testing.seed import openai_reply

    calls = []
    def token_provider():
        calls.append(1)
        return "entra-token-0001"

    def reply(request):
        assert request.headers["authorization"] == "Bearer entra-token-0001" and "api-key" not in request.headers
        assert request.path.startswith(f"/openai/deployments/{MODEL}/chat/completions?api-version=")
        return openai_reply(request)

    with MockServer(reply) as server:
        seed(dict(provider="azureopenai", api_base=server.url,
                  client_args={"azure_ad_token_provider": token_provider}))
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
    assert run(python, seed_program(script, MODEL=model)).splitlines() == EXPECTED_LINES


# -- Bedrock: SigV4 from env vars or a profile file, verified by a local Bedrock; botocore not installed --------

AKID = "AKIDPACKAGINGTEST001"
SECRET = "packaging-secret/K7MDENG+bPxRfiCYEXAMPLEKEY"
SEED_BEDROCK = """
    import importlib.util

    assert importlib.util.find_spec("botocore") is None, "botocore must not come with a default install"
    seed(dict(provider="bedrock", api_base=BASE))
"""


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


@pytest.fixture(scope="module")
def bedrock_python(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return venv(tmp_path_factory.mktemp("bedrock"), dist, "anyllm-core", "anyllm-bedrock")


def seed_bedrock(python: Path, base: str, env: dict[str, str]) -> list[str]:
    model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    return run(python, seed_program(SEED_BEDROCK, MODEL=model, BASE=base), env).splitlines()


def test_bedrock_seed_examples_with_env_credentials(bedrock_python: Path, tmp_path: Path) -> None:
    with SigV4Server({AKID: SECRET}, "bedrock", answer=converse) as server:
        env = {
            "HOME": str(tmp_path),
            "AWS_ACCESS_KEY_ID": AKID,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_REGION": "us-west-2",
        }
        assert seed_bedrock(bedrock_python, server.url, env) == EXPECTED_LINES
        assert server.verdicts == [None] * 5


def test_bedrock_seed_examples_with_a_profile_file(bedrock_python: Path, tmp_path: Path) -> None:
    (tmp_path / "credentials").write_text(f"[seed]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n")
    (tmp_path / "config").write_text("[profile seed]\nregion = eu-west-1\n")
    with SigV4Server({AKID: SECRET}, "bedrock", answer=converse) as server:
        env = {
            "HOME": str(tmp_path),
            "AWS_PROFILE": "seed",
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
        }
        assert seed_bedrock(bedrock_python, server.url, env) == EXPECTED_LINES
        assert server.verdicts == [None] * 5
        assert all("/eu-west-1/bedrock/" in r.headers["authorization"] for r in server.requests)

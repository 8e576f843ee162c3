"""Router: strategies, the error → behaviour table, cooldowns, limits, streams, deadlines, the shortcut.

Every behaviour runs through the real httpx stack against local servers (one per deployment) that
answer or fail on command; sleeps of the transport are recorded, never asserted by wall clock.
"""

from __future__ import annotations

import asyncio
import pickle
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import any_llm
from any_llm import AnyLLM, acompletion, completion, errors
from any_llm.retry import RetryPolicy
from any_llm.router import Cooldown, Deployment, Router, served_by
from any_llm.router.state import DeploymentState
from any_llm.router.strategies import order
from any_llm.testing import MockServer, RecordedRequest, Reply

KEY = "sk-router-ABCDEFGHIJKLMNOP"
MSG = [{"role": "user", "content": "x"}]
MARGIN = 1.5
"""Seconds allowed past a deadline (a busy CI core); the dripping server would go on for 20 s."""


def ok_body(text: str) -> dict[str, Any]:
    return {
        "id": "1",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }


def stream_reply(text: str, n: int = 3, chunk_delay: float = 0.0, cut: bool = False) -> Reply:
    """A stream of ``n`` text chunks; ``cut``: the connection is reset before the stream's end."""
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    events = [{**base, "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]} for _ in range(n)]
    if not cut:
        events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    reply = Reply.sse(events, done=not cut, chunk_delay=chunk_delay)
    reply.fault = "cut" if cut else None
    return reply


def error(status: int, message: str = "nope", code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json({"error": {"message": message, "type": "x", "code": code}}, status, headers=headers)


class Servers:
    """Named local servers, each answering "from <name>" unless told otherwise."""

    def __init__(self, *names: str) -> None:
        self.by_name: dict[str, MockServer] = {}
        for name in names:
            self.by_name[name] = MockServer(self._handler(name)).start()

    @staticmethod
    def _handler(name: str) -> Callable[[RecordedRequest], Reply]:
        def handle(request: RecordedRequest) -> Reply:
            body = request.json or {}
            if request.path.endswith("/embeddings"):
                return Reply.json(
                    {
                        "object": "list",
                        "model": "e",
                        "data": [{"object": "embedding", "index": 0, "embedding": [1.0]}],
                        "usage": {"prompt_tokens": 1, "total_tokens": 1},
                    }
                )
            if body.get("stream"):
                return stream_reply(f"{name}.")
            return Reply.json(ok_body(f"from {name}"))

        return handle

    def __getitem__(self, name: str) -> MockServer:
        return self.by_name[name]

    def dep(self, name: str, group: str, **kw: Any) -> dict[str, Any]:
        return {"group": group, "model": "openai:m", "api_key": KEY, "api_base": self[name].url, "name": name, **kw}

    def close(self) -> None:
        for server in self.by_name.values():
            server.stop()


@pytest.fixture
def servers() -> Iterator[Servers]:
    s = Servers("a", "b", "c")
    yield s
    s.close()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Transport sleeps recorded instead of slept."""
    recorded: list[float] = []
    real_sleep = time.sleep

    def fake(delay: float) -> None:
        recorded.append(delay)
        real_sleep(0)

    monkeypatch.setattr(time, "sleep", fake)
    return recorded


def text(result: Any) -> str:
    return str(result.choices[0].message.content)


# -- strategies ---------------------------------------------------------------------------------


def _states(weights: list[float]) -> list[DeploymentState]:
    client: Any = None
    return [
        DeploymentState(Deployment(group="g", model="openai:m", weight=w, name=f"d{i}"), client, "m", Cooldown(), i)
        for i, w in enumerate(weights)
    ]


def test_weighted_picks_follow_the_weights_within_5_percent() -> None:
    states = _states([1, 2, 7])
    rng = random.Random(20261202)
    counts = [0, 0, 0]
    for _ in range(10_000):
        counts[order(states, "weighted", 0.0, rng.random)[0].index] += 1
    for count, share in zip(counts, [0.1, 0.2, 0.7]):
        assert abs(count / 10_000 - share) <= 0.05 * share, counts


def test_weighted_order_is_a_permutation_and_zero_weight_goes_last() -> None:
    states = _states([0, 1, 1])
    for _ in range(200):
        got = order(states, "weighted", 0.0)
        assert sorted(s.index for s in got) == [0, 1, 2] and got[-1].index == 0


def test_least_busy_lowest_latency_and_usage_based_orders() -> None:
    states = _states([1, 1, 1])
    states[0].in_flight, states[1].in_flight, states[2].in_flight = 5, 0, 2
    assert [s.index for s in order(states, "least-busy", 0.0)] == [1, 2, 0]
    states[0].latency, states[1].latency, states[2].latency = 0.2, 0.9, 0.1
    assert [s.index for s in order(states, "lowest-latency", 0.0)] == [2, 0, 1]
    now = 1000.0
    for s, used in zip(states, [50, 10, 30]):
        s.tokens.append([now, float(used)])
        s.tokens_sum = float(used)
    assert [s.index for s in order(states, "usage-based", now)] == [1, 2, 0]
    order(states, "usage-based", now + 61)  # a minute later the usage is forgotten
    assert all(s.tokens_sum == 0 for s in states)


def test_least_busy_sends_to_the_idle_deployment(servers: Servers) -> None:
    release = threading.Event()
    first = [True]

    def handler(name: str) -> Callable[[RecordedRequest], Reply]:
        def handle(request: RecordedRequest) -> Reply:
            if first[0]:  # the very first request is held until the test is done
                first[0] = False
                release.wait(10)
            return Reply.json(ok_body(name))

        return handle

    servers["a"].handler, servers["b"].handler = handler("a"), handler("b")
    router = Router([servers.dep("a", "g"), servers.dep("b", "g")], strategy="least-busy")
    with router_thread(router) as busy:
        assert busy.wait(5)
        end = time.monotonic() + 5  # the held request has reached its server
        while not (servers["a"].requests or servers["b"].requests) and time.monotonic() < end:
            time.sleep(0.005)
        idle = next(s["name"] for s in router.stats() if not s["in_flight"])
        served = [text(router.completion(model="g", messages=MSG)) for _ in range(5)]
        assert served == [idle] * 5, (served, router.stats())
        release.set()


def _slow(body: dict[str, Any]) -> Reply:
    reply = Reply.json(body)
    reply.delay = 0.5
    return reply


class router_thread:
    """Runs one call on ``router`` in a thread; ``wait`` until it is in flight."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.thread = threading.Thread(target=lambda: router.completion(model="g", messages=MSG))

    def __enter__(self) -> router_thread:
        self.thread.start()
        return self

    def wait(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(s["in_flight"] for s in self.router.stats()):
                return True
            time.sleep(0.005)
        return False

    def __exit__(self, *exc: object) -> None:
        self.thread.join(5)


# -- the error → behaviour table ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "exc"),
    [
        (error(429, "slow down"), errors.RateLimitError),
        (error(500, "boom"), errors.ProviderError),
        (error(503, "down"), errors.ProviderError),
        (error(401, "revoked"), errors.AuthenticationError),
        (error(404, "no such model"), errors.ModelNotFoundError),
        (Reply(fault="reset"), errors.APIConnectionError),
        (Reply.text("<html>oops</html>", 200, "text/html"), errors.ResponseValidationError),
    ],
    ids=["429", "500", "503", "401", "404", "reset", "garbage"],
)
def test_deployment_errors_move_on_at_once(
    servers: Servers, sleeps: list[float], reply: Reply, exc: type[Exception]
) -> None:
    servers["a"].handler = lambda r: reply
    router = Router([servers.dep("a", "primary"), servers.dep("b", "backup")], fallbacks={"primary": ["backup"]})
    result = router.completion(model="primary", messages=MSG)
    assert text(result) == "from b" and served_by(result) is not None and served_by(result).name == "b"  # type: ignore[union-attr]
    assert len(servers["a"].requests) == 1, "no retry while a fallback is left"
    assert sleeps == []


@pytest.mark.parametrize(
    "reply",
    [error(400, "bad value", "invalid_value"), error(422, "unprocessable")],
    ids=["400", "422"],
)
def test_request_errors_are_raised_at_once(servers: Servers, reply: Reply) -> None:
    servers["a"].handler = lambda r: reply
    router = Router([servers.dep("a", "primary"), servers.dep("b", "backup")], fallbacks={"primary": ["backup"]})
    with pytest.raises(errors.InvalidRequestError):
        router.completion(model="primary", messages=MSG)
    assert len(servers["b"].requests) == 0


def test_unsupported_parameter_is_raised_before_anything_is_sent(servers: Servers) -> None:
    router = Router([servers.dep("a", "primary"), servers.dep("b", "backup")], fallbacks={"primary": ["backup"]})
    with pytest.raises(errors.ConfigurationError):
        router.completion(model="primary", messages=[{"role": "nobody", "content": "x"}])
    assert servers["a"].requests == [] and servers["b"].requests == []


def test_context_window_and_content_policy_fallbacks(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(400, "too long", "context_length_exceeded")
    router = Router(
        [servers.dep("a", "small"), servers.dep("b", "large"), servers.dep("c", "other")],
        fallbacks={"small": ["other"]},
        context_window_fallbacks={"small": ["large"]},
        content_policy_fallbacks={"small": ["other"]},
    )
    assert text(router.completion(model="small", messages=MSG)) == "from b"
    assert len(servers["c"].requests) == 0
    servers["a"].handler = lambda r: error(400, "blocked", "content_filter")
    assert text(router.completion(model="small", messages=MSG)) == "from c"
    assert len(servers["b"].requests) == 1
    # without a context-window fallback the error is the caller's
    bare = Router([servers.dep("a", "small"), servers.dep("c", "other")], fallbacks={"small": ["other"]})
    servers["a"].handler = lambda r: error(400, "too long", "context_length_exceeded")
    with pytest.raises(errors.ContextLengthExceededError):
        bare.completion(model="small", messages=MSG)


def test_exhausted_fallbacks_name_every_attempt(servers: Servers, sleeps: list[float]) -> None:
    servers["a"].handler = lambda r: error(503, "a is down")
    servers["b"].handler = lambda r: error(401, "b key revoked")
    router = Router(
        [servers.dep("a", "primary"), servers.dep("b", "backup")],
        fallbacks={"primary": ["backup"]},
        retry=RetryPolicy(max_retries=1, initial_delay=0.01),
    )
    with pytest.raises(errors.FallbacksExhaustedError) as info:
        router.completion(model="primary", messages=MSG)
    err = info.value
    assert [(name, type(e)) for name, e in err.attempts] == [
        ("a", errors.ProviderError),
        ("b", errors.AuthenticationError),
    ]
    assert "a is down" in str(err) and "b key revoked" in str(err) and KEY not in str(err)
    assert isinstance(err, errors.AnyLLMError) and err.__cause__ is err.attempts[-1][1]
    again = pickle.loads(pickle.dumps(err))
    assert [name for name, _ in again.attempts] == ["a", "b"] and str(again) == str(err)
    assert len(servers["a"].requests) == 1
    assert len(servers["b"].requests) == 1  # 401 is not retried, even on the last deployment


def test_the_last_deployment_left_gets_the_retries(servers: Servers, sleeps: list[float]) -> None:
    servers["a"].handler = lambda r: error(503)
    servers["b"].queue(error(503), error(503))
    router = Router(
        [servers.dep("a", "primary"), servers.dep("b", "backup")],
        fallbacks={"primary": ["backup"]},
        retry=RetryPolicy(max_retries=2, initial_delay=0.25, jitter=False),
    )
    assert text(router.completion(model="primary", messages=MSG)) == "from b"
    assert len(servers["a"].requests) == 1 and len(servers["b"].requests) == 3
    assert sleeps == [0.25, 0.5]


# -- cooldowns ------------------------------------------------------------------------------------


def _end_cooldown(router: Router, name: str) -> None:
    """Let the bench time pass for ``name`` (no test waits on the wall clock for it)."""
    for states in router._groups.values():
        for state in states:
            if state.name == name:
                state.benched_until = time.monotonic()


def _benched_for(router: Router, name: str) -> float:
    stats = {s["name"]: s for s in router.stats()}
    return float(stats[name]["benched_until"]) - time.monotonic()


def test_a_429_with_retry_after_benches_the_deployment_for_that_long(servers: Servers, sleeps: list[float]) -> None:
    servers["a"].handler = lambda r: error(429, "slow", headers={"retry-after": "40"})
    router = Router(
        [servers.dep("a", "g", weight=1000), servers.dep("b", "g", weight=0)], cooldown=Cooldown(duration=5)
    )
    assert text(router.completion(model="g", messages=MSG)) == "from b"
    assert 35 < _benched_for(router, "a") <= 40, "at least the Retry-After, though the cooldown is 5 s"
    for _ in range(5):
        assert text(router.completion(model="g", messages=MSG)) == "from b"
    assert len(servers["a"].requests) == 1, "benched: skipped while b is healthy"
    assert sleeps == []
    servers["a"].handler = lambda r: Reply.json(ok_body("from a"))
    _end_cooldown(router, "a")
    assert text(router.completion(model="g", messages=MSG)) == "from a", "after Retry-After: probed and back"
    assert text(router.completion(model="g", messages=MSG)) == "from a"


def test_cooldown_after_n_failures_then_one_half_open_probe(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(500)
    router = Router(
        [servers.dep("a", "g", weight=1000), servers.dep("b", "g", weight=0)],
        cooldown=Cooldown(allowed_fails=2, window=60, duration=30),
    )
    for _ in range(4):
        assert text(router.completion(model="g", messages=MSG)) == "from b"
    assert len(servers["a"].requests) == 2, "benched after 2 failures"
    assert 25 < _benched_for(router, "a") <= 30
    _end_cooldown(router, "a")
    # half-open: one slow probe goes to a; calls meanwhile go to b
    release = threading.Event()

    def held(request: RecordedRequest) -> Reply:
        release.wait(10)
        return Reply.json(ok_body("from a"))

    servers["a"].handler = held
    probe: list[str] = []
    t = threading.Thread(target=lambda: probe.append(text(router.completion(model="g", messages=MSG))))
    t.start()
    end = time.monotonic() + 10
    while len(servers["a"].requests) < 3 and time.monotonic() < end:
        time.sleep(0.005)
    assert [text(router.completion(model="g", messages=MSG)) for _ in range(3)] == ["from b"] * 3
    release.set()
    t.join(10)
    assert probe == ["from a"] and len(servers["a"].requests) == 3
    assert text(router.completion(model="g", messages=MSG)) == "from a", "closed again after the probe"


def test_a_failed_probe_benches_again(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(401, "revoked")
    router = Router([servers.dep("a", "g", weight=1000), servers.dep("b", "g", weight=0)], cooldown=30)
    assert text(router.completion(model="g", messages=MSG)) == "from b"  # 401 benches at once
    assert text(router.completion(model="g", messages=MSG)) == "from b"
    assert len(servers["a"].requests) == 1
    _end_cooldown(router, "a")
    assert text(router.completion(model="g", messages=MSG)) == "from b"  # the probe failed
    assert len(servers["a"].requests) == 2
    assert text(router.completion(model="g", messages=MSG)) == "from b"
    assert len(servers["a"].requests) == 2 and _benched_for(router, "a") > 25


def test_when_everything_is_benched_the_call_still_tries(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(401, "revoked")
    router = Router([servers.dep("a", "g")], cooldown=30)
    with pytest.raises(errors.FallbacksExhaustedError):
        router.completion(model="g", messages=MSG)
    servers["a"].handler = lambda r: Reply.json(ok_body("from a"))
    assert text(router.completion(model="g", messages=MSG)) == "from a"


# -- client-side limits ------------------------------------------------------------------------


def test_max_parallel_is_never_exceeded_across_threads(servers: Servers) -> None:
    active = [0, 0]
    lock = threading.Lock()

    def handle(request: RecordedRequest) -> Reply:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        time.sleep(0.03)
        with lock:
            active[0] -= 1
        return Reply.json(ok_body("from a"))

    servers["a"].handler = handle
    router = Router([servers.dep("a", "g", max_parallel=2)])
    threads = [threading.Thread(target=lambda: router.completion(model="g", messages=MSG)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(servers["a"].requests) == 8 and active[1] == 2


async def test_max_parallel_holds_across_tasks(servers: Servers) -> None:
    active = [0, 0]

    def handle(request: RecordedRequest) -> Reply:
        active[0] += 1
        active[1] = max(active[1], active[0])
        time.sleep(0.03)
        active[0] -= 1
        return Reply.json(ok_body("from a"))

    servers["a"].handler = handle
    router = Router([servers.dep("a", "g", max_parallel=1)])
    results = await asyncio.gather(*(router.acompletion(model="g", messages=MSG) for _ in range(5)))
    assert [text(r) for r in results] == ["from a"] * 5 and active[1] == 1


def test_max_parallel_holds_across_event_loops_in_threads(servers: Servers) -> None:
    active = [0, 0]
    lock = threading.Lock()

    def handle(request: RecordedRequest) -> Reply:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return Reply.json(ok_body("from a"))

    servers["a"].handler = handle
    router = Router([servers.dep("a", "g", max_parallel=1)])

    async def three() -> None:
        await asyncio.gather(*(router.acompletion(model="g", messages=MSG) for _ in range(3)))

    threads = [threading.Thread(target=asyncio.run, args=(three(),)) for _ in range(3)]
    for t in threads:
        t.start()
    router.completion(model="g", messages=MSG)
    for t in threads:
        t.join(10)
    assert len(servers["a"].requests) == 10 and active[1] == 1


def test_rpm_limit_goes_elsewhere_then_waits_within_the_deadline(servers: Servers) -> None:
    router = Router(
        [servers.dep("a", "g", rpm=2, weight=1000), servers.dep("b", "g", rpm=1, weight=0)],
        retry=RetryPolicy(deadline=0.3),
    )
    served = [served_by(router.completion(model="g", messages=MSG)).name for _ in range(3)]  # type: ignore[union-attr]
    assert served == ["a", "a", "b"]
    start = time.monotonic()
    with pytest.raises(errors.APITimeoutError, match="deadline"):
        router.completion(model="g", messages=MSG)
    assert 0.25 <= time.monotonic() - start < 1.5
    assert len(servers["a"].requests) == 2 and len(servers["b"].requests) == 1, "nothing sent into a 429"


def test_tpm_is_estimated_then_corrected_from_usage(servers: Servers) -> None:
    router = Router([servers.dep("a", "g", tpm=1000)], retry=RetryPolicy(deadline=0.3))
    router.completion(model="g", messages=[{"role": "user", "content": "x" * 400}], max_tokens=500)
    assert router.stats()[0]["tokens_per_minute"] == 3.0  # the answer's usage replaced the estimate (600)
    # 990 more fits only because the estimate was corrected (600 + 990 would not)
    router.completion(model="g", messages=[{"role": "user", "content": "x" * 3600}], max_tokens=90)
    assert router.stats()[0]["tokens_per_minute"] == 6.0
    with pytest.raises(errors.APITimeoutError, match="deadline"):  # 1000 more does not fit: waits, never sent
        router.completion(model="g", messages=[{"role": "user", "content": "x" * 4000}])
    assert len(servers["a"].requests) == 2


# -- streams ----------------------------------------------------------------------------------------


def test_a_stream_fails_over_before_its_first_chunk(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(503)
    router = Router([servers.dep("a", "p"), servers.dep("b", "f")], fallbacks={"p": ["f"]})
    with router.completion(model="p", messages=MSG, stream=True) as stream:
        assert served_by(stream) is not None and served_by(stream).name == "b"  # type: ignore[union-attr]
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "b.b.b."
    assert router.stats()[1]["in_flight"] == 0


def test_a_stream_broken_after_its_first_chunk_raises_and_never_splices(servers: Servers) -> None:
    servers["a"].handler = lambda r: stream_reply("a", n=5, chunk_delay=0.01, cut=True)
    router = Router([servers.dep("a", "p"), servers.dep("b", "f")], fallbacks={"p": ["f"]})
    got: list[str] = []
    with pytest.raises(errors.APIConnectionError):
        got.extend(c.choices[0].delta.content or "" for c in router.completion(model="p", messages=MSG, stream=True))
    assert set(got) <= {"a", ""} and got and len(servers["b"].requests) == 0
    assert router.stats()[0]["in_flight"] == 0


async def test_async_stream_fails_over_and_reports_its_deployment(servers: Servers) -> None:
    servers["a"].handler = lambda r: Reply(fault="reset")
    router = Router([servers.dep("a", "p"), servers.dep("b", "f")], fallbacks={"p": ["f"]})
    stream = await router.acompletion(model="p", messages=MSG, stream=True)
    parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    assert "".join(parts) == "b.b.b." and served_by(stream).name == "b"  # type: ignore[union-attr]
    assert all(s["in_flight"] == 0 for s in router.stats())


async def test_async_fallback_and_embedding(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(500)
    router = Router([servers.dep("a", "p"), servers.dep("b", "f")], fallbacks={"p": ["f"]})
    assert text(await router.acompletion(model="p", messages=MSG)) == "from b"
    emb = await router.aembedding(model="p", inputs="hello")
    assert emb.data[0].embedding == [1.0] and served_by(emb).name == "b"  # type: ignore[union-attr]
    emb = router.embedding(model="f", inputs=["one", "two"])
    assert served_by(emb).name == "b"  # type: ignore[union-attr]


def test_messages_and_responses_fail_over_too(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(503)
    router = Router([servers.dep("a", "p"), servers.dep("b", "f")], fallbacks={"p": ["f"]})
    message = router.messages(model="p", messages=MSG, max_tokens=10)
    assert served_by(message).name == "b" and "from b" in str(message.content)  # type: ignore[union-attr]
    assert len(servers["a"].requests) == 1


async def test_async_messages_stream_fails_over(servers: Servers) -> None:
    servers["a"].handler = lambda r: Reply(fault="reset")
    router = Router([servers.dep("a", "p"), servers.dep("b", "f")], fallbacks={"p": ["f"]})
    stream = await router.amessages(model="p", messages=MSG, max_tokens=10, stream=True)
    events = [event async for event in stream]
    assert events and served_by(stream).name == "b"  # type: ignore[union-attr]
    assert all(s["in_flight"] == 0 for s in router.stats())


def test_every_completion_parameter_reaches_the_deployment(servers: Servers) -> None:
    router = Router([Deployment(**servers.dep("a", "g"))])
    router.completion(
        model="g", messages=MSG, temperature=0.3, max_tokens=7, stop=["x"], seed=4, user="u", service_tier="flex"
    )
    body = servers["a"].requests[-1].json
    assert body["model"] == "m" and body["temperature"] == 0.3 and body["seed"] == 4
    assert body["stop"] == ["x"] and body["user"] == "u" and body["service_tier"] == "flex"
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 7


# -- RetryPolicy and deadlines without a router ---------------------------------------------------


def test_retry_policy_sets_the_transport_numbers(servers: Servers, sleeps: list[float]) -> None:
    servers["a"].handler = lambda r: error(503)
    client = AnyLLM.create(
        "openai", api_key=KEY, api_base=servers["a"].url, retry=RetryPolicy(3, initial_delay=0.1, jitter=False)
    )
    with pytest.raises(errors.ProviderError):
        client.completion("m", MSG)
    assert len(servers["a"].requests) == 4 and sleeps == [0.1, 0.2, 0.4]
    client.close()


def test_retry_policy_in_client_args(servers: Servers, sleeps: list[float]) -> None:
    servers["a"].handler = lambda r: error(503)
    with pytest.raises(errors.ProviderError):
        completion(
            model="m",
            provider="openai",
            api_key=KEY,
            api_base=servers["a"].url,
            messages=MSG,
            client_args={"retry": RetryPolicy(max_retries=1, initial_delay=0.05, jitter=False)},
        )
    assert len(servers["a"].requests) == 2 and sleeps == [0.05]


def test_retry_policy_is_validated() -> None:
    with pytest.raises(errors.ConfigurationError, match="deadline"):
        RetryPolicy(deadline=0)
    with pytest.raises(errors.ConfigurationError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(errors.ConfigurationError, match="retry"):
        AnyLLM.create("openai", api_key=KEY, retry={"max_retries": 1})


def _consume(call: Callable[[], Any]) -> None:
    result = call()
    if not hasattr(result, "choices"):
        for _ in result:
            pass


async def _aconsume(call: Any) -> None:
    result = await call
    if not hasattr(result, "choices"):
        async for _ in result:
            pass


def _drip(n: int = 400, delay: float = 0.05) -> Reply:
    """A body that trickles in forever: each gap far under the read timeout."""
    return stream_reply("d", n=n, chunk_delay=delay)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_deadline_cuts_a_dripping_server_sync(servers: Servers, stream: bool) -> None:
    servers["a"].handler = lambda r: _drip()
    client = AnyLLM.create("openai", api_key=KEY, api_base=servers["a"].url, retry=RetryPolicy(deadline=0.5))
    start = time.monotonic()
    with pytest.raises(errors.APITimeoutError, match="deadline"):
        _consume(lambda: client.completion("m", MSG, stream=stream))
    assert 0.45 <= time.monotonic() - start < 0.5 + MARGIN
    assert len(servers["a"].requests) == 1
    client.close()


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_deadline_cuts_a_dripping_server_async(servers: Servers, stream: bool) -> None:
    servers["a"].handler = lambda r: _drip()
    start = time.monotonic()
    call = acompletion(
        model="m",
        provider="openai",
        api_key=KEY,
        api_base=servers["a"].url,
        messages=MSG,
        stream=stream,
        client_args={"retry": RetryPolicy(deadline=0.5)},
    )
    with pytest.raises(errors.APITimeoutError, match="deadline"):
        await _aconsume(call)
    assert 0.45 <= time.monotonic() - start < 0.5 + MARGIN


def test_router_deadline_spans_fallbacks(servers: Servers) -> None:
    servers["a"].handler = lambda r: _drip()
    servers["b"].handler = lambda r: _drip()
    router = Router(
        [servers.dep("a", "p"), servers.dep("b", "f")], fallbacks={"p": ["f"]}, retry=RetryPolicy(deadline=0.6)
    )
    start = time.monotonic()
    with pytest.raises(errors.APITimeoutError):
        router.completion(model="p", messages=MSG)
    assert time.monotonic() - start < 0.6 + MARGIN


def test_router_deadline_covers_the_whole_stream(servers: Servers) -> None:
    servers["a"].handler = lambda r: _drip()
    router = Router([servers.dep("a", "p")], retry=RetryPolicy(deadline=0.5))
    start = time.monotonic()
    stream = router.completion(model="p", messages=MSG, stream=True)  # the first chunk is in: no failover
    with pytest.raises(errors.APITimeoutError, match="deadline"):
        _consume(lambda: stream)
    assert 0.45 <= time.monotonic() - start < 0.5 + MARGIN
    assert router.stats()[0]["in_flight"] == 0 and router.stats()[0]["benched_until"] == 0.0


# -- configuration, shortcut, exports --------------------------------------------------------------


def test_configuration_errors(servers: Servers) -> None:
    with pytest.raises(errors.ConfigurationError, match="strategy"):
        Router([servers.dep("a", "g")], strategy="fastest")
    with pytest.raises(errors.ConfigurationError, match="no deployment"):
        Router([servers.dep("a", "g")], fallbacks={"g": ["nowhere"]})
    with pytest.raises(errors.ConfigurationError, match="unknown Deployment fields"):
        Router([{**servers.dep("a", "g"), "wieght": 2}])
    with pytest.raises(errors.ConfigurationError, match="weight"):
        Deployment(group="g", model="openai:m", weight=-1)
    router = Router([servers.dep("a", "g")])
    with pytest.raises(errors.ConfigurationError, match="no group 'x'"):
        router.completion(model="x", messages=MSG)
    assert KEY not in repr(router) and KEY not in repr(router.deployments)


def test_module_level_fallbacks(servers: Servers, sleeps: list[float]) -> None:
    servers["a"].handler = lambda r: error(429, "slow")
    out = completion(
        model="openai:m",
        messages=MSG,
        api_key=KEY,
        api_base=servers["a"].url,
        fallbacks=[{"model": "openai:m2", "api_key": KEY, "api_base": servers["b"].url}],
        temperature=0.1,
    )
    assert text(out) == "from b" and served_by(out).model == "openai:m2"  # type: ignore[union-attr]
    assert servers["b"].requests[-1].json["model"] == "m2" and servers["b"].requests[-1].json["temperature"] == 0.1
    assert len(servers["a"].requests) == 1 and sleeps == []


async def test_module_level_fallbacks_async(servers: Servers) -> None:
    servers["a"].handler = lambda r: error(503)
    out = await acompletion(
        model="m",
        provider="openai",
        messages=MSG,
        api_key=KEY,
        api_base=servers["a"].url,
        fallbacks=[{"model": "openai:m2", "api_key": KEY, "api_base": servers["b"].url}],
    )
    assert text(out) == "from b"


def test_public_exports_are_lazy() -> None:
    assert any_llm.Router is Router and any_llm.Deployment is Deployment and any_llm.RetryPolicy is RetryPolicy
    assert any_llm.FallbacksExhaustedError is errors.FallbacksExhaustedError
    import subprocess
    import sys

    code = "import sys, any_llm; print(any(m.startswith('any_llm.router') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

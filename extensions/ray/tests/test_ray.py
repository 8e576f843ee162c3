"""anyllm-ray on a local Ray instance (2 CPUs) against the echo server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="ray[data] is not installed (nox -s ray installs it)")

# Ray's own helper processes (raylet, GCS, agents) are Popen objects that outlive a test by design.
pytestmark = [
    pytest.mark.filterwarnings("ignore:subprocess .* is still running:ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

from anyllm_ray import LLMProcessor, build_pipeline  # noqa: E402

from any_llm.testing.echo_server import EchoServer, echo_text  # noqa: E402

INIT_ATTEMPTS = int(os.environ.get("ANYLLM_RAY_INIT_ATTEMPTS", "3"))
"""ray.init tries: Ray waits a fixed 30 s for its raylet to register (not configurable), which a machine
shared by many jobs can miss; a second start usually makes it, with the first one's files cached."""


def _start_ray(temp_dir: str) -> None:
    """``ray.init(num_cpus=2)`` made light and patient: no dashboard, a small object store, a short temp path
    (Unix socket paths must stay under 108 bytes), no usage-stats reporting, and retries."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_gcs_rpc_server_reconnect_timeout_s", "120")
    os.environ.setdefault("RAY_gcs_server_request_timeout_seconds", "120")
    last: Exception | None = None
    for attempt in range(1, INIT_ATTEMPTS + 1):
        try:
            ray.init(
                num_cpus=2,
                num_gpus=0,
                include_dashboard=False,
                log_to_driver=False,
                ignore_reinit_error=True,
                object_store_memory=128 * 1024 * 1024,
                _temp_dir=temp_dir,
            )
            return
        except Exception as exc:  # the raylet or GCS did not come up in time
            last = exc
            _stop_helpers()
            if attempt < INIT_ATTEMPTS:
                time.sleep(2.0 * attempt)
    assert last is not None
    raise last


@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    os.environ.setdefault("OPENAI_API_KEY", "sk-ray-test-0123456789")
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    temp_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    started = time.monotonic()
    try:
        _start_ray(temp_dir)
    except Exception as exc:  # a raylet that cannot start (an overloaded machine) is not our bug...
        shutil.rmtree(temp_dir, ignore_errors=True)
        if os.environ.get("ANYLLM_RAY_REQUIRED") == "1":  # ...but nox -s ray (CI) requires it
            raise
        pytest.skip(f"a local Ray instance could not start here after {INIT_ATTEMPTS} tries: {exc}")
    print(f"ray.init took {time.monotonic() - started:.1f} s")
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    yield
    ray.shutdown()
    shutil.rmtree(temp_dir, ignore_errors=True)


def _stop_helpers() -> None:
    """After a failed ``ray.init``: stop the helper processes it did start (ray.shutdown knows no node)."""
    import gc
    import subprocess

    ray.shutdown()
    for proc in [o for o in gc.get_objects() if isinstance(o, subprocess.Popen)]:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def _messages(i: int) -> list[dict[str, Any]]:
    return [{"role": "system", "content": "be brief"}, {"role": "user", "content": f"question {i}"}]


def test_pipeline_from_a_messages_column(ray_local: None) -> None:
    rows = [{"id": i, "messages": _messages(i)} for i in range(120)]
    with EchoServer(burst_every=1.0, burst_length=0.1, reset_rate=0.03, seed=5) as server:
        ds = ray.data.from_items(rows)
        answers = build_pipeline(
            ds, model="openai:gpt-echo", api_base=server.url + "/v1", num_actors=2, batch_size=20, concurrency=8
        )
        out = answers.take_all()
    assert len(out) == 120
    by_id = {r["id"]: r for r in out}
    assert sorted(by_id) == list(range(120))
    for i, row in by_id.items():
        assert row["error"] is None, row["error"]
        assert row["response"] == echo_text(_messages(i))
        assert row["prompt_tokens"] > 0


def test_cluster_rpm_is_split_across_actors_and_errors_stay_in_their_row() -> None:
    proc = LLMProcessor(model="openai:gpt-echo", rpm=600, tpm=6000, num_actors=4, api_base="http://127.0.0.1:9/v1")
    assert proc.limiter.rpm is not None and proc.limiter.tpm is not None
    assert proc.limiter.rpm.interval == pytest.approx(60 / 150)  # 600 rpm over 4 actors
    assert proc.limiter.tpm.interval == pytest.approx(60 / 1500)
    os.environ.setdefault("OPENAI_API_KEY", "sk-ray-test-0123456789")
    proc = LLMProcessor(model="openai:gpt-echo", api_base="http://127.0.0.1:9/v1", max_retries=0)
    out = proc({"messages": [_messages(1)], "id": [1]})  # nothing listens on port 9
    assert list(out["response"]) == [None]
    assert out["error"][0].startswith("APIConnectionError")
    assert out["id"] == [1]


def test_processor_on_numpy_batches_keeps_one_loop_and_limiter_across_batches() -> None:
    """What an actor sees without the cluster: Ray's numpy batches (object arrays of nested arrays)."""
    import numpy as np

    os.environ.setdefault("OPENAI_API_KEY", "sk-ray-test-0123456789")
    with EchoServer(capacity=3, delay=0.02) as server:
        proc = LLMProcessor(model="openai:gpt-echo", api_base=server.url + "/v1", concurrency=8, max_retries=20)
        loop, limiter = proc.loop, proc.limiter
        for start in (0, 10):
            conversations = np.empty(10, dtype=object)
            for j in range(10):
                conversations[j] = np.array(_messages(start + j), dtype=object)
            out = proc({"messages": conversations, "id": np.arange(start, start + 10)})
            assert list(out["response"]) == [echo_text(_messages(i)) for i in range(start, start + 10)]
            assert list(out["error"]) == [None] * 10
            assert list(out["id"]) == list(range(start, start + 10))
            assert out["prompt_tokens"].dtype == np.int64
        assert proc.loop is loop and proc.limiter is limiter
        assert limiter.decreases > 0  # the server's 429s reached the actor's limiter


def test_build_pipeline_wires_map_batches_with_the_cluster_share() -> None:
    """The wiring, checked without a cluster: what build_pipeline asks of Dataset.map_batches."""

    class FakeDataset:
        def map_batches(self, fn: Any, **kwargs: Any) -> dict[str, Any]:
            return {"fn": fn, **kwargs}

    wired = build_pipeline(
        FakeDataset(), model="openai:gpt-echo", num_actors=3, rpm=900, batch_size=10, api_base="http://127.0.0.1:9/v1"
    )
    assert wired["fn"] is LLMProcessor
    assert wired["concurrency"] == 3 and wired["batch_size"] == 10 and wired["batch_format"] == "numpy"
    proc = LLMProcessor(**wired["fn_constructor_kwargs"])
    assert proc.limiter.rpm is not None
    assert proc.limiter.rpm.interval == pytest.approx(60 / 300)  # 900 rpm for the cluster, 300 per actor

"""The callable class for ``Dataset.map_batches`` and the helper that wires it.

Why a class: Ray Data builds one instance per actor and feeds it batch after batch, so what is
expensive to make is made once per actor: the event loop, the pooled connections (core keeps one
httpx client per provider and event loop, so the loop must live as long as the actor), and the
adaptive limiter of :mod:`any_llm.bulk.limits`, which keeps what it learned about the provider's
limits from one batch to the next. A cluster-wide ``rpm``/``tpm`` is split evenly across the
actors (``num_actors``), so together they stay under it.

Each row's call goes through :func:`any_llm.bulk.runner.send_row`, the same retry and backoff as
``python -m any_llm bulk``; a row that still fails gets its error in the ``error`` column instead of
failing the whole dataset.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import numpy as np

from any_llm.bulk.calls import Caller
from any_llm.bulk.limits import Limiter
from any_llm.bulk.runner import DEFAULT_MAX_RETRIES, Outcome, send_row

__all__ = ["LLMProcessor", "build_pipeline"]


def _plain(value: Any) -> Any:
    """Arrow/numpy values (object arrays of dicts, nested ndarrays) back to lists and dicts."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class LLMProcessor:
    """``ds.map_batches(LLMProcessor, fn_constructor_kwargs={...}, concurrency=N)``.

    Reads ``messages_column`` (a list of ``{"role", "content"}`` per row); adds ``output_column``
    (the answer's text), ``output_column + "_json"`` (the whole OpenAI-shaped body), ``error``
    (``"ClassName: message"`` or None), ``prompt_tokens`` and ``completion_tokens``.
    """

    def __init__(
        self,
        *,
        model: str,
        provider: str | None = None,
        api_key: str | None = None,
        api_base: str | None = None,
        client_args: dict[str, Any] | None = None,
        concurrency: int = 16,
        rpm: float | None = None,
        tpm: float | None = None,
        num_actors: int = 1,
        messages_column: str = "messages",
        output_column: str = "response",
        max_retries: int = DEFAULT_MAX_RETRIES,
        request_args: dict[str, Any] | None = None,
    ) -> None:
        share = max(int(num_actors), 1)
        self.model = model
        self.messages_column = messages_column
        self.output_column = output_column
        self.max_retries = max_retries
        self.request_args = dict(request_args or {})
        self.caller = Caller(provider, api_key, api_base, client_args)
        self.limiter = Limiter(concurrency, rpm / share if rpm else None, tpm / share if tpm else None)
        self.loop = asyncio.new_event_loop()

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        messages = [_plain(m) for m in batch[self.messages_column]]
        outcomes = self.loop.run_until_complete(self._run(messages))
        out: dict[str, Any] = dict(batch)  # the input columns go through untouched
        texts: list[str | None] = []
        bodies: list[str | None] = []
        errors_: list[str | None] = []
        prompt: list[int] = []
        completion: list[int] = []
        for outcome in outcomes:
            answer = outcome.answer
            if answer is None:
                texts.append(None)
                bodies.append(None)
                errors_.append(f"{type(outcome.error).__name__}: {outcome.error}")
                prompt.append(0)
                completion.append(0)
                continue
            texts.append(_text(answer.body))
            bodies.append(answer.body)
            errors_.append(None)
            prompt.append(answer.prompt_tokens or 0)
            completion.append(answer.completion_tokens or 0)
        out[self.output_column] = _objects(texts)
        out[self.output_column + "_json"] = _objects(bodies)
        out["error"] = _objects(errors_)
        out["prompt_tokens"] = np.asarray(prompt, dtype=np.int64)
        out["completion_tokens"] = np.asarray(completion, dtype=np.int64)
        return out

    async def _run(self, messages: list[Any]) -> list[Outcome]:
        async def one(conversation: Any) -> Outcome:
            body = {**self.request_args, "model": self.model, "messages": conversation}
            return await send_row(self.caller, self.limiter, "chat", body, self.max_retries)

        return list(await asyncio.gather(*(one(m) for m in messages)))

    def __del__(self) -> None:
        loop = getattr(self, "loop", None)
        if loop is not None and not loop.is_closed() and not loop.is_running():
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())  # closes the pooled httpx clients
            finally:
                loop.close()


def _objects(values: list[str | None]) -> Any:
    """A numpy object column (strings with None where a row has no value), as Ray's numpy batches hold them."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def _text(body_json: str) -> str | None:
    import json

    try:
        content = json.loads(body_json)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return content if isinstance(content, str) else None


def build_pipeline(
    ds: Any,
    *,
    model: str,
    messages_column: str = "messages",
    output_column: str = "response",
    num_actors: int = 2,
    batch_size: int = 64,
    concurrency: int = 16,
    rpm: float | None = None,
    tpm: float | None = None,
    num_cpus: float = 0.5,
    **processor_args: Any,
) -> Any:
    """``ds`` with the answer columns added: ``num_actors`` actors, each ``concurrency`` requests in flight.

    ``rpm``/``tpm`` are for the whole cluster (split across the actors). ``num_cpus`` per actor is
    small by default: an actor mostly waits on the network. Other keywords (``provider``,
    ``api_base``, ``api_key``, ``client_args``, ``request_args``, ``max_retries``) go to :class:`LLMProcessor`.
    """
    return ds.map_batches(
        LLMProcessor,
        fn_constructor_kwargs={
            "model": model,
            "messages_column": messages_column,
            "output_column": output_column,
            "concurrency": concurrency,
            "rpm": rpm,
            "tpm": tpm,
            "num_actors": num_actors,
            **processor_args,
        },
        batch_size=batch_size,
        concurrency=num_actors,
        num_cpus=num_cpus,
        batch_format="numpy",
    )

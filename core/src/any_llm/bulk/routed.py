"""Rows through a :class:`~any_llm.router.Router`: ``body.model`` names a router group, not a provider.

``python -m any_llm bulk rows.jsonl -o out.jsonl --router router.json`` (or ``bulk.run(..., router=...)``)
sends each row to its group's deployments with the router's load balancing, per-deployment limits,
cooldowns and fallbacks (see :mod:`any_llm.router.config` for the file). The job's own adaptive
limiter still sits in front: a row the router could not serve anywhere comes back as the router's
typed error (``FallbacksExhaustedError`` naming each deployment's failure) and is written as a
failed row. The router answers parsed objects, not raw responses, so ``x-ratelimit-*`` headers do
not reach the job's limiter here: the router's deployments keep their own rpm/tpm and cooldowns.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from any_llm import errors
from any_llm.bulk.calls import Answer, Caller, completion_json

if TYPE_CHECKING:
    from any_llm.router.routing import Router

__all__ = ["RouterCaller", "as_router"]


def as_router(router: Router | str | os.PathLike[str]) -> Router:
    """A Router, or one built from a config file path."""
    from any_llm.router.routing import Router

    if isinstance(router, Router):
        return router
    if isinstance(router, (str, os.PathLike)):
        from any_llm.router.config import load_router

        return load_router(router)
    raise errors.ConfigurationError(
        f"router must be an any_llm.Router or the path of a router config file, got {type(router).__name__}"
    )


class RouterCaller(Caller):
    """A :class:`~any_llm.bulk.calls.Caller` whose rows go through ``router`` (same answers, no headers)."""

    def __init__(self, router: Router) -> None:
        super().__init__()
        self.router = router

    @staticmethod
    def _group(args: dict[str, Any]) -> str:
        group = args.pop("model", None)
        if not isinstance(group, str) or not group:
            raise errors.ConfigurationError(f"body.model must name a router group, got {group!r}")
        if args.pop("stream", None):
            raise errors.ConfigurationError(
                'body.stream is true: bulk rows are answered whole; remove "stream" from the row'
            )
        return group

    async def _chat(self, body: Mapping[str, Any]) -> Answer:
        args = dict(body)
        group = self._group(args)
        messages = args.pop("messages", None)
        args.setdefault("reasoning_effort", "auto")
        completion = await self.router.acompletion(group, messages, **args)
        usage = completion.usage
        return Answer(
            completion_json(completion),
            200,
            None,
            {},
            usage.prompt_tokens if usage is not None else None,
            usage.completion_tokens if usage is not None else None,
        )

    async def _responses(self, body: Mapping[str, Any]) -> Answer:
        args = dict(body)
        group = self._group(args)
        result = await self.router.aresponses(group, args.pop("input", None), **args)
        usage = result.usage
        return Answer(
            result.model_dump_json(exclude_none=True),
            200,
            None,
            {},
            usage.input_tokens if usage is not None else None,
            usage.output_tokens if usage is not None else None,
        )

    async def _embeddings(self, body: Mapping[str, Any]) -> Answer:
        args = dict(body)
        group = self._group(args)
        result = await self.router.aembedding(group, args.pop("input", None), **args)
        return Answer(result.model_dump_json(exclude_none=True), 200, None, {}, result.usage.prompt_tokens, 0)

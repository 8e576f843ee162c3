"""Route calls over many deployments: fallbacks across providers, load balancing, cooldowns, limits.

    from any_llm import Router

    router = Router(
        [
            {"group": "smart", "model": "openai:gpt-4.1", "weight": 3},
            {"group": "smart", "model": "azureopenai:gpt-4.1", "api_base": "https://...", "weight": 1},
            {"group": "backup", "model": "anthropic:claude-sonnet-4-5"},
        ],
        fallbacks={"smart": ["backup"]},
    )
    answer = router.completion(model="smart", messages=[{"role": "user", "content": "Hi"}])
    served_by(answer).name   # which deployment answered

Modules: :mod:`.deployment` (configuration), :mod:`.strategies` (who goes first),
:mod:`.state` (per-deployment counters, limits and the circuit breaker), :mod:`.streams`
(streams that report back when they end), :mod:`.routing` (the Router and the error table).
"""

from __future__ import annotations

from any_llm.router.deployment import Cooldown, Deployment
from any_llm.router.routing import MOVE_ON, Router, served_by

__all__ = ["MOVE_ON", "Cooldown", "Deployment", "Router", "served_by"]

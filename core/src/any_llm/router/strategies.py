"""The order in which a group's deployments are tried, per strategy.

Each strategy returns the whole order, not one pick: the first is the choice, the rest are where the
call goes if that one fails. Ties are broken at random so equal deployments share the load.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from any_llm.router.state import DeploymentState

__all__ = ["STRATEGIES", "order"]

STRATEGIES = ("weighted", "least-busy", "lowest-latency", "usage-based")


def order(
    states: Sequence[DeploymentState],
    strategy: str,
    now: float,
    rand: Callable[[], float] = random.random,
) -> list[DeploymentState]:
    """``states`` in the order to try them.

    - ``weighted``: the first is drawn with probability weight / total (weighted sampling without
      replacement, by the keys ``u ** (1 / weight)``); weight 0 goes last.
    - ``least-busy``: fewest requests in flight first.
    - ``lowest-latency``: lowest moving average of latency first (not yet measured counts as 0, so
      a new deployment gets tried).
    - ``usage-based``: fewest tokens in the last minute first, relative to its tpm when it has one.
    """
    if len(states) == 1:
        return [states[0]]
    if strategy == "weighted":
        keyed = []
        for s in states:
            w = s.deployment.weight
            keyed.append(((rand() ** (1.0 / w)) if w > 0 else -1.0, s))
        keyed.sort(key=lambda pair: pair[0], reverse=True)
        return [s for _, s in keyed]
    if strategy == "least-busy":
        return [s for _, _, s in sorted(((s.in_flight, rand(), s) for s in states), key=lambda t: t[:2])]
    if strategy == "lowest-latency":
        return [s for _, _, s in sorted(((s.latency or 0.0, rand(), s) for s in states), key=lambda t: t[:2])]

    # usage-based
    def load(s: DeploymentState) -> float:
        used = s.tokens_per_minute(now)
        tpm = s.deployment.tpm
        return used / tpm if tpm else used

    return [s for _, _, s in sorted(((load(s), rand(), s) for s in states), key=lambda t: t[:2])]

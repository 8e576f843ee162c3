"""Alias of :mod:`any_llm.errors` under any-llm's module name, so ``from any_llm.exceptions import ...`` works."""

from any_llm.errors import *  # noqa: F403
from any_llm.errors import __all__ as __all__

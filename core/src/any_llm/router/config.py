"""A :class:`~any_llm.router.Router` from a file: ``load_router("router.json")``, ``python -m any_llm bulk --router``.

The file holds the Router's arguments as data::

    {
      "deployments": [
        {"group": "smart", "model": "openai:gpt-4.1-mini", "api_key_env": "OPENAI_API_KEY", "weight": 3},
        {"group": "smart", "model": "mistral:mistral-small-latest", "rpm": 600},
        {"group": "backup", "model": "anthropic:claude-haiku-4-5"}
      ],
      "fallbacks": {"smart": ["backup"]},
      "strategy": "weighted",
      "cooldown": {"allowed_fails": 3, "window": 60, "duration": 30},
      "retry": {"max_retries": 2}
    }

Formats, by extension: JSON (``.json``) always; TOML (``.toml``, ``[[deployments]]`` tables) with the
standard library's ``tomllib`` on Python 3.11+ or the ``tomli`` package on 3.10; YAML (``.yaml``/``.yml``)
when PyYAML is installed. Core's runtime dependencies stay httpx, pydantic and pluggy.

Keys do not belong in such a file: ``api_key_env`` names the environment variable that holds a
deployment's key (read when the file is loaded; an error names the variable, never a value). Without
it, each provider's own variable applies, as for ``completion()``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from any_llm import errors

if TYPE_CHECKING:
    from any_llm.router.routing import Router

__all__ = ["load_router", "read_router_config", "router_from_config"]

_FALLBACKS = ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks")
_TOP = frozenset({"deployments", *_FALLBACKS, "strategy", "cooldown", "retry"})


def read_router_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The file's data (a dict), parsed by the format its extension names."""
    file = Path(path)
    if not file.is_file():
        raise errors.ConfigurationError(f"router config {file} does not exist")
    suffix = file.suffix.lower()
    data: Any
    if suffix == ".json":
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise errors.ConfigurationError(f"router config {file} is not valid JSON: {exc}") from None
    elif suffix == ".toml":
        data = _toml(file)
    elif suffix in (".yaml", ".yml"):
        data = _yaml(file)
    else:
        raise errors.ConfigurationError(
            f"router config {file}: unknown format {suffix or '(no extension)'}; use .json, .toml or .yaml"
        )
    if not isinstance(data, dict):
        raise errors.ConfigurationError(f"router config {file} must hold an object with a 'deployments' list")
    return data


def _toml_loads() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads
    try:
        import tomli  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return tomli.loads


def _toml(file: Path) -> Any:
    loads = _toml_loads()
    if loads is None:
        raise errors.ConfigurationError(
            f"router config {file}: reading TOML needs Python 3.11+ (tomllib) or `pip install tomli`; "
            "or write the same data as JSON"
        )
    try:
        return loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise errors.ConfigurationError(f"router config {file} is not valid TOML: {exc}") from None


def _yaml(file: Path) -> Any:
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise errors.ConfigurationError(
            f"router config {file}: reading YAML needs PyYAML (`pip install pyyaml`); or write the same data as JSON"
        ) from None
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise errors.ConfigurationError(f"router config {file} is not valid YAML: {exc}") from None


def _deployment(item: Any, number: int, where: str) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise errors.ConfigurationError(f"{where}: deployments[{number}] must be an object")
    dep = dict(item)
    env = dep.pop("api_key_env", None)
    if env is not None:
        if "api_key" in dep:
            raise errors.ConfigurationError(f"{where}: deployments[{number}] has both api_key and api_key_env")
        if not isinstance(env, str) or not os.environ.get(env):
            raise errors.ConfigurationError(
                f"{where}: deployments[{number}] reads its key from ${env}, which is not set; export it"
            )
        dep["api_key"] = os.environ[env]
    return dep


def router_from_config(data: Mapping[str, Any], where: str = "router config") -> Router:
    """A Router from already-parsed config data (the file's shape)."""
    from any_llm.retry import RetryPolicy
    from any_llm.router.deployment import Cooldown
    from any_llm.router.routing import Router

    unknown = sorted(set(data) - _TOP)
    if unknown:
        accepted = ", ".join(sorted(_TOP))
        raise errors.ConfigurationError(f"{where}: unknown keys {', '.join(unknown)}; accepted: {accepted}")
    raw = data.get("deployments")
    if not isinstance(raw, list) or not raw:
        raise errors.ConfigurationError(f"{where} needs a non-empty 'deployments' list")
    deployments = [_deployment(item, n, where) for n, item in enumerate(raw)]
    kwargs: dict[str, Any] = {}
    for name in _FALLBACKS:
        if data.get(name) is not None:
            kwargs[name] = data[name]
    if data.get("strategy") is not None:
        kwargs["strategy"] = data["strategy"]
    cooldown = data.get("cooldown")
    if isinstance(cooldown, Mapping):
        kwargs["cooldown"] = _build(Cooldown, cooldown, where, "cooldown")
    elif cooldown is not None:
        kwargs["cooldown"] = cooldown
    retry = data.get("retry")
    if retry is not None:
        if not isinstance(retry, Mapping):
            raise errors.ConfigurationError(f"{where}: retry must be an object of RetryPolicy fields")
        kwargs["retry"] = _build(RetryPolicy, retry, where, "retry")
    return Router(deployments, **kwargs)


def _build(cls: Any, values: Mapping[str, Any], where: str, what: str) -> Any:
    try:
        return cls(**values)
    except TypeError as exc:
        raise errors.ConfigurationError(f"{where}: {what}: {exc}") from None


def load_router(path: str | os.PathLike[str]) -> Router:
    """Read a router config file (JSON, TOML, YAML) and build its :class:`~any_llm.router.Router`."""
    return router_from_config(read_router_config(path), str(path))

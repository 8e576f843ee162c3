"""Reading the input: OpenAI batch JSONL lines (``custom_id``, ``method``, ``url``, ``body``), streamed.

``requests`` may be a path (read line by line, never whole), or any iterable of lines (str or bytes)
or of already-parsed dicts. A line without a usable ``custom_id`` stops the job with its line
number: the output could not say which input it answers. A line with a custom_id but a bad method,
url or body becomes a failed row (``ConfigurationError``), like any other failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from any_llm import errors
from any_llm.bulk.calls import FAMILIES

__all__ = ["Row", "count_rows", "iter_rows"]

Requests = str | os.PathLike[str] | Iterable[str | bytes | Mapping[str, Any]]


@dataclass
class Row:
    number: int
    """1-based position in the input (blank lines counted), for messages."""
    custom_id: str
    family: str | None
    body: Mapping[str, Any]
    problem: str | None = None
    """Why this row cannot be sent (it is then written as failed without a request)."""


def _source(requests: Requests) -> Iterator[str | bytes | Mapping[str, Any]]:
    if isinstance(requests, (str, os.PathLike)):
        path = Path(requests)
        if not path.is_file():
            raise errors.ConfigurationError(f"input file {path} does not exist (give a JSONL file of batch requests)")
        with open(path, "rb") as f:
            yield from f
    elif isinstance(requests, (bytes, Mapping)):
        raise errors.ConfigurationError(
            "requests must be a path or an iterable of lines/dicts, not a single "
            f"{type(requests).__name__}; wrap one request in a list"
        )
    else:
        yield from requests


def iter_rows(requests: Requests) -> Iterator[Row]:
    for number, item in enumerate(_source(requests), 1):
        if isinstance(item, Mapping):
            obj: Any = item
        else:
            if not item.strip():
                continue
            try:
                obj = json.loads(item)
            except ValueError as exc:
                raise errors.ConfigurationError(f"input line {number} is not JSON ({exc}); fix or remove it") from None
        if not isinstance(obj, Mapping):
            raise errors.ConfigurationError(f"input line {number} is not a JSON object; fix or remove it")
        custom_id = obj.get("custom_id")
        if not isinstance(custom_id, str) or not custom_id:
            raise errors.ConfigurationError(
                f'input line {number} has no "custom_id" string: every row needs a unique one, so that its '
                "answer can be found in the output"
            )
        yield _check(number, custom_id, obj)


def _check(number: int, custom_id: str, obj: Mapping[str, Any]) -> Row:
    method = obj.get("method", "POST")
    url = obj.get("url")
    body = obj.get("body")
    family = FAMILIES.get(url) if isinstance(url, str) else None
    problem = None
    if isinstance(method, str) and method.upper() != "POST":
        problem = f'method must be "POST", got {method!r}'
    elif family is None:
        problem = f"url must be one of {', '.join(FAMILIES)}, got {url!r}"
    elif not isinstance(body, Mapping):
        problem = "body must be a JSON object holding the request (model, messages or input, ...)"
    return Row(number, custom_id, family, body if isinstance(body, Mapping) else {}, problem)


def count_rows(requests: Requests) -> int | None:
    """How many rows, when cheap to know without holding them: a file (one streamed pass), a sized collection."""
    if isinstance(requests, (str, os.PathLike)):
        path = Path(requests)
        if not path.is_file():
            return None
        count = 0
        with open(path, "rb") as f:
            for line in f:
                if line.strip():
                    count += 1
        return count
    if hasattr(requests, "__len__"):
        try:
            return len(requests)  # type: ignore[arg-type]
        except TypeError:
            return None
    return None

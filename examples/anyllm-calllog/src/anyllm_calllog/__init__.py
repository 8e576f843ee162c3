"""anyllm-calllog: every anyllm call as one row in a SQLite file.

An anyllm call-hook plugin (``anyllm_hooks`` entry point): installed, it logs. Each finished call (a
response, a stream's end, or an error) becomes a row: when, provider, model, operation, streamed or not,
latency, time to first chunk, attempts, status, request id, input/output/cached tokens, cost in USD, the
error class. Never the API key (anyllm never hands it to hooks); message content only when asked.

The hooks only put a small record on a queue; a background thread writes it (and computes the cost, which
loads the price data once), so a call never waits for the disk. :func:`flush` waits for the queue; it also
runs at interpreter exit.

Settings, from the environment (or :func:`configure`):

- ``ANYLLM_CALLLOG_PATH``: the database file (default ``~/.local/share/anyllm/calllog.sqlite3``, or under
  ``$XDG_DATA_HOME``).
- ``ANYLLM_CALLLOG_CONTENT=1``: also store the request messages and the output text.
- ``ANYLLM_CALLLOG_DISABLE=1``: log nothing.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from any_llm import hookimpl

if TYPE_CHECKING:
    from any_llm.callhooks import CallInfo

__all__ = ["SCHEMA", "Settings", "configure", "default_path", "flush", "settings"]
__version__ = "0.1.0"

logger = logging.getLogger("anyllm_calllog")

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,          -- ISO 8601, UTC
    provider TEXT NOT NULL,
    model TEXT NOT NULL,               -- as requested
    response_model TEXT,               -- as the provider reported it
    operation TEXT NOT NULL,           -- chat, embeddings, list_models
    stream INTEGER NOT NULL,
    completed INTEGER NOT NULL,        -- 0: failed, or a stream closed early
    latency_ms REAL,
    first_chunk_ms REAL,
    attempts INTEGER NOT NULL,
    status_code INTEGER,
    request_id TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cached_tokens INTEGER,
    cost_usd TEXT,                     -- a decimal string; NULL when the price is unknown
    error_type TEXT,                   -- the anyllm error class, e.g. RateLimitError
    messages TEXT,                     -- JSON, only with content logging on
    output TEXT                        -- only with content logging on
);
CREATE INDEX IF NOT EXISTS calls_started_at ON calls (started_at);
"""


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "anyllm" / "calllog.sqlite3"


@dataclass
class Settings:
    path: Path
    content: bool = False
    enabled: bool = True

    @classmethod
    def from_env(cls) -> Settings:
        raw = os.environ.get("ANYLLM_CALLLOG_PATH")
        return cls(
            path=Path(raw).expanduser() if raw else default_path(),
            content=os.environ.get("ANYLLM_CALLLOG_CONTENT", "").lower() in ("1", "true", "yes"),
            enabled=os.environ.get("ANYLLM_CALLLOG_DISABLE", "").lower() not in ("1", "true", "yes"),
        )


settings = Settings.from_env()


def configure(path: str | os.PathLike[str] | None = None, content: bool | None = None, enabled: bool = True) -> None:
    """Change where and what is logged (calls already queued go to the old file)."""
    flush()
    if path is not None:
        settings.path = Path(path)
    if content is not None:
        settings.content = content
    settings.enabled = enabled


# -- the hooks: build a record, queue it ----------------------------------------------------------------


@hookimpl
def anyllm_call_start(call: CallInfo) -> None:
    if settings.enabled and settings.content and call.stream:
        call.output_parts = []  # anyllm collects the streamed text for us: no per-chunk hook


@hookimpl
def anyllm_call_response(call: CallInfo) -> None:
    _queue(call)


@hookimpl
def anyllm_stream_end(call: CallInfo) -> None:
    _queue(call)


@hookimpl
def anyllm_call_error(call: CallInfo) -> None:
    _queue(call)


def _queue(call: CallInfo) -> None:
    if not settings.enabled:
        return
    usage = call.usage
    details = getattr(usage, "prompt_tokens_details", None)
    row: dict[str, Any] = {
        "started_at": datetime.fromtimestamp(call.started_at, timezone.utc).isoformat(),
        "provider": call.provider,
        "model": call.model,
        "response_model": call.response_model,
        "operation": call.operation,
        "stream": int(call.stream),
        "completed": int(call.completed and call.error is None),
        "latency_ms": None if call.duration is None else call.duration * 1000,
        "first_chunk_ms": None if call.time_to_first_chunk is None else call.time_to_first_chunk * 1000,
        "attempts": call.attempts,
        "status_code": call.status_code,
        "request_id": call.request_id,
        "input_tokens": getattr(usage, "prompt_tokens", None),
        "output_tokens": getattr(usage, "completion_tokens", None),
        "cached_tokens": getattr(details, "cached_tokens", None),
        "error_type": call.error_type,
        "messages": None,
        "output": None,
    }
    if settings.content:
        row["messages"] = json.dumps(call.messages, ensure_ascii=False, default=str)
        row["output"] = call.output_text
    _writer.put((settings.path, row, usage))


# -- the writer thread ------------------------------------------------------------------------------------


class _Writer:
    """One daemon thread owning the SQLite connections; hooks only enqueue."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[Path, dict[str, Any], Any] | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.connections: dict[Path, sqlite3.Connection] = {}

    def put(self, item: tuple[Path, dict[str, Any], Any]) -> None:
        if self.thread is None:
            with self.lock:
                if self.thread is None:
                    self.thread = threading.Thread(target=self.run, name="anyllm-calllog", daemon=True)
                    self.thread.start()
        self.queue.put(item)

    def run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is not None:
                    self.write(*item)
            except Exception:
                logger.warning("anyllm-calllog could not write a call record", exc_info=True)
            finally:
                self.queue.task_done()

    def write(self, path: Path, row: dict[str, Any], usage: Any) -> None:
        row["cost_usd"] = _cost(row, usage)
        db = self.connections.get(path)
        if db is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = self.connections[path] = sqlite3.connect(path, check_same_thread=False)
            db.executescript(SCHEMA)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with db:
            db.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", list(row.values()))

    def flush(self) -> None:
        if self.thread is not None:
            self.queue.join()


def _cost(row: dict[str, Any], usage: Any) -> str | None:
    if usage is None or row["error_type"] is not None:
        return None
    from any_llm import cost

    priced = cost(usage, row["provider"], model=row["response_model"] or row["model"])
    if priced is None and row["response_model"]:
        priced = cost(usage, row["provider"], model=row["model"])
    return None if priced is None else str(priced.total)


_writer = _Writer()


def flush() -> None:
    """Wait until every queued call is written."""
    _writer.flush()


atexit.register(flush)

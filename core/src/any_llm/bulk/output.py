"""The output file is the checkpoint: whole lines, appended, and read back on resume.

Why this is safe against ``kill -9`` at any moment:

- every finished row is written at once, as one ``os.write`` of one whole line, to a file opened
  with ``O_APPEND``. Bytes handed to the kernel survive the death of the process (they are in the
  page cache), so a killed job loses only rows that were still in flight; those are sent again.
- a write can still be cut short: Linux checks for a fatal signal between pages of a large write,
  and a machine crash can drop the tail. So on resume everything after the last newline is
  truncated away, and every remaining line must parse (otherwise we stop and say which line).
- ``fsync`` runs at most once per ``fsync_interval`` seconds and when the job ends: it only matters
  for power loss or an OS crash (the page cache already survives the process), where it bounds
  the work to redo to about that interval; syncing every line would cost a disk flush per row.
- failed rows go to the output too (one line per input line, as the batch format has it), and a
  copy to the errors file. On resume the errors file is rebuilt from the output, so the two never
  disagree whatever moment the kill hit.

The ids already done are kept as sorted 64-bit hashes (8 bytes a row, a million rows in 8 MB),
never as the rows themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Any

from any_llm import errors

__all__ = ["DoneSet", "OutputFile", "error_line", "ok_line"]

_PREFIX = b'{"id":"batch_req_'
_CUSTOM = b'","custom_id":'
_OK_TAIL = b',"error":null}'
_READ_CHUNK = 1 << 20


def _hash(custom_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(custom_id.encode(), digest_size=8).digest(), "little")


class DoneSet:
    """custom_ids already in the output, as a sorted array of 64-bit hashes (bisect lookups)."""

    def __init__(self, hashes: array[int] | None = None) -> None:
        self._sorted = array("Q", sorted(hashes or ()))

    def __len__(self) -> int:
        return len(self._sorted)

    def __contains__(self, custom_id: object) -> bool:
        if not isinstance(custom_id, str) or not self._sorted:
            return False
        h = _hash(custom_id)
        i = bisect_left(self._sorted, h)
        return i < len(self._sorted) and self._sorted[i] == h


def _new_id() -> str:
    return "batch_req_" + uuid.uuid4().hex


def ok_line(custom_id: str, status_code: int, request_id: str | None, body_json: str) -> bytes:
    """One output line of the OpenAI batch format; ``body_json`` is spliced in, not re-encoded."""
    return (
        f'{{"id":"{_new_id()}","custom_id":{json.dumps(custom_id, ensure_ascii=False)},'
        f'"response":{{"status_code":{status_code},"request_id":{json.dumps(request_id)},"body":{body_json}}},'
        '"error":null}\n'
    ).encode()


def error_line(custom_id: str, exc: BaseException) -> bytes:
    """A failed row: the typed error's class name as ``code`` and its (redacted) message; never a key."""
    code = type(exc).__name__
    message = str(exc) if isinstance(exc, errors.AnyLLMError) else errors.redact(str(exc))
    status = getattr(exc, "status_code", None)
    response: dict[str, Any] | None = None
    if isinstance(status, int):
        response = {
            "status_code": status,
            "request_id": getattr(exc, "request_id", None),
            "body": {"error": {"message": message, "type": code}},
        }
    line = {
        "id": _new_id(),
        "custom_id": custom_id,
        "response": response,
        "error": {"code": code, "message": message},
    }
    return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _parse_line(line: bytes, number: int, path: Path) -> tuple[str, bool]:
    """(custom_id, failed) of one complete output line; fast path for the lines we write ourselves."""
    if line.startswith(_PREFIX):
        at = line.find(_CUSTOM, len(_PREFIX))
        if at > 0:
            try:
                text = line[at + len(_CUSTOM) :].decode()
                custom_id, _ = json.JSONDecoder().raw_decode(text)
                if isinstance(custom_id, str):
                    return custom_id, not line.rstrip().endswith(_OK_TAIL)
            except (UnicodeDecodeError, ValueError):
                pass
    try:
        obj = json.loads(line)
    except ValueError:
        obj = None
    if not isinstance(obj, dict) or not isinstance(obj.get("custom_id"), str):
        raise errors.ConfigurationError(
            f"line {number} of {path} is not a batch output line with a custom_id: the file was not written by "
            "any_llm.bulk or was edited. Fix or delete that line, or choose another output path."
        )
    return obj["custom_id"], obj.get("error") is not None


class OutputFile:
    """Appends whole lines to the output (and failed ones to the errors file), resuming what is there."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        errors_path: str | os.PathLike[str] | None = None,
        fsync_interval: float = 1.0,
        retry_failed: bool = False,
    ) -> None:
        self.path = Path(path)
        self.errors_path = Path(errors_path) if errors_path is not None else default_errors_path(self.path)
        self.fsync_interval = fsync_interval
        self.resumed_ok = 0
        self.resumed_failed = 0
        self.dropped_failed = 0
        self.done = self._recover()
        if retry_failed and self.resumed_failed:
            self.done = self._drop_failed()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._err_fd = os.open(self.errors_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._last_sync = time.monotonic()
        self._dirty = False

    def _recover(self) -> DoneSet:
        """Truncate a partial last line, collect the done ids, rebuild the errors file from the output."""
        if not self.path.exists():
            self.errors_path.unlink(missing_ok=True)
            return DoneSet()
        hashes: array[int] = array("Q")
        tmp = self.errors_path.with_name(self.errors_path.name + ".tmp")
        good_end = 0
        number = 0
        with open(self.path, "rb") as src, open(tmp, "wb") as err_out:
            for line in src:
                if not line.endswith(b"\n"):
                    break  # a half-written last line: dropped, that row runs again
                number += 1
                if line.strip():
                    custom_id, failed = _parse_line(line, number, self.path)
                    hashes.append(_hash(custom_id))
                    if failed:
                        err_out.write(line)
                        self.resumed_failed += 1
                    else:
                        self.resumed_ok += 1
                good_end += len(line)
            err_out.flush()
            os.fsync(err_out.fileno())
        if good_end != self.path.stat().st_size:
            with open(self.path, "r+b") as f:
                f.truncate(good_end)
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, self.errors_path)
        return DoneSet(hashes)

    def _drop_failed(self) -> DoneSet:
        """Rewrite the output without its failed rows, so that they run again (``retry_failed``).

        Written to a temporary file and renamed over the output: a kill at any moment leaves either the
        old output or the new one, whole.
        """
        hashes: array[int] = array("Q")
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(self.path, "rb") as src, open(tmp, "wb") as dst:
            for number, line in enumerate(src, 1):
                if not line.strip():
                    continue
                custom_id, failed = _parse_line(line, number, self.path)
                if failed:
                    self.dropped_failed += 1
                    continue
                dst.write(line)
                hashes.append(_hash(custom_id))
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, self.path)
        self.errors_path.write_bytes(b"")
        self.resumed_failed = 0
        return DoneSet(hashes)

    def write(self, line: bytes, failed: bool = False) -> None:
        _write_all(self._fd, line)
        if failed:
            _write_all(self._err_fd, line)
        self._dirty = True
        if self.fsync_interval >= 0 and time.monotonic() - self._last_sync >= self.fsync_interval:
            self.sync()

    def sync(self) -> None:
        if self._dirty:
            os.fsync(self._fd)
            os.fsync(self._err_fd)
            self._dirty = False
        self._last_sync = time.monotonic()

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            self.sync()
        finally:
            os.close(self._fd)
            os.close(self._err_fd)
            self._fd = self._err_fd = -1


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def default_errors_path(output: Path) -> Path:
    """``out.jsonl`` → ``out.errors.jsonl`` (next to the output)."""
    suffix = output.suffix
    stem = output.name[: -len(suffix)] if suffix else output.name
    return output.with_name(f"{stem}.errors{suffix or '.jsonl'}")

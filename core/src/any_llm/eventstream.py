"""AWS event-stream framing (``application/vnd.amazon.eventstream``), decoded incrementally.

Bedrock's ConverseStream and SageMaker's InvokeEndpointWithResponseStream answer in binary frames
instead of SSE. Each message is::

    total length (u32) | headers length (u32) | prelude CRC32 (u32)   <- the 12-byte prelude
    headers: name length (u8), name, value type (u8), value           <- repeated
    payload                                                           <- total - headers - 16 bytes
    message CRC32 (u32) over everything before it

Both CRCs are checked: a flipped bit or a forged frame is a typed
:class:`~any_llm.errors.ResponseValidationError`, never a garbled event; a body ending inside a
message is a cut stream (:class:`~any_llm.errors.APIConnectionError`). :class:`EventStreamDecoder`
is fed bytes as they arrive, like the SSE and NDJSON decoders, and returns one
:class:`~any_llm.provider.StreamEvent` per complete message: ``data`` is the payload, ``event`` the
``:event-type`` (or ``:exception-type`` / ``:error-code`` for an exception or error message), and
``headers`` all the headers (``:message-type`` is ``event``, ``exception`` or ``error``).
:func:`encode_message` builds frames, for test servers and for third parties.
"""

from __future__ import annotations

import struct
import uuid
from binascii import crc32
from typing import Any

from any_llm import errors
from any_llm.provider import StreamEvent

__all__ = ["MAX_HEADERS_LENGTH", "MAX_PAYLOAD_LENGTH", "EventStreamDecoder", "encode_message"]

PRELUDE_LENGTH = 12
MAX_HEADERS_LENGTH = 128 * 1024
"""AWS's own limits (botocore enforces the same): a larger claim is a broken frame, not a reason to buffer."""
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024
_MIN_TOTAL = PRELUDE_LENGTH + 4
_U32 = struct.Struct(">I")
_PRELUDE = struct.Struct(">III")

# header value types: (fixed size, struct format) for fixed-size ones
_FIXED: dict[int, tuple[int, str]] = {2: (1, ">b"), 3: (2, ">h"), 4: (4, ">i"), 5: (8, ">q"), 8: (8, ">q")}


class EventStreamDecoder:
    """Binary event-stream messages, fed bytes incrementally; every frame's CRCs are verified."""

    __slots__ = ("_buf", "_need", "provider")

    def __init__(self, provider: str = "") -> None:
        self._buf = bytearray()
        self._need = 0
        """Total length of the message being collected (0: its prelude has not arrived yet)."""
        self.provider = provider

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        buf = self._buf
        buf += chunk
        out: list[StreamEvent] = []
        while True:
            if not self._need:
                if len(buf) < PRELUDE_LENGTH:
                    return out
                self._need = self._prelude(bytes(buf[:PRELUDE_LENGTH]))
            if len(buf) < self._need:
                return out
            frame = bytes(buf[: self._need])
            del buf[: self._need]
            self._need = 0
            out.append(self._message(frame))

    def flush(self) -> list[StreamEvent]:
        """End of body: bytes of an unfinished message mean the stream was cut (a transfer that stopped
        early, as core reports every cut stream), not a corrupt one (that is a checksum mismatch)."""
        if self._buf:
            size = len(self._buf)
            self._buf.clear()
            self._need = 0
            raise errors.APIConnectionError(
                f"{self.provider or 'the provider'} stream ended inside an event-stream message ({size} bytes of it "
                "arrived): the connection was cut or the server failed",
                provider=self.provider or None,
            )
        return []

    # -- frames ---------------------------------------------------------------------------------

    def _prelude(self, prelude: bytes) -> int:
        total, headers_len, prelude_crc = _PRELUDE.unpack(prelude)
        if crc32(prelude[:8]) != prelude_crc:
            raise self._error("an event-stream message has a bad prelude checksum (corrupted or not an event stream)")
        if headers_len > MAX_HEADERS_LENGTH:
            raise self._error(
                f"an event-stream message declares {headers_len} bytes of headers (limit {MAX_HEADERS_LENGTH})"
            )
        payload_len = total - headers_len - _MIN_TOTAL
        if payload_len < 0:
            raise self._error(f"an event-stream message declares a length ({total}) shorter than its headers")
        if payload_len > MAX_PAYLOAD_LENGTH:
            raise self._error(
                f"an event-stream message declares a {payload_len}-byte payload (limit {MAX_PAYLOAD_LENGTH})"
            )
        return int(total)

    def _message(self, frame: bytes) -> StreamEvent:
        (message_crc,) = _U32.unpack_from(frame, len(frame) - 4)
        if crc32(memoryview(frame)[:-4]) != message_crc:
            raise self._error("an event-stream message has a bad checksum (corrupted in transit)")
        (headers_len,) = _U32.unpack_from(frame, 4)
        headers = self._headers(frame, PRELUDE_LENGTH, PRELUDE_LENGTH + headers_len)
        payload = frame[PRELUDE_LENGTH + headers_len : -4]
        kind = headers.get(":message-type", "event")
        if kind == "exception":
            name = headers.get(":exception-type")
        elif kind == "error":
            name = headers.get(":error-code")
        else:
            name = headers.get(":event-type")
        return StreamEvent(payload, name if isinstance(name, str) else None, headers)

    def _headers(self, frame: bytes, pos: int, end: int) -> dict[str, Any]:
        headers: dict[str, Any] = {}
        try:
            while pos < end:
                size = frame[pos]
                name = frame[pos + 1 : pos + 1 + size].decode("utf-8")
                pos += 1 + size
                kind = frame[pos]
                pos += 1
                value: Any
                if kind == 0 or kind == 1:
                    value = kind == 0
                elif kind in _FIXED:
                    width, fmt = _FIXED[kind]
                    (value,) = struct.unpack_from(fmt, frame, pos)
                    pos += width
                elif kind == 6 or kind == 7:
                    (length,) = struct.unpack_from(">H", frame, pos)
                    raw = frame[pos + 2 : pos + 2 + length]
                    if len(raw) != length:
                        raise ValueError("header value runs past the headers")
                    value = raw.decode("utf-8") if kind == 7 else raw
                    pos += 2 + length
                elif kind == 9:
                    raw = frame[pos : pos + 16]
                    if len(raw) != 16:
                        raise ValueError("uuid header runs past the headers")
                    value = uuid.UUID(bytes=raw)
                    pos += 16
                else:
                    raise ValueError(f"unknown header value type {kind}")
                if pos > end:
                    raise ValueError("a header runs past the headers")
                headers[name] = value
        except (IndexError, ValueError, struct.error, UnicodeDecodeError) as exc:
            raise self._error(f"an event-stream message has malformed headers ({exc})") from None
        return headers

    def _error(self, message: str) -> errors.ResponseValidationError:
        return errors.ResponseValidationError(
            f"{self.provider or 'the provider'} sent a broken event stream: {message}", provider=self.provider or None
        )


def encode_message(headers: dict[str, Any], payload: bytes) -> bytes:
    """One event-stream message with both checksums; ``str`` values become string headers, ``bytes``
    byte-array headers, ``bool`` booleans, ``int`` 32-bit integers, ``uuid.UUID`` uuids."""
    parts: list[bytes] = []
    for name, value in headers.items():
        raw_name = name.encode("utf-8")
        parts.append(bytes([len(raw_name)]) + raw_name)
        if isinstance(value, bool):
            parts.append(b"\x00" if value else b"\x01")
        elif isinstance(value, int):
            parts.append(b"\x04" + struct.pack(">i", value))
        elif isinstance(value, str):
            raw = value.encode("utf-8")
            parts.append(b"\x07" + struct.pack(">H", len(raw)) + raw)
        elif isinstance(value, bytes):
            parts.append(b"\x06" + struct.pack(">H", len(value)) + value)
        elif isinstance(value, uuid.UUID):
            parts.append(b"\x09" + value.bytes)
        else:
            raise TypeError(f"cannot encode a {type(value).__name__} event-stream header")
    header_bytes = b"".join(parts)
    total = PRELUDE_LENGTH + len(header_bytes) + len(payload) + 4
    first = struct.pack(">II", total, len(header_bytes))
    message = first + _U32.pack(crc32(first)) + header_bytes + payload
    return message + _U32.pack(crc32(message))

"""The AWS event-stream decoder: frames split anywhere decode the same, botocore's decoder agrees,
every corruption is a typed error, and any bytes give events or a ResponseValidationError."""

from __future__ import annotations

import uuid

import pytest
from botocore.eventstream import EventStreamBuffer
from hypothesis import given, settings
from hypothesis import strategies as st

from any_llm import errors
from any_llm.eventstream import EventStreamDecoder, encode_message
from any_llm.streaming import make_decoder

_names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda n: len(n.encode()) < 256
)
_values = st.one_of(
    st.booleans(),
    st.integers(-(2**31), 2**31 - 1),
    st.text(max_size=30),
    st.binary(max_size=30),
    st.uuids(),
)
_messages = st.lists(
    st.tuples(st.dictionaries(_names, _values, max_size=4), st.binary(max_size=300)), min_size=1, max_size=5
)
_cuts = st.lists(st.integers(0, 2000), max_size=10)


def _pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, last = [], 0
    for p in points:
        out.append(data[last:p])
        last = p
    out.append(data[last:])
    return out


def _decode(pieces: list[bytes]) -> list[tuple[bytes, str | None, dict[str, object]]]:
    decoder = EventStreamDecoder("p")
    events = [e for piece in pieces for e in decoder.feed(piece)]
    events += decoder.flush()
    return [(e.data, e.event, dict(e.headers or {})) for e in events]


@settings(max_examples=100, deadline=None)
@given(_messages, _cuts)
def test_split_anywhere_decodes_the_same_and_matches_botocore(
    messages: list[tuple[dict, bytes]], cuts: list[int]
) -> None:
    wire = b"".join(encode_message(h, p) for h, p in messages)
    whole = _decode([wire])
    assert _decode(_pieces(wire, cuts)) == whole
    assert [(p, h) for p, _, h in whole] == [(p, h) for h, p in messages]
    oracle = EventStreamBuffer()
    oracle.add_data(wire)
    theirs = [(m.payload, m.headers) for m in oracle]
    assert theirs == [(p, {k: v.bytes if isinstance(v, uuid.UUID) else v for k, v in h.items()}) for p, _, h in whole]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400), _cuts)
def test_any_bytes_give_events_or_a_typed_error(data: bytes, cuts: list[int]) -> None:
    try:
        _decode(_pieces(data, cuts))
    except (errors.ResponseValidationError, errors.APIConnectionError):
        pass


@settings(max_examples=100, deadline=None)
@given(_messages, st.data())
def test_every_flipped_bit_is_caught(messages: list[tuple[dict, bytes]], data: st.DataObject) -> None:
    wire = bytearray(b"".join(encode_message(h, p) for h, p in messages))
    index = data.draw(st.integers(0, len(wire) - 1))
    wire[index] ^= 1 << data.draw(st.integers(0, 7))
    # a flipped length is caught by the prelude checksum before it is trusted, anything else by the message's
    with pytest.raises(errors.ResponseValidationError):
        _decode([bytes(wire)])


def test_event_names_and_message_types() -> None:
    frames = [
        encode_message({":message-type": "event", ":event-type": "contentBlockDelta"}, b'{"a":1}'),
        encode_message({":message-type": "exception", ":exception-type": "throttlingException"}, b"{}"),
        encode_message({":message-type": "error", ":error-code": "InternalFailure"}, b""),
    ]
    events = make_decoder("aws-eventstream", "p").feed(b"".join(frames))
    assert [(e.event, (e.headers or {})[":message-type"]) for e in events] == [
        ("contentBlockDelta", "event"),
        ("throttlingException", "exception"),
        ("InternalFailure", "error"),
    ]


def test_a_cut_stream_and_a_non_stream_body_are_typed_errors() -> None:
    frame = encode_message({":event-type": "x"}, b"payload")
    decoder = EventStreamDecoder("bedrock")
    assert decoder.feed(frame[:-3]) == []
    with pytest.raises(errors.APIConnectionError, match="ended inside an event-stream message"):
        decoder.flush()
    with pytest.raises(errors.ResponseValidationError, match="prelude checksum"):
        EventStreamDecoder("bedrock").feed(b'{"message": "not an event stream"}')


def test_oversized_claims_are_refused_before_buffering() -> None:
    import struct
    from binascii import crc32

    first = struct.pack(">II", 64 * 1024 * 1024, 0)
    with pytest.raises(errors.ResponseValidationError, match="payload"):
        EventStreamDecoder().feed(first + struct.pack(">I", crc32(first)))

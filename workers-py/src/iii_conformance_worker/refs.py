"""Where channel refs sit in a payload, and how requests are split from them.

iii-sdk (Python) turns every ref object in an incoming payload into a live
ChannelReader/ChannelWriter before the handler runs, at any depth and at the
top level, so finding a ref means finding one of those objects.
"""

from __future__ import annotations

import re
from typing import Any

from iii.channel import ChannelReader, ChannelWriter

from .schema import invalid_request

PLACEMENTS = ("", "field", "array", "nested", "top")

# Keys that carry refs rather than schema fields, per function.
WRITE_REF_KEYS = ("writer",)
READ_REF_KEYS = ("reader", "readers", "input")
RELAY_REF_KEYS = ("reader", "writer")

# Fan-out refs beside `writer`: writer_2 ... writer_<fanout>. Any key of this
# shape is taken for a ref, so a stray one is reported as a ref problem (see
# check_fanout_keys) rather than as an unknown schema field. Ten digits cover
# every uint32; a longer key stays an unknown field.
_FANOUT_KEY = re.compile(r"writer_[0-9]{1,10}")


def request_part(payload: Any, ref_keys: tuple[str, ...], name: str) -> dict[str, Any]:
    """The schema part of a payload: ref keys and engine-added `_` keys removed."""
    if isinstance(payload, (ChannelReader, ChannelWriter)):
        return {}  # the `top` placement: the bare ref is the whole payload
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise invalid_request(name, f"expected an object, got {type(payload).__name__}")
    return {k: v for k, v in payload.items() if k not in ref_keys and not k.startswith("_")}


def find_reader(payload: Any) -> ChannelReader:
    """The reader ref, looked up in the order worker-contract.md gives."""
    if isinstance(payload, ChannelReader):
        return payload
    if isinstance(payload, dict):
        if "reader" in payload:
            return _expect(payload["reader"], ChannelReader, "reader")
        readers = payload.get("readers")
        if isinstance(readers, list) and readers:
            return _expect(readers[0], ChannelReader, "readers[0]")
        nested = payload.get("input")
        channel = nested.get("channel") if isinstance(nested, dict) else None
        if isinstance(channel, dict) and "reader" in channel:
            return _expect(channel["reader"], ChannelReader, "input.channel.reader")
    raise invalid_request("reader", "no read ref in reader, readers[0] or input.channel.reader")


def find_writer(payload: Any) -> ChannelWriter:
    if isinstance(payload, dict) and "writer" in payload:
        return _expect(payload["writer"], ChannelWriter, "writer")
    raise invalid_request("writer", "no write ref in the payload")


def fanout_ref_keys(payload: Any) -> tuple[str, ...]:
    """The `writer_<n>` keys of a write payload, to keep out of the request part."""
    if not isinstance(payload, dict):
        return ()
    return tuple(k for k in payload if isinstance(k, str) and _FANOUT_KEY.fullmatch(k))


def fanout_key(k: int) -> str:
    """The ref key of the k-th writer of a fan-out (1-based): writer, writer_2, ..."""
    return "writer" if k == 1 else f"writer_{k}"


def check_fanout_keys(payload: Any, fanout: int) -> None:
    """Reject a `writer_<n>` that WriteRequest.fanout does not account for."""
    for key in fanout_ref_keys(payload):
        k = int(key.removeprefix("writer_"))
        # Compared back as text, so writer_02 or writer_1 is stray too.
        if not 2 <= k <= fanout or key != fanout_key(k):
            raise invalid_request(
                key,
                f"a fan-out write ref that WriteRequest.fanout {fanout} does not account for "
                "(the refs are writer, writer_2 ... writer_<fanout>)",
            )


def find_fanout_writers(payload: Any, fanout: int) -> list[ChannelWriter]:
    """`writer`, then writer_2 ... writer_<fanout>, each found the way `writer` is.

    The SDK has already made every ref in the payload a ChannelWriter, so
    these are plain key look-ups. A missing ref, or a stray one, is an invalid
    request before any channel work starts. 0 and 1 both mean `writer` alone.
    """
    check_fanout_keys(payload, fanout)
    writers = [find_writer(payload)]
    # Lazily, so a huge fanout fails at its first missing ref instead of
    # building a list of keys first.
    for k in range(2, fanout + 1):
        key = fanout_key(k)
        if key not in payload:
            raise invalid_request(
                key, f"no write ref in the payload (WriteRequest.fanout {fanout})"
            )
        writers.append(_expect(payload[key], ChannelWriter, key))
    return writers


def reader_payload(placement: str, ref: dict[str, Any], fields: dict[str, Any]) -> Any:
    """The payload a producer sends its reader: `fields` plus the ref, placed."""
    if placement in ("", "field"):
        return {**fields, "reader": ref}
    if placement == "array":
        return {**fields, "readers": [ref]}
    if placement == "nested":
        return {**fields, "input": {"channel": {"reader": ref}}}
    if placement == "top":
        return ref
    raise ValueError(f"unknown ref_placement {placement!r}")


def _expect(value: Any, kind: type, path: str) -> Any:
    if isinstance(value, kind):
        return value
    raise invalid_request(path, f"expected a channel ref, got {type(value).__name__}")

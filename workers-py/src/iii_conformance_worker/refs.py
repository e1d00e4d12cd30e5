"""Where channel refs sit in a payload, and how requests are split from them.

iii-sdk (Python) turns every ref object in an incoming payload into a live
ChannelReader/ChannelWriter before the handler runs, at any depth and at the
top level, so finding a ref means finding one of those objects.
"""

from __future__ import annotations

from typing import Any

from iii.channel import ChannelReader, ChannelWriter

from .schema import invalid_request

PLACEMENTS = ("", "field", "array", "nested", "top")

# Keys that carry refs rather than schema fields, per function.
WRITE_REF_KEYS = ("writer",)
READ_REF_KEYS = ("reader", "readers", "input")
RELAY_REF_KEYS = ("reader", "writer")


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

"""Request validation against fixtures/conformance.descriptor.pb.

The descriptor is loaded with google.protobuf's dynamic-message API, so no
generated code (and no protoc) is needed. A strict pre-walk gives every
rejection a precise field path and refuses what proto3 JSON would quietly
accept but the contract does not (numbers as strings, enum numbers,
lowerCamelCase names); json_format.ParseDict then has the last word.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from iii import InvocationError

PACKAGE = "iii_conformance.v1"
INVALID_REQUEST = "INVALID_REQUEST"

_RANGES = {
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
}

_PLAIN = {
    FieldDescriptor.TYPE_STRING: (str, "a string"),
    FieldDescriptor.TYPE_BOOL: (bool, "a boolean"),
}


def invalid_request(path: str, detail: str) -> InvocationError:
    """The error a handler raises for a malformed request.

    iii-sdk 0.25 answers every handler exception with code `invocation_failed`
    and `str(exc)` as the message, so the contract's code travels as the
    message prefix: "INVALID_REQUEST: <field>: <detail>".
    """
    return InvocationError(INVALID_REQUEST, f"{path}: {detail}")


def descriptor_path() -> Path:
    override = os.environ.get("III_CONFORMANCE_DESCRIPTOR")
    if override:
        return Path(override)
    # workers-py/src/iii_conformance_worker/ -> the repo root's fixtures/.
    return Path(__file__).resolve().parents[3] / "fixtures" / "conformance.descriptor.pb"


@cache
def _pool() -> descriptor_pool.DescriptorPool:
    fds = descriptor_pb2.FileDescriptorSet.FromString(descriptor_path().read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in fds.file:
        pool.Add(file)
    return pool


def message_class(name: str) -> type[Message]:
    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(f"{PACKAGE}.{name}"))


def parse(name: str, data: Any) -> Message:
    """Validate `data` (refs and engine keys already removed) as message `name`."""
    cls = message_class(name)
    _check_message(cls.DESCRIPTOR, data, name)
    try:
        return json_format.ParseDict(data, cls(), ignore_unknown_fields=False)
    except json_format.ParseError as err:
        raise invalid_request(name, str(err)) from err


def to_dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _check_message(desc: Descriptor, data: Any, path: str) -> None:
    if not isinstance(data, dict):
        raise invalid_request(path, f"expected an object, got {_kind(data)}")
    kinds: list[str] = []
    for key, value in data.items():
        field = desc.fields_by_name.get(key)
        where = f"{path}.{key}"
        if field is None:
            raise invalid_request(where, "unknown field")
        if value is None:
            continue
        if field.containing_oneof is not None:
            kinds.append(key)
        if field.is_repeated:
            if not isinstance(value, list):
                raise invalid_request(where, f"expected a list, got {_kind(value)}")
            for i, item in enumerate(value):
                _check_value(field, item, f"{where}[{i}]")
        else:
            _check_value(field, value, where)
    if len(kinds) > 1:
        raise invalid_request(path, f"sets {' and '.join(kinds)}; exactly one is allowed")


def _check_value(field: FieldDescriptor, value: Any, path: str) -> None:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        _check_message(field.message_type, value, path)
    elif field.type == FieldDescriptor.TYPE_ENUM:
        names = [v.name for v in field.enum_type.values]
        if not isinstance(value, str) or value not in names:
            raise invalid_request(path, f"expected one of {', '.join(names)}, got {value!r}")
    elif field.type in _RANGES:
        low, high = _RANGES[field.type]
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        if not ok:
            raise invalid_request(path, f"expected an integer in [{low}, {high}], got {value!r}")
    elif field.type in _PLAIN:
        kind, label = _PLAIN[field.type]
        if not isinstance(value, kind):
            raise invalid_request(path, f"expected {label}, got {_kind(value)}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__

"""The mismatch locator: first differing byte, its chunk, short and long streams."""

from types import SimpleNamespace

from iii_conformance_worker.expect import Expectation
from iii_conformance_worker.seeded import seeded_slice


def slices(*parts: tuple[str, int, int]) -> list[SimpleNamespace]:
    return [SimpleNamespace(seed=s, offset=o, length=n) for s, o, n in parts]


def test_equal_stream_has_no_mismatch() -> None:
    e = Expectation(slices(("a", 0, 5000)))
    data = seeded_slice("a", 0, 5000)
    e.feed(data[:1234])
    e.feed(data[1234:])
    assert e.finish() is None


def test_flipped_byte_is_located_with_its_chunk() -> None:
    e = Expectation(slices(("a", 0, 100), ("b", 7, 100)))
    data = bytearray(seeded_slice("a", 0, 100) + seeded_slice("b", 7, 100))
    data[150] ^= 0xFF
    e.feed(bytes(data[:120]))
    e.feed(bytes(data[120:]))
    m = e.finish()
    assert m is not None
    assert (m["offset"], m["chunk"], m["chunk_offset"]) == (150, 1, 30)
    assert m["expected_hex"][:2] != m["actual_hex"][:2]


def test_short_and_long_streams_mismatch_at_their_ends() -> None:
    short = Expectation(slices(("a", 0, 100)))
    short.feed(seeded_slice("a", 0, 60))
    assert short.finish()["offset"] == 60

    long = Expectation(slices(("a", 0, 100)))
    long.feed(seeded_slice("a", 0, 100) + b"extra")
    m = long.finish()
    assert (m["offset"], m["expected_hex"], m["actual_hex"]) == (100, "", b"extra".hex())

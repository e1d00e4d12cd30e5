"""iii channel conformance worker on the PyPI iii-sdk (see docs/worker-contract.md)."""

__version__ = "0.1.0"
CONTRACT_VERSION = "1"

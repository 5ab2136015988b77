"""The systems measured: lstmkit and its peers, each in a module with `available()` and `run()`."""

from __future__ import annotations

import importlib
from types import ModuleType

# Peer name -> module in this package.
PEERS: dict[str, str] = {
    "lstmkit": "lstmkit_peer",
    "torch": "torch_peer",
    "jax": "jax_peer",
    "keras": "keras_peer",
    "tfjs-wasm": "tfjs_peer",
    "tfjs-cpu": "tfjs_peer",
}

# Filter aliases accepted by --peers.
ALIASES: dict[str, list[str]] = {"tfjs": ["tfjs-wasm", "tfjs-cpu"], "pytorch": ["torch"]}


def module(name: str) -> ModuleType:
    """The module that runs peer `name`."""
    return importlib.import_module(f"bench.peers.{PEERS[name]}")


def expand(names: list[str]) -> list[str]:
    """Peer names with aliases expanded, unknown names rejected, lstmkit first, no duplicates."""
    out: list[str] = ["lstmkit"]
    for name in names:
        for n in ALIASES.get(name, [name]):
            if n not in PEERS:
                raise ValueError(f"unknown peer {n!r}; known: {', '.join(PEERS)}")
            if n not in out:
                out.append(n)
    return out

"""TF.js's engine-level functions that ported programs call: the backend, readiness, printing,
versions and the flags environment.

lstmkit computes on NumPy on the CPU, so `get_backend()` is always 'cpu'. `set_backend(name)`
accepts the names of TF.js's own backends ('cpu', 'tensorflow' from tfjs-node, 'wasm',
'webgl', 'webgpu') and returns True, since a program that asks for one wants its numbers
computed, which they are; any other name is refused as TF.js refuses a backend it has not
registered. `ready()`, `next_frame()` and `set_backend()` return already-finished awaitables
(TF.js returns Promises), so `await tf.ready()` works and so does a plain `tf.ready()`.
"""

from __future__ import annotations

import builtins
import contextlib
import time as _time
from collections.abc import Callable, Iterator
from typing import Any

from ...tensor import as_tensor
from ...tensor_buffer import AwaitableBool, Resolved

TFJS_VERSION = "4.22.0"

version: dict[str, str] = {
    "tfjs-core": TFJS_VERSION,
    "tfjs-backend-cpu": TFJS_VERSION,
    "tfjs-backend-webgl": TFJS_VERSION,
    "tfjs-data": TFJS_VERSION,
    "tfjs-layers": TFJS_VERSION,
    "tfjs-converter": TFJS_VERSION,
    "tfjs": TFJS_VERSION,
}
version_core = TFJS_VERSION
version_layers = TFJS_VERSION

BACKEND_NAMES = ("cpu", "tensorflow", "wasm", "webgl", "webgpu")


def get_backend() -> str:
    """The backend computing the ops: always 'cpu' (NumPy), TF.js's `tf.getBackend()`."""
    return "cpu"


def set_backend(backend_name: str) -> AwaitableBool:
    """TF.js's `tf.setBackend(name)`: True for TF.js's backend names (every op runs on NumPy
    whichever is asked for); awaitable, as TF.js's Promise<boolean>."""
    if backend_name not in BACKEND_NAMES:
        raise ValueError(
            f"set_backend(): Backend name {backend_name!r} not found in registry; expected one "
            f"of {list(BACKEND_NAMES)} (lstmkit computes on NumPy under any of them)."
        )
    return AwaitableBool(True)


@contextlib.contextmanager
def device(device_name: str) -> Iterator[None]:
    """TensorFlow's `with tf.device("CPU:0"):` (Keras programs use it): the block runs as is,
    since every op here runs on the CPU whichever device is named (as TensorFlow's soft
    placement does when the named GPU is absent)."""
    if not isinstance(device_name, str):
        raise TypeError(f"device(): expected a device name such as 'CPU:0', got {device_name!r}.")
    yield


def ready() -> Resolved:
    """TF.js's `tf.ready()`: the backend is always ready; awaitable, resolves to None."""
    return Resolved(None)


def next_frame() -> Resolved:
    """TF.js's `tf.nextFrame()` (wait for the browser's next frame): nothing to wait for;
    awaitable, resolves to None."""
    return Resolved(None)


def print(x: Any, verbose: bool = False) -> None:
    """Print a tensor as TF.js's `tf.print(x, verbose)` does."""
    builtins.print(as_tensor(x, "print()").to_string(verbose))


def time(f: Callable[[], Any]) -> Resolved:
    """TF.js's `tf.time(f)`: run `f`, resolve to `{'wallMs', 'kernelMs'}` (both the wall
    time here: there are no separate kernels to time); awaitable."""
    start = _time.perf_counter()
    f()
    ms = (_time.perf_counter() - start) * 1000.0
    return Resolved({"wallMs": ms, "kernelMs": ms})


class Environment:
    """TF.js's `tf.env()`, minimal: named flags with `get`, `set`, `get_bool`, `get_number`
    and `get_flags` (either spelling). Setting a flag records it; none changes computing."""

    _DEFAULTS: dict[str, Any] = {
        "DEBUG": False,
        "PROD": False,
        "IS_BROWSER": False,
        "IS_NODE": False,
        "IS_TEST": False,
        "WEBGL_VERSION": 0,
        "EPSILON": 1e-7,
    }

    def __init__(self) -> None:
        self.flags: dict[str, Any] = dict(self._DEFAULTS)
        self.platform_name = "python"

    def get(self, flag_name: str) -> Any:
        """A flag's value; an unknown name is refused (TF.js: 'Cannot evaluate flag')."""
        if flag_name not in self.flags:
            raise ValueError(
                f"env().get(): Cannot evaluate flag {flag_name!r}: no evaluation function "
                f"found; known flags: {sorted(self.flags)}. Set it first with env().set()."
            )
        return self.flags[flag_name]

    def set(self, flag_name: str, value: Any) -> None:
        self.flags[flag_name] = value

    def get_bool(self, flag_name: str) -> bool:
        return bool(self.get(flag_name))

    def get_number(self, flag_name: str) -> float:
        return float(self.get(flag_name))

    def get_flags(self) -> dict[str, Any]:
        return dict(self.flags)

    def reset(self) -> None:
        self.flags = dict(self._DEFAULTS)

    getBool = get_bool  # noqa: N815 (TF.js's name)
    getNumber = get_number  # noqa: N815 (TF.js's name)
    getFlags = get_flags  # noqa: N815 (TF.js's name)

    @property
    def platformName(self) -> str:  # noqa: N802 (TF.js's name)
        return self.platform_name


_ENV = Environment()


def env() -> Environment:
    """TF.js's `tf.env()`: the one flags environment."""
    return _ENV


def enable_prod_mode() -> None:
    """TF.js's `tf.enableProdMode()`: sets the PROD flag (lstmkit checks the same either way)."""
    _ENV.set("PROD", True)


def enable_debug_mode() -> None:
    """TF.js's `tf.enableDebugMode()`: sets the DEBUG flag."""
    _ENV.set("DEBUG", True)

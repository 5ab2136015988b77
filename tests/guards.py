"""What the hostile and fuzz tests share: a hang guard, and how many examples a fuzz run takes.

`deadline(seconds)` fails a block that runs longer than `seconds` (an alarm: a guard against a
hang, never a speed assertion). `fuzz_examples` reads the run's size: LSTMKIT_FUZZ_EXAMPLES=N,
else `long` under `-m fuzz`, else `default` derandomized (the same examples in every CI run);
`fuzz_settings` is Hypothesis's settings for such a run.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, settings


@contextlib.contextmanager
def deadline(seconds: float = 60) -> Iterator[None]:
    """Fail instead of hanging when the block runs longer than `seconds`."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def fuzz_examples(config: Any, default: int, long: int = 3000) -> tuple[int, bool]:
    """(examples, derandomize) of a fuzz target, from the environment and pytest's `-m`."""
    env = os.environ.get("LSTMKIT_FUZZ_EXAMPLES")
    if env:
        return int(env), False
    if "fuzz" in (config.getoption("markexpr", "") or ""):
        return long, False
    return default, True


def fuzz_settings(examples: int, derandomize: bool) -> settings:
    """A fuzz target's Hypothesis settings: no deadline, no example database in CI's
    derandomized runs, large and slow inputs allowed."""
    return settings(
        max_examples=examples,
        derandomize=derandomize,
        deadline=None,
        database=None if derandomize else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

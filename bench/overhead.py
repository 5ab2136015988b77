"""Operator overhead: the cost of one small call through lstmkit's Python layers, in microseconds.

``python -m bench.overhead`` (or ``python bench/overhead.py``) times, on tiny inputs where the
arithmetic is nothing and the Python around it is everything, the public calls a TF.js program
makes most: tensor operators (``a + a``, ``a * 2``, ``a[0]``, ``a.sum()``), the same ops as
functions (``tf.add``), making a tensor, and one ``predict_on_batch`` / ``train_on_batch`` of a
tiny LSTM -> Dense model (where per-call overheads add up). It uses the public API only, so the
same script times any lstmkit checkout: ``PYTHONPATH=OTHER/src python -m bench.overhead``.

Each case runs in rounds of ``number`` calls; the best round (the least disturbed by the rest of
the machine) divided by ``number`` is reported, the usual way to time small calls (``timeit``).
Run it pinned (``taskset -c 0``) for stable numbers; ``--json PATH`` writes them; the CPU is
named in the output, as every number in bench/ must.
"""

from __future__ import annotations

import argparse
import json
import platform
import timeit
from collections.abc import Callable


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cases() -> dict[str, Callable[[], object]]:
    """The timed calls, each a zero-argument function."""
    import numpy as np

    import lstmkit as tf

    a = tf.tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    values = [[1.0, 2.0], [3.0, 4.0]]
    tf.set_seed(0)
    model = tf.sequential()
    model.add(tf.layers.lstm(units=4, input_shape=[3, 2]))
    model.add(tf.layers.dense(units=1))
    model.compile(loss="meanSquaredError", optimizer="adam")
    x = np.random.default_rng(0).normal(size=(2, 3, 2)).astype(np.float32)
    y = np.zeros((2, 1), np.float32)
    return {
        "a + a": lambda: a + a,
        "a * 2": lambda: a * 2,
        "tf.add(a, a)": lambda: tf.add(a, a),
        "a[0]": lambda: a[0],
        "a.sum()": lambda: a.sum(),
        "tf.tensor(list)": lambda: tf.tensor(values),
        "predict_on_batch (LSTM(4) -> Dense, 2x3x2)": lambda: model.predict_on_batch(x),
        "train_on_batch (LSTM(4) -> Dense, 2x3x2)": lambda: model.train_on_batch(x, y),
    }


def measure(rounds: int = 7, target_s: float = 0.2) -> dict[str, float]:
    """Microseconds per call of each case: the best of `rounds` rounds of ~`target_s` each."""
    out = {}
    for name, fn in cases().items():
        timer = timeit.Timer(fn)
        number, _ = timer.autorange()
        number = max(1, int(number * target_s / 0.2))
        best = min(timer.repeat(repeat=rounds, number=number))
        out[name] = best / number * 1e6
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--json", metavar="PATH", help="write the numbers (and the CPU) here")
    args = p.parse_args(argv)
    import lstmkit

    numbers = measure(args.rounds)
    cpu = _cpu_name()
    print(f"lstmkit at {lstmkit.__file__}; CPU {cpu}")
    for name, us in numbers.items():
        print(f"  {name:<45} {us:9.2f} us")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"cpu": cpu, "lstmkit": lstmkit.__file__, "us_per_call": numbers}, f, indent=2
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

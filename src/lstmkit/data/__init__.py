"""`tf.data`: TF.js's datasets (`array`, `generator`, `func`, `zip` and the `Dataset` methods),
and the data bundled with lstmkit (`co2_monthly.csv`, monthly Mauna Loa CO2, see README.md).

`tf.data.csv`, `webcam` and `microphone` are browser or file readers TF.js has and lstmkit does
not; read a CSV with pandas or NumPy and pass the rows to `tf.data.array`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .dataset import Dataset, LazyIterator
from .readers import array, func, generator, zip

CO2_MONTHLY = "co2_monthly.csv"

__all__ = ["CO2_MONTHLY", "Dataset", "LazyIterator", "array", "func", "generator", "path", "zip"]


def path(name: str = CO2_MONTHLY) -> Path:
    """The path of a bundled data file (no download: the files ship inside the package)."""
    return Path(str(resources.files(__name__).joinpath(name)))

"""`tf.data`: TF.js's datasets (`array`, `generator`, `func`, `zip`, `csv` and the `Dataset`
methods), and the data bundled with lstmkit (`co2_monthly.csv`, monthly Mauna Loa CO2, see
README.md).

`webcam` and `microphone` are browser readers TF.js has and lstmkit does not; `csv` reads
local files only (download a URL first).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .. import unavailable
from .csv import CSVDataset, csv
from .dataset import Dataset, IteratorResult, LazyIterator
from .readers import array, func, generator, zip

CO2_MONTHLY = "co2_monthly.csv"

__all__ = [
    "CO2_MONTHLY",
    "CSVDataset",
    "Dataset",
    "IteratorResult",
    "LazyIterator",
    "array",
    "csv",
    "func",
    "generator",
    "path",
    "zip",
]


def path(name: str = CO2_MONTHLY) -> Path:
    """The path of a bundled data file (no download: the files ship inside the package)."""
    return Path(str(resources.files(__name__).joinpath(name)))


def __getattr__(name: str) -> object:  # tf.data.webcam / microphone: what to use instead
    unavailable.lookup("tf.data", unavailable.DATA, name, __name__)

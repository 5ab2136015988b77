"""Data bundled with lstmkit: `co2_monthly.csv`, monthly Mauna Loa CO2 (see README.md)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CO2_MONTHLY = "co2_monthly.csv"


def path(name: str = CO2_MONTHLY) -> Path:
    """The path of a bundled data file (no download: the files ship inside the package)."""
    return Path(str(resources.files(__name__).joinpath(name)))

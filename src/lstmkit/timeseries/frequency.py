"""Window sizes that suit a sampling frequency: season, lookback and horizon.

A series sampled monthly repeats every 12 steps, so the seasonal-naive baseline looks 12 steps
back, the model sees two seasons (24 steps) and forecasts one (12); daily data repeats weekly,
hourly data daily, and so on. This is forecasting knowledge, not command-line knowledge: the
`lstmkit` command asks here when the user leaves a size out.

    from lstmkit import timeseries as ts

    ts.FREQUENCY_DEFAULTS["monthly"]         # WindowDefaults(season=12, lookback=24, horizon=12)
    ts.frequency_defaults("every 2 months")  # not in the table: ts.FALLBACK_DEFAULTS
    choice = ts.choose_windows("daily", horizon=14)
    choice.season, choice.lookback, choice.horizon, choice.from_frequency
    # 7, 28, 14, ("season", "lookback")

| frequency | season | lookback | horizon |
|-----------|-------:|---------:|--------:|
| hourly    |     24 |       48 |      24 |
| daily     |      7 |       28 |       7 |
| weekly    |     52 |       52 |      13 |
| monthly   |     12 |       24 |      12 |
| quarterly |      4 |       16 |       4 |
| yearly    |      1 |       10 |       5 |
| any other |      1 |       12 |       6 |

The frequency names are those of the command's time axis (`"monthly"`, `"daily"`, ...); a
name not in the table (`"every 2 months"`, `"steps of 5"`, `"rows"`) gets the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class WindowDefaults(NamedTuple):
    """Season, lookback and horizon (in steps) for one frequency; a tuple in that order."""

    season: int
    """Steps in one seasonal cycle (1: no season; the seasonal-naive baseline is then naive)."""
    lookback: int
    """Past steps the model sees in each window."""
    horizon: int
    """Steps forecast from each origin."""


FREQUENCY_DEFAULTS: dict[str, WindowDefaults] = {
    "hourly": WindowDefaults(24, 48, 24),
    "daily": WindowDefaults(7, 28, 7),
    "weekly": WindowDefaults(52, 52, 13),
    "monthly": WindowDefaults(12, 24, 12),
    "quarterly": WindowDefaults(4, 16, 4),
    "yearly": WindowDefaults(1, 10, 5),
}
"""Frequency name -> the window sizes used when none are given (the table above)."""

FALLBACK_DEFAULTS = WindowDefaults(1, 12, 6)
"""The window sizes of a frequency not in `FREQUENCY_DEFAULTS` (irregular names, plain steps)."""


def frequency_defaults(frequency: str) -> WindowDefaults:
    """The default season, lookback and horizon of `frequency`, or `FALLBACK_DEFAULTS`."""
    return FREQUENCY_DEFAULTS.get(frequency, FALLBACK_DEFAULTS)


@dataclass(frozen=True)
class WindowChoice:
    """The season, lookback and horizon to use, and which of them came from the frequency.

    `from_frequency` names (in the order season, lookback, horizon) the sizes that were not
    given and so were taken from the frequency's defaults, so a caller can say where each
    number came from.
    """

    season: int
    lookback: int
    horizon: int
    from_frequency: tuple[str, ...]


def choose_windows(
    frequency: str,
    season: int | None = None,
    lookback: int | None = None,
    horizon: int | None = None,
) -> WindowChoice:
    """The given sizes, each missing one from `frequency`'s defaults.

    A season given without a lookback sets the lookback to two seasons (at least the
    fallback's 12 steps), so the model sees the cycle twice; with season 1 the frequency's
    lookback stays. No size is checked here: the caller says how to report a bad one.
    """
    default = frequency_defaults(frequency)
    chosen_lookback = default.lookback
    from_frequency = []
    if season is None:
        from_frequency.append("season")
        season = default.season
    elif season > 1:
        chosen_lookback = max(2 * season, FALLBACK_DEFAULTS.lookback)
    if lookback is None:
        from_frequency.append("lookback")
    else:
        chosen_lookback = lookback
    if horizon is None:
        from_frequency.append("horizon")
        horizon = default.horizon
    return WindowChoice(season, chosen_lookback, horizon, tuple(from_frequency))

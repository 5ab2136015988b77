"""`tf.data.csv(source, csvConfig)`: TF.js's CSVDataset (tfjs-data datasets/csv_dataset.ts).

The source is a file path, or a `file://` URL as tfjs-node takes it; an `http(s)://` URL is
refused with the fix (download the file first), since lstmkit reads no network. Each
iteration reads the file again and gives one element per line after the header: a dict
`{column: value}` in the columns' order, or `{'xs': features, 'ys': labels}` when some
column is configured with `isLabel`.

Values are parsed as TF.js parses them: a field JavaScript's `Number()` reads is a number (an
int when it is whole, so it can index a list as JavaScript's numbers do; floored for dtype
'int32'; 1 or 0 for dtype 'bool', from '1'/'true'); another field stays a
string; an empty field takes the column's `default`, is an error for a `required` or label
column, and is None otherwise (TF.js's undefined). Lines split on '\\n' as TF.js splits them
(a final empty line is dropped; any other line must have one field per column), fields on
the delimiter, with double quotes around a field that holds it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._async import ReadyList
from .._options import merge_options
from .dataset import Dataset

_CONFIG = (
    "has_header",
    "column_names",
    "column_configs",
    "configured_columns_only",
    "delimiter",
    "delim_whitespace",
)
_COLUMN_CONFIG = ("required", "dtype", "default", "is_label")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PREFIXED = re.compile(r"0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_JS_SPACE = " \t\n\r\v\f\u00a0\u2028\u2029\ufeff"


def js_number(text: str) -> float:
    """JavaScript's `Number(text)`: NaN when the text is not a number literal."""
    s = text.strip(_JS_SPACE)
    if not s:
        return 0.0
    if _DECIMAL.fullmatch(s):
        return float(s)
    if _PREFIXED.fullmatch(s):
        return float(int(s, 0))
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    return math.nan


def _read_path(source: Any) -> Path:
    if isinstance(source, Path):
        return source
    if not isinstance(source, str):
        raise TypeError(
            f"tf.data.csv(): source must be a file path or a 'file://' URL, got "
            f"{type(source).__name__}."
        )
    if source.startswith(("http://", "https://")):
        raise ValueError(
            f"tf.data.csv(): lstmkit reads local files only, not {source!r}. Download the "
            "file first (urllib.request.urlretrieve(url, 'data.csv')) and pass its path."
        )
    return Path(source[len("file://") :] if source.startswith("file://") else source)


class CSVDataset(Dataset):
    """The rows of a CSV file as dicts (see the module docstring)."""

    def __init__(self, source: Any, csv_config: Mapping[str, Any] | None = None, **kwargs: Any):
        opts = merge_options("tf.data.csv()", csv_config, kwargs, _CONFIG)
        self._path = _read_path(source)
        self.has_header = opts.get("has_header") is not False
        self.full_column_names: list[str] | None = opts.get("column_names")
        configs = opts.get("column_configs")
        self.column_configs: dict[str, dict[str, Any]] | None = None
        if configs is not None:
            self.column_configs = {
                name: merge_options(
                    f"tf.data.csv(): columnConfigs[{name!r}]", c, {}, _COLUMN_CONFIG
                )
                for name, c in configs.items()
            }
        self.configured_columns_only = bool(opts.get("configured_columns_only"))
        if opts.get("delim_whitespace"):
            if opts.get("delimiter") is not None:
                raise ValueError(
                    "tf.data.csv(): Delimiter should not be provided when delimWhitespace is true."
                )
            self.delim_whitespace, self.delimiter = True, " "
        else:
            self.delim_whitespace, self.delimiter = False, opts.get("delimiter") or ","
        self._validated = False
        super().__init__(self._elements)

    def _lines(self) -> list[str]:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"tf.data.csv(): no file {str(self._path)!r} (from the current folder "
                f"{Path.cwd()})."
            ) from None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines

    def _set_column_names(self, lines: list[str]) -> None:
        header = None
        if self.has_header:
            if not lines:
                raise ValueError("tf.data.csv(): No data was found for CSV parsing.")
            header = self._parse_row(lines[0], validate=False)
        if self.full_column_names is None and header is None:
            raise ValueError(
                "tf.data.csv(): Column names must be provided if there is no header line "
                "(csvConfig.columnNames)."
            )
        if self.full_column_names is not None and header is not None:
            if len(header) != len(self.full_column_names):
                raise ValueError(
                    f"tf.data.csv(): The length of provided columnNames "
                    f"({len(self.full_column_names)}) does not match the length of the header "
                    f"line read from file ({len(header)})."
                )
        names = list(self.full_column_names if self.full_column_names is not None else header or [])
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"tf.data.csv(): Duplicate column names found: {','.join(duplicates)}")
        for key in self.column_configs or {}:
            if key not in names:
                raise ValueError(
                    f'tf.data.csv(): The key "{key}" provided in columnConfigs does not match '
                    f"any of the column names ({','.join(names)})."
                )
        self.full_column_names = names
        self._validated = True

    def column_names(self) -> ReadyList:
        """The column names (awaitable, as TF.js's `await ds.columnNames()`): the configured
        ones only with `configuredColumnsOnly`."""
        if not self._validated:
            self._set_column_names(self._lines())
        if self.configured_columns_only:
            return ReadyList(self.column_configs or {})
        return ReadyList(self.full_column_names or [])

    def _elements(self) -> Iterator[Any]:
        lines = self._lines()
        if not self._validated:
            self._set_column_names(lines)
        for line in lines[1:] if self.has_header else lines:
            yield self._element(line)

    def _element(self, line: str) -> Any:
        values = self._parse_row(line)
        features: dict[str, Any] = {}
        labels: dict[str, Any] = {}
        for i, key in enumerate(self.full_column_names or []):
            config = (self.column_configs or {}).get(key)
            if self.configured_columns_only and config is None:
                continue
            config = config or {}
            value = values[i]
            parsed: Any
            if value == "":
                if config.get("default") is not None:
                    parsed = config["default"]
                elif config.get("required") or config.get("is_label"):
                    raise ValueError(
                        f"tf.data.csv(): Required column {key} is empty in this line: {line}"
                    )
                else:
                    parsed = None
            else:
                number = js_number(value)
                dtype = config.get("dtype")
                if dtype == "bool":
                    parsed = 1 if value == "1" or value.lower() == "true" else 0
                elif math.isnan(number):
                    parsed = value
                elif dtype == "int32":
                    parsed = math.floor(number)
                else:  # JavaScript has one number type; whole numbers read best as ints
                    parsed = int(number) if number.is_integer() else number
            (labels if config.get("is_label") else features)[key] = parsed
        return {"xs": features, "ys": labels} if labels else features

    def _parse_row(self, line: str, validate: bool = True) -> list[str]:
        """TF.js's parseRow: fields split on the delimiter, double quotes around a field
        (a doubled quote inside stays doubled, as in TF.js)."""
        out: list[str] = []
        state, start, d = "out", 0, self.delimiter
        for i, ch in enumerate(line):
            if state == "out":
                if ch == '"':
                    start, state = i + 1, "quote"
                elif ch == d:
                    start = i + 1
                    if not (d == " " and self.delim_whitespace):
                        out.append("")
                else:
                    start, state = i, "field"
            elif state == "field":
                if ch == d:
                    out.append(line[start:i])
                    start, state = i + 1, "out"
            elif state == "quote":
                if ch == '"':
                    state = "after_quote"
            elif state == "after_quote":
                if ch == d:
                    out.append(line[start : i - 1])
                    start, state = i + 1, "out"
                elif ch == '"':
                    state = "quote"
                else:
                    state = "quote_in_quote"
            elif ch == '"':  # quote_in_quote
                state = "quote"
        out.append(line[start:-1] if state == "after_quote" else line[start:])
        names = self.full_column_names or []
        if validate and len(out) != len(names):
            raise ValueError(
                f"tf.data.csv(): Invalid row in csv file. Should have {len(names)} elements in "
                f"a row, but got {','.join(out)}"
            )
        return out


def csv(source: Any, csv_config: Mapping[str, Any] | None = None, **kwargs: Any) -> CSVDataset:
    """`tf.data.csv('file://data.csv', {columnConfigs: {label: {isLabel: true}}})`."""
    return CSVDataset(source, csv_config, **kwargs)

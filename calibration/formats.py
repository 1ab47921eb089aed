"""The three input formats, read from CSV or Parquet and checked against their schema.

Every problem found is reported at once, naming the file, the column, the row and what is
allowed (:class:`~calibration.errors.DataError`); nothing is returned from a file that fails.
The formats are documented in ``docs/calibration.md``:

* **aggregate monitoring data** (:func:`load_aggregate`): one row per period, indicator and
  group;
* **participant panel** (:func:`load_panel`): one row per pseudonymised participant. This is
  personal data: the identifier is used only to check that rows are unique and is dropped
  before the table leaves this module;
* **public statistics** (:func:`load_public`): published regional figures with standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from calibration import catalogue as cat
from calibration.errors import DataError

ColumnType = Literal["int", "float", "str", "binary"]
_NULL_TEXT = {"", "na", "nan", "null", "none"}


@dataclass(frozen=True)
class Column:
    """One column of an input format."""

    name: str
    type: ColumnType
    required: bool = True
    nullable: bool = False
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    default: Any = None

    def allowed(self) -> str:
        """What the column accepts, in words."""
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        words = {
            "int": "a whole number",
            "float": "a number",
            "str": "text",
            "binary": "0 or 1",
        }[self.type]
        if self.low is not None and self.high is not None and self.type != "binary":
            words += f" in [{self.low:g}, {self.high:g}]"
        elif self.low is not None:
            words += f" >= {self.low:g}"
        if self.nullable:
            words += " (or empty)"
        return words


AGGREGATE_COLUMNS = (
    Column("month", "int", low=1),
    Column("period_months", "int", required=False, low=1, high=120, default=1),
    Column("indicator", "str", choices=tuple(cat.AGGREGATE_INDICATORS)),
    Column("group", "str", required=False, choices=cat.GROUPS, default="all"),
    Column("intervention", "str", required=False, nullable=True, default=None),
    Column("value", "float"),
    Column("definition", "str", required=False, nullable=True, choices=tuple(cat.DEFINITIONS)),
)
PANEL_COLUMNS = (
    Column("participant_id", "str"),
    Column("group", "str", choices=cat.PANEL_GROUPS),
    Column("intervention", "str"),
    Column("start_month", "int", low=1),
    *(
        Column(f"employed_{h}m", "binary", required=False, nullable=True)
        for h in cat.EMPLOYMENT_HORIZONS
    ),
    Column("self_efficacy_baseline", "float", required=False, nullable=True, low=0, high=1),
    Column(
        f"self_efficacy_{cat.EFFICACY_HORIZON}m",
        "float",
        required=False,
        nullable=True,
        low=0,
        high=1,
    ),
)
PUBLIC_COLUMNS = (
    Column("statistic", "str", choices=tuple(cat.PUBLIC_STATISTICS)),
    Column("group", "str", required=False, choices=cat.GROUPS, default="all"),
    Column("month_from", "int", low=1),
    Column("month_to", "int", low=1),
    Column("value", "float", low=0, high=1),
    Column("se", "float", low=0),
    Column("source", "str", required=False, nullable=True, default=None),
    Column("definition", "str", required=False, nullable=True, choices=tuple(cat.DEFINITIONS)),
)


def read_table(path: str | Path) -> tuple[pd.DataFrame, bool]:
    """Read a CSV or Parquet file as text-or-native columns.

    Returns
    -------
    table : DataFrame
        CSV cells as text (empty cells as ""), Parquet columns as stored.
    is_csv : bool
        Whether rows are numbered by line (CSV) or by position (Parquet).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(str(path), ["file not found"])
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
            return table, True
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path), False
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise DataError(str(path), [f"cannot be read as {suffix[1:]}: {err}"]) from None
    raise DataError(str(path), [f"unknown file type {suffix!r}; use .csv or .parquet"])


def _is_null(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _NULL_TEXT
    # None, NaN and pandas' missing values (pd.NA of nullable Parquet columns, NaT) alike
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in a cell: not empty, wrong type later
        return False


def _convert(value: Any, col: Column) -> tuple[Any, str | None]:
    """One cell converted to the column's type, or an error text."""
    if col.type == "str":
        return str(value).strip(), None
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None, f"{value!r} is not a number"
    if math.isnan(number) or math.isinf(number):
        return None, f"{value!r} is not a finite number"
    if col.type in ("int", "binary"):
        if number != int(number):
            return None, f"{value!r} is not a whole number"
        number = int(number)
    return number, None


def check_columns(
    table: pd.DataFrame, columns: tuple[Column, ...], path: str, is_csv: bool
) -> pd.DataFrame:
    """Check a table against its columns and return it with typed columns.

    Raises
    ------
    DataError
        Listing every missing column and every bad cell (column, row, value, what is allowed).
    """
    missing = [c.name for c in columns if c.required and c.name not in table.columns]
    if missing:
        raise DataError(
            path,
            [
                f"missing column {name!r}; the columns of this format are "
                + ", ".join(c.name + ("" if c.required else " (optional)") for c in columns)
                for name in missing
            ],
        )
    if len(table) == 0:
        # Without rows there is nothing to fit, and no months to simulate.
        raise DataError(path, ["has no rows (a header only); give at least one row of data"])
    problems: list[str] = [] if is_csv else _storage_problems(table, columns)
    out: dict[str, list[Any]] = {}

    def where(i: int) -> str:
        return f"line {i + 2}" if is_csv else f"row {i + 1}"

    for col in columns:
        if col.name not in table.columns:
            continue
        values: list[Any] = []
        for i, raw in enumerate(table[col.name].tolist()):
            if _is_null(raw):
                if not col.nullable:
                    problems.append(
                        f"column {col.name!r}, {where(i)}: empty; allowed: {col.allowed()}"
                    )
                values.append(None)
                continue
            value, error = _convert(raw, col)
            if error is None:
                error = _range_error(value, col)
            if error is not None:
                problems.append(
                    f"column {col.name!r}, {where(i)}: {error}; allowed: {col.allowed()}"
                )
            values.append(value)
        out[col.name] = values
    if problems:
        raise DataError(path, problems)
    typed = pd.DataFrame(out, index=pd.RangeIndex(len(table)))
    for col in columns:
        if col.name not in typed.columns:
            if not col.required:
                typed[col.name] = col.default
            continue
        if col.type == "float" or (col.nullable and col.type in ("int", "binary")):
            typed[col.name] = pd.to_numeric(typed[col.name], errors="coerce").astype(float)
        elif col.type in ("int", "binary"):
            typed[col.name] = typed[col.name].astype("int64")
    return typed


def _storage_problems(table: pd.DataFrame, columns: tuple[Column, ...]) -> list[str]:
    """Parquet columns stored with the wrong type: numbers as text, or text as numbers.

    Parquet files carry their column types, so a wrong one is a mistake in the export (a
    ``value`` column of text, a ``participant_id`` of raw numbers such as register ids)
    and is refused rather than converted cell by cell as CSV text is.
    """
    problems = []
    for col in columns:
        if col.name not in table.columns or table[col.name].isna().all():
            continue
        numeric = pd.api.types.is_numeric_dtype(table[col.name])
        if col.type == "str" and numeric:
            problems.append(
                f"column {col.name!r}: stored as numbers ({table[col.name].dtype}); allowed: "
                + (
                    "text (a pseudonym, not a register number)"
                    if col.name == "participant_id"
                    else col.allowed()
                )
                + "; store the column as text"
            )
        elif col.type != "str" and not numeric:
            problems.append(
                f"column {col.name!r}: stored as text ({table[col.name].dtype}); allowed: "
                f"{col.allowed()}; store the column as numbers"
            )
    return problems


def _range_error(value: Any, col: Column) -> str | None:
    if col.choices is not None and value not in col.choices:
        return f"{value!r} is not allowed"
    if col.type == "binary" and value not in (0, 1):
        return f"{value!r} is neither 0 nor 1"
    if col.low is not None and value < col.low:
        return f"{value!r} is below {col.low:g}"
    if col.high is not None and value > col.high:
        return f"{value!r} is above {col.high:g}"
    return None


def _row_label(i: int, is_csv: bool) -> str:
    return f"line {i + 2}" if is_csv else f"row {i + 1}"


def load_aggregate(path: str | Path) -> pd.DataFrame:
    """Read and check aggregate monitoring data.

    Returns
    -------
    DataFrame
        Columns ``month, period_months, indicator, group, intervention, value``.
    """
    raw, is_csv = read_table(path)
    data = check_columns(raw, AGGREGATE_COLUMNS, str(path), is_csv)
    problems: list[str] = []
    for i, row in enumerate(data.itertuples(index=False)):
        kind, by_group = cat.AGGREGATE_INDICATORS[row.indicator]
        at = _row_label(i, is_csv)
        if kind == "rate" and not 0.0 <= row.value <= 1.0:
            problems.append(
                f"column 'value', {at}: {row.indicator} is a share, {row.value!r} is impossible; "
                "allowed: a number in [0, 1]"
            )
        if kind != "rate" and row.value < 0:
            problems.append(
                f"column 'value', {at}: {row.indicator} is a count, {row.value!r} is negative; "
                "allowed: a number >= 0"
            )
        if not by_group and row.group != "all":
            problems.append(
                f"column 'group', {at}: {row.indicator} is reported for the whole lab only; "
                "allowed: all"
            )
        problems += _definition_problems(row.indicator, row.definition, "indicator", at)
        if isinstance(row.intervention, str) and row.indicator != "intervention_starts":
            problems.append(
                f"column 'intervention', {at}: only intervention_starts rows name an "
                "intervention; allowed: empty"
            )
    keys = ["month", "period_months", "indicator", "group", "intervention"]
    dup = data.fillna({"intervention": ""}).duplicated(keys, keep="first")
    for i in dup[dup].index[:5]:
        problems.append(
            f"{_row_label(i, is_csv)}: repeats an earlier row's month, period, indicator, group "
            "and intervention; allowed: one value per combination"
        )
    if not problems:
        problems = _consistency_problems(data, is_csv)
    if problems:
        raise DataError(str(path), problems)
    return data


#: Stocks that cannot exceed another stock of the same period and group (part, whole).
STOCK_LIMITS: tuple[tuple[str, str], ...] = (
    ("long_term_unemployed", "unemployed"),
    ("long_term_unemployed", "labour_force"),
    ("unemployed", "labour_force"),
    ("employed", "labour_force"),
)


def _consistency_problems(data: pd.DataFrame, is_csv: bool) -> list[str]:
    """Rows that contradict each other within one period.

    A stock cannot exceed the stock it is part of (:data:`STOCK_LIMITS`), and a count of a
    target group cannot exceed the same count for everyone (``all``) or, for a single target
    group, for ``any_target_group``. Only rows of the same month and period length are
    compared.
    """
    rows: dict[tuple, tuple[float, int]] = {}
    for i, r in enumerate(data.itertuples(index=False)):
        iv = r.intervention if isinstance(r.intervention, str) else ""
        rows[(r.month, r.period_months, r.indicator, r.group, iv)] = (r.value, i)
    problems: list[str] = []

    def check(part: tuple, whole: tuple) -> None:
        if part not in rows or whole not in rows:
            return
        (a, i), (b, j) = rows[part], rows[whole]
        if a <= b:
            return
        month, length, _, group, iv = part
        what_a = f"{part[2]} (group {part[3]})" if part[3] != whole[3] else part[2]
        what_b = f"{whole[2]} (group {whole[3]})" if part[3] != whole[3] else whole[2]
        context = f"group {group}" if part[3] == whole[3] else "the same indicator"
        problems.append(
            f"column 'value', {_row_label(i, is_csv)} and {_row_label(j, is_csv)}: month "
            f"{month} ({length}-month period), {context}"
            + (f", intervention {iv}" if iv else "")
            + f": {what_a} = {a:g} exceeds {what_b} = {b:g}; allowed: {what_a} <= {what_b}"
        )

    for month, length, indicator, group, iv in list(rows):
        for part, whole in STOCK_LIMITS:
            if indicator == part:
                check((month, length, part, group, iv), (month, length, whole, group, iv))
        if cat.AGGREGATE_INDICATORS[indicator][0] == "rate" or group == "all":
            continue
        if group != "any_target_group":
            check(
                (month, length, indicator, group, iv),
                (month, length, indicator, "any_target_group", iv),
            )
        check((month, length, indicator, group, iv), (month, length, indicator, "all", iv))
    return problems


def load_panel(path: str | Path) -> pd.DataFrame:
    """Read and check a participant panel; the identifier column is dropped.

    Returns
    -------
    DataFrame
        Columns ``group, intervention, start_month`` and the outcome columns
        ``employed_3m, employed_6m, employed_12m, self_efficacy_change_6m`` (NaN when not
        observed). One row per participant, without the identifier.
    """
    raw, is_csv = read_table(path)
    data = check_columns(raw, PANEL_COLUMNS, str(path), is_csv)
    problems: list[str] = []
    dup = data["participant_id"].duplicated(keep="first")
    for i in dup[dup].index[:5]:
        problems.append(
            f"column 'participant_id', {_row_label(i, is_csv)}: the identifier repeats an "
            "earlier row; allowed: one row per participant"
        )
    present = [c for c in raw.columns if c.startswith(("employed_", "self_efficacy_"))]
    efficacy = {"self_efficacy_baseline", f"self_efficacy_{cat.EFFICACY_HORIZON}m"}
    if len(efficacy & set(raw.columns)) == 1:
        problems.append(
            "columns " + " and ".join(sorted(efficacy)) + " go together; give both or neither"
        )
    if not present:
        problems.append(
            "no outcome column; give at least one of "
            + ", ".join(c.name for c in PANEL_COLUMNS if not c.required)
        )
    if problems:
        raise DataError(str(path), problems)
    follow = f"self_efficacy_{cat.EFFICACY_HORIZON}m"
    out = data.drop(columns=["participant_id"])
    out[f"self_efficacy_change_{cat.EFFICACY_HORIZON}m"] = (
        out[follow] - out["self_efficacy_baseline"]
    )
    return out.drop(columns=["self_efficacy_baseline", follow]).reset_index(drop=True)


def _definition_problems(name: str, given: str | None, column: str, at: str) -> list[str]:
    """A row whose ``definition`` is not the one the model computes its figure by."""
    own = cat.definition(name)
    if not isinstance(given, str) or given == own:
        return []
    others = cat.with_definition(given) if given != "register" else []
    hint = (
        f"; indicators of that definition: {', '.join(others)}"
        if others
        else "; the model computes no figure by that definition"
    )
    return [
        f"column 'definition', {at}: {column} {name} follows the {own} definition "
        f"({cat.DEFINITIONS[own]}), not {given!r} ({cat.DEFINITIONS[given]}){hint}; "
        f"allowed: {own} (or empty)"
    ]


def _retired_statistics(raw: pd.DataFrame, is_csv: bool) -> list[str]:
    """Rows naming a public statistic that is no longer accepted, each with what to give."""
    if "statistic" not in raw.columns:
        return []
    return [
        f"column 'statistic', {_row_label(i, is_csv)}: {name!r} is no longer accepted: "
        f"{cat.RETIRED_PUBLIC[name]}; allowed: one of {', '.join(cat.PUBLIC_STATISTICS)}"
        for i, name in enumerate(str(v).strip() for v in raw["statistic"].tolist())
        if name in cat.RETIRED_PUBLIC
    ]


def load_public(path: str | Path) -> pd.DataFrame:
    """Read and check public statistics used as targets.

    Returns
    -------
    DataFrame
        Columns ``statistic, group, month_from, month_to, value, se, source, definition``.
        Every statistic is one of :mod:`simulator.survey` (computed as the survey defines
        it); a ``definition`` other than ``survey`` is refused, and so are the former names
        of compounded monthly hazards (:data:`~calibration.catalogue.RETIRED_PUBLIC`).
    """
    raw, is_csv = read_table(path)
    retired = _retired_statistics(raw, is_csv)
    if retired:
        raise DataError(str(path), retired)
    data = check_columns(raw, PUBLIC_COLUMNS, str(path), is_csv)
    problems: list[str] = []
    for i, row in enumerate(data.itertuples(index=False)):
        at = _row_label(i, is_csv)
        problems += _definition_problems(row.statistic, row.definition, "statistic", at)
        if row.month_to < row.month_from:
            problems.append(
                f"column 'month_to', {at}: {row.month_to} is before month_from "
                f"{row.month_from}; allowed: a month >= month_from"
            )
        if row.se <= 0:
            problems.append(
                f"column 'se', {at}: {row.se!r}; allowed: a standard error > 0 "
                "(a published 95% interval's half-width / 1.96)"
            )
        if row.statistic in cat.WHOLE_AREA_ONLY and row.group != "all":
            problems.append(
                f"column 'group', {at}: {row.statistic} is for the whole region only; allowed: all"
            )
    if problems:
        raise DataError(str(path), problems)
    return data

"""The border with the caller's data: a list of strings, a pandas or polars DataFrame or a pyarrow
Table -> columns of optional strings for the core; and the core's columns -> a frame of the
caller's kind. pandas, polars and pyarrow are imported only when the data is theirs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from . import _topictag

LIST, PANDAS, POLARS, ARROW = "list", "pandas", "polars", "arrow"


@dataclass
class Columns:
    kind: str
    ids: Optional[List[Optional[str]]]
    titles: Optional[List[Optional[str]]]
    texts: List[List[Optional[str]]]
    id_column: Optional[str]
    title_column: Optional[str]
    text_columns: List[str]
    labels: Optional[List[Optional[str]]] = None


def _kind(data) -> str:
    module = type(data).__module__.split(".")[0]
    if isinstance(data, (list, tuple)):
        return LIST
    if module == "pandas":
        return PANDAS
    if module == "polars":
        return POLARS
    if module == "pyarrow":
        return ARROW
    raise TypeError(
        f"data must be a list of strings, a pandas or polars DataFrame or a pyarrow Table, "
        f"not {type(data).__name__}"
    )


def from_data(data, text=None, title=None, id=None, label=None) -> Columns:
    """The id, title, text (and label) columns of `data`, chosen as the command line chooses."""
    kind = _kind(data)
    if kind == LIST:
        if text is not None or title is not None or id is not None or label is not None:
            raise TypeError("a list of strings has no columns: pass text=, title=, id= with a frame")
        texts = [None if value is None else str(value) for value in data]
        return Columns(LIST, None, None, [texts], None, None, [])
    names = [str(name) for name in _names(data, kind)]
    wanted_text = [text] if isinstance(text, str) else (list(text) if text else None)
    id_column, title_column, text_columns = _topictag.resolve_columns(
        names, id=id, title=title, text=wanted_text
    )
    labels = None
    if label is not None:
        if label not in names:
            raise missing_column(label, "label", names)
        labels = _strings(data, kind, label)
    return Columns(
        kind,
        _strings(data, kind, id_column) if id_column else None,
        _strings(data, kind, title_column) if title_column else None,
        [_strings(data, kind, column) for column in text_columns],
        id_column,
        title_column,
        text_columns,
        labels,
    )


def missing_column(name, role, names, source="<documents>"):
    """The error for a column `role` names that is not among `names`, as the core words it."""
    return _topictag.InputError(
        f"{source}: no column '{name}' (given by {role}); the columns are: {', '.join(names)}"
    )


def _names(data, kind):
    if kind == ARROW:
        return data.column_names
    return list(data.columns)


def _strings(data, kind, column) -> List[Optional[str]]:
    """One column as Python strings, `None` for a missing value."""
    if kind == PANDAS:
        series = data[column]
        values = series.tolist()
        missing = series.isna().tolist()
        return [None if gone else (v if isinstance(v, str) else str(v)) for v, gone in zip(values, missing)]
    if kind == POLARS:
        series = data.get_column(column)
        if str(series.dtype) not in ("String", "Utf8"):
            series = series.cast(str)
        return series.to_list()
    values = data.column(column)
    import pyarrow

    if not pyarrow.types.is_string(values.type) and not pyarrow.types.is_large_string(values.type):
        values = values.cast(pyarrow.string())
    return values.to_pylist()


def to_frame(columns: dict, kind: str):
    """The core's columns as a frame of `kind`: a pyarrow Table for a list when pyarrow is
    installed, else the columns themselves (a dict of lists)."""
    if kind == LIST:
        try:
            import pyarrow
        except ImportError:
            return columns
        return pyarrow.table(columns)
    if kind == PANDAS:
        pandas = _need("pandas")
        return pandas.DataFrame(columns)
    if kind == POLARS:
        polars = _need("polars")
        return polars.DataFrame(columns, strict=False)
    pyarrow = _need("pyarrow")
    return pyarrow.table(columns)


def _need(name: str):
    try:
        return __import__(name)
    except ImportError:
        raise ImportError(
            f"this call returns a {name} table: install {name} (pip install {name})"
        ) from None

"""topictag on Apache Spark: tag a DataFrame of any size on the executors with a fitted model,
and fit a model on a seeded sample of one, collected to the driver.

    from topictag import spark as tts
    fit = tts.fit(df, text="abstract", sample=200_000, seed=0)   # on the driver
    tagged = tts.tag(df, fit.model, text="abstract")             # on the executors
    tagged.write.parquet("tagged/")

`tag` is exact: every row gets what `topictag tag` gives it with the same model (the model's bytes
are broadcast once and loaded once per Python worker). `fit` is sampled: the rows are chosen by a
seeded hash of their content, so the same seed and input give the same rows however the
DataFrame is partitioned; with `sample` at least the row count it is the library's fit on every
row, in the DataFrame's order.

Only the driver needs pyspark; the executors need this package (the same wheel) and pyarrow.
Every check that can be made before the job runs is made on the driver (columns, their types, the
model file, the sentence-model folder), so bad input fails with the library's message before any
task starts.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy

from . import Fit, InputError, SentenceEncoder, TopicModel, _fit, _fitted_choice, _topictag
from ._frames import missing_column

__all__ = ["tag", "fit", "ADDED_COLUMNS"]

# The added columns that are null for a document with no terms (topic -1).
NULLABLE = ("score", "fit", "novel")
ADDED_COLUMNS = ("topic", "topic_label", "score", "fit", "novel", "tags", "topics")
"""The columns `tag` adds (`topics` only with `top`)."""

SOURCE = "<Spark DataFrame>"
"""How errors name the input: a DataFrame has no file name."""

ModelLike = Union[TopicModel, bytes, str, os.PathLike]


def tag(df, model: ModelLike, text=None, title=None, id=None, top: Optional[int] = None,
        embeddings=None, novel_below: Optional[float] = None):
    """The rows of `df` with the columns of `topictag tag` added: `topic` (int, -1 for a document
    with no terms), `topic_label`, `score` (double, null with topic -1), `fit` (double: the share
    of the document the model's LSA space holds) and `novel` (boolean: fit below the model's
    threshold, or below `novel_below` when given; both null with topic -1), `tags` (array of
    strings) and with `top` `topics`, the best `top` topics as (topic, score) structs.

    model: a TopicModel, the bytes of a model file, or a path to one (read on the driver).
    text, title, id: the columns to read; default: those the model was fitted on, then the
        command line's defaults. `text` may be a list of columns, joined as paragraphs. A null
        value reads as an empty field, as a blank CSV cell does.
    embeddings: for a model fitted with sentence vectors, its sentence-model folder. A folder on
        the driver is shipped to the executors with `SparkContext.addFile`; a path that only
        exists on the executors (a shared file system, or the name an archive unpacks to with
        `--archives minilm.zip#minilm`) is used as it is.

    The result is lazy, as any DataFrame transformation: nothing runs until an action.
    """
    from pyspark.sql import types as T

    fitted = _load(model)
    columns = _columns(df, fitted, text=text, title=title, id=id)
    taken = [name for name in ADDED_COLUMNS if name in df.columns]
    if taken:
        raise InputError(
            f"{SOURCE}: it already has a column '{taken[0]}', which tag adds; rename or drop it first"
        )
    top = _top(top)
    if novel_below is not None:
        # Checked by the core on no rows, on the driver: a bad value fails here, not in a task.
        fitted._inner.tag_columns(None, None, [[]], novel_below=novel_below)
    folder = _embeddings(df, fitted, embeddings)
    schema = T.StructType(list(df.schema.fields) + _added_fields(top))
    data = fitted.to_bytes()
    shipped = (hashlib.sha256(data).hexdigest(), df.sparkSession.sparkContext.broadcast(data))
    picked = columns.picked()

    def tag_batches(batches):
        return _tag_batches(batches, shipped, picked, top, folder, novel_below)

    return df.mapInArrow(tag_batches, schema)


def fit(df, text=None, title=None, id=None, sample: int = 200_000, seed: int = 0, *,
        label=None, embeddings=None, **params) -> Fit:
    """A model fitted on the driver from `sample` rows of `df` drawn on the cluster.

    The rows are those with the `sample` smallest values of a 64-bit hash of the seed and the
    row's id, title and text: the same seed and input give the same rows whatever the
    partitioning, and the sample is spread evenly over the input. They are fitted in their order
    in `df`. With `sample` at least the row count every row is fitted: the result equals
    `topictag.fit` on the same rows.

    `seed` is both the sample's and the fit's. `label`, `embeddings` and every keyword of
    `topictag.fit` (k, min_df, ngrams, output, report, …) are passed on. Returns the library's
    `Fit`, whose `documents` are the sample's; `tag(df, fit.model)` tags every row.
    """
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
        raise _topictag.ParamError(f"invalid sample: {sample!r} (a number of rows, at least 1)")
    columns = _columns(df, None, text=text, title=title, id=id)
    wanted = columns.names()
    if label is not None:
        if label not in df.columns:
            raise missing_column(label, "label", df.columns, SOURCE)
        wanted.append(label)
    wanted = list(dict.fromkeys(wanted))
    settings = dict(text=list(columns.text), title=columns.title, id=columns.id, seed=seed,
                    label=label, source=params.pop("source", SOURCE), **params)
    if embeddings is None or params.get("output") is not None:
        # With output= the command line's run writes the files, and it embeds on the driver.
        table = _sample(df, wanted, columns, sample, seed)
        return _fit(table, embeddings=embeddings, **settings)
    # The sample's sentence vectors are made on the executors, the fit takes them as the
    # folder's: the model is the one a fit with embeddings= on the driver would make.
    encoder = SentenceEncoder(str(embeddings))
    folder = _ship(df, str(embeddings))
    table = _sample(df, wanted, columns, sample, seed, vectors=(folder, columns))
    made = table.column("_vector").to_pylist()
    vectors = numpy.frombuffer(b"".join(made), dtype=numpy.float32).reshape(len(made), encoder.dims)
    return _fit(table.drop_columns(["_vector"]), vectors=vectors, made_by=encoder, **settings)


# ---------------------------------------------------------------------------------------------
# The driver's side: checks, schema, sample.


class _Columns:
    """The columns to read, chosen by the command line's rules among the DataFrame's."""

    def __init__(self, id: Optional[str], title: Optional[str], text: Sequence[str]):
        self.id, self.title, self.text = id, title, list(text)

    def names(self) -> List[str]:
        """The columns a document is made of: id, title, texts (those there are)."""
        return [c for c in [self.id, self.title, *self.text] if c is not None]

    def picked(self) -> Tuple[Optional[str], Optional[str], Tuple[str, ...]]:
        """The same, as the executors' functions take them (picklable, without this class)."""
        return (self.id, self.title, tuple(self.text))


def _load(model: ModelLike) -> TopicModel:
    if isinstance(model, TopicModel):
        return model
    if isinstance(model, (bytes, bytearray, memoryview)):
        return TopicModel.from_bytes(bytes(model))
    if isinstance(model, (str, os.PathLike)):
        return TopicModel.load(model)
    raise TypeError(f"model must be a TopicModel, model bytes or a path, not {type(model).__name__}")


def _columns(df, fitted: Optional[TopicModel], text, title, id) -> _Columns:
    """The id, title and text columns, defaults from the model, then the command line's; every
    text column must hold strings (or values that read as strings)."""
    if fitted is not None:
        choice = _fitted_choice(fitted, text=text, title=title, id=id)
        text = choice["text"]
        # A column the model was fitted on but this DataFrame lacks is not asked for by name.
        names = set(df.columns)
        id = choice["id"] if choice["id"] in names else None
        title = choice["title"] if choice["title"] in names else None
    wanted_text = [text] if isinstance(text, str) else (list(text) if text else None)
    id, title, texts = _topictag.resolve_columns(
        list(df.columns), id=id, title=title, text=wanted_text, source=SOURCE
    )
    types = dict(df.dtypes)
    for role, names in (("text", texts), ("title", [title]), ("id", [id])):
        for name in names:
            if name is not None:
                _check_type(name, types[name], role)
    return _Columns(id, title, texts)


def _check_type(name: str, type_name: str, role: str) -> None:
    """Strings are read as they are and atomic values (numbers, dates) as their text; a column of
    nulls only (type void) or of nested values cannot be a document's text."""
    if type_name == "void":
        raise InputError(
            f"{SOURCE}: column '{name}' ({role}) holds only nulls (its type is void): "
            f"no document has {role}"
        )
    if type_name.startswith(("array", "map", "struct", "binary")):
        raise InputError(
            f"{SOURCE}: column '{name}' ({role}) is of type {type_name}, not text; "
            f"choose a column of strings"
        )


def _top(top) -> Optional[int]:
    if top is None:
        return None
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise _topictag.ParamError(f"invalid top: {top!r} (a number of topics, at least 1)")
    return top


def _added_fields(top: Optional[int]):
    from pyspark.sql import types as T

    fields = [
        T.StructField("topic", T.IntegerType(), False),
        T.StructField("topic_label", T.StringType(), False),
        T.StructField("score", T.DoubleType(), True),
        T.StructField("fit", T.DoubleType(), True),
        T.StructField("novel", T.BooleanType(), True),
        T.StructField("tags", T.ArrayType(T.StringType(), False), False),
    ]
    if top is not None:
        best = T.StructType([
            T.StructField("topic", T.IntegerType(), False),
            T.StructField("score", T.DoubleType(), False),
        ])
        fields.append(T.StructField("topics", T.ArrayType(best, False), False))
    return fields


def _embeddings(df, fitted: TopicModel, embeddings) -> Optional[Tuple[str, str]]:
    """(name, path) of the sentence-model folder for the executors, or None for words only.
    A folder on the driver is checked against the model here and shipped with addFile; `name` is
    what SparkFiles calls it on an executor, `path` the fallback (a shared path)."""
    # The checks the core makes before tagging (a model fitted with sentence vectors needs
    # them, one without refuses them, the folder must be the one fitted with), on no rows.
    # A path that is not a folder here is checked too in local mode, where the executors see
    # the driver's files: a folder missing here is missing there, and the library says so now
    # rather than from inside a task.
    path = None if embeddings is None else str(embeddings)
    local = df.sparkSession.sparkContext.master.startswith("local")
    if path is None or os.path.isdir(path) or local:
        fitted._inner.tag_columns(None, None, [[]], embeddings=path)
    return None if path is None else _ship(df, path)


def _ship(df, path: str) -> Tuple[str, str]:
    """A folder on the driver goes to the executors with addFile (once per folder and session)."""
    context = df.sparkSession.sparkContext
    if os.path.isdir(path):
        key = (id(context), os.path.realpath(path))
        if key not in _SHIPPED:
            context.addFile(path, recursive=True)
            _SHIPPED.add(key)
    return (Path(path).name, path)


_SHIPPED: set = set()
"""Folders already added to a SparkContext: Spark refuses a second addFile of one path."""


def _sample(df, wanted: List[str], columns: _Columns, sample: int, seed: int, vectors=None):
    """The sample as a pyarrow Table of the `wanted` columns, in the DataFrame's order; with
    `vectors` ((folder, columns)) a `_vector` column of each row's sentence vector (float32
    bytes), made on the executors."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    hashed = columns.names()
    rows = df.select(
        F.monotonically_increasing_id().alias("_position"),
        F.xxhash64(F.lit(int(seed)), *[F.col(c) for c in hashed]).alias("_hash"),
        *[F.col(c) for c in wanted],
    )
    if vectors is not None:
        folder, chosen = vectors
        picked_columns = chosen.picked()
        schema = T.StructType(list(rows.schema.fields) + [T.StructField("_vector", T.BinaryType(), False)])

        def embed_batches(batches):
            return _embed_batches(batches, picked_columns, folder)

        rows = rows.mapInArrow(embed_batches, schema)
    total = df.count()
    if sample >= total:
        picked = _to_arrow(rows)
    else:
        # Keep the rows whose hash falls under a threshold set a little above the expected
        # share (4 standard deviations: short of `sample` about once in 30,000 draws, and then
        # drawn again with more), then the `sample` smallest of those.
        share = min(1.0, (sample + 4 * math.sqrt(sample) + 16) / total)
        while True:
            threshold = -(2**63) + int(share * 2**64)
            if share >= 1.0:
                picked = _to_arrow(rows)
            else:
                picked = _to_arrow(rows.where(F.col("_hash") < F.lit(threshold)))
            if picked.num_rows >= sample or share >= 1.0:
                break
            share = min(1.0, share * 1.5)
        picked = picked.sort_by([("_hash", "ascending"), ("_position", "ascending")])
        picked = picked.slice(0, sample)
    picked = picked.sort_by([("_position", "ascending")])
    return picked.select(wanted + (["_vector"] if vectors is not None else []))


def _to_arrow(df):
    """A small DataFrame collected to the driver as a pyarrow Table."""
    if hasattr(df, "toArrow"):  # pyspark >= 4.0
        return df.toArrow()
    import pyarrow

    return pyarrow.Table.from_pandas(df.toPandas(), preserve_index=False)


# ---------------------------------------------------------------------------------------------
# The executors' side: one model per Python worker, batches of Arrow rows tagged in the core.

_MODELS: Dict[str, TopicModel] = {}
"""The model this Python worker has loaded, by the SHA-256 of its bytes: Spark reuses a worker for many
tasks, so a model is read once per worker, not per task or batch."""

LOADS: Dict[str, int] = {}
"""How many times this worker process has loaded each model, by digest (for tests)."""


def _once(cache: dict, key, make: Callable):
    """`cache[key]`, made on first use; one entry at a time, since a worker serves one job after
    another."""
    value = cache.get(key)
    if value is None:
        value = make()
        cache.clear()
        cache[key] = value
    return value


def _worker_model(shipped) -> TopicModel:
    digest, broadcast = shipped

    def load():
        LOADS[digest] = LOADS.get(digest, 0) + 1
        return TopicModel.from_bytes(broadcast.value)

    return _once(_MODELS, digest, load)


def _worker_folder(folder: Optional[Tuple[str, str]]) -> Optional[str]:
    if folder is None:
        return None
    name, path = folder
    try:
        from pyspark import SparkFiles

        shipped = SparkFiles.get(name)
        if os.path.isdir(shipped):
            return shipped
    except Exception:  # no SparkContext files on this worker: the path is a shared one
        pass
    return path


_ENCODERS: Dict[str, SentenceEncoder] = {}
"""The sentence-model folder this worker has loaded, by path: read once per worker too."""


def _worker_encoder(folder: Optional[Tuple[str, str]]) -> Optional[SentenceEncoder]:
    path = _worker_folder(folder)
    return None if path is None else _once(_ENCODERS, path, lambda: SentenceEncoder(path))


def _document_columns(batch, picked):
    """A batch's id, title and text columns as the core takes them."""
    id_column, title_column, text_columns = picked
    ids = _strings(batch, id_column) if id_column else None
    titles = _strings(batch, title_column) if title_column else None
    return ids, titles, [_strings(batch, c) for c in text_columns]


def _embed_batches(batches, picked, folder):
    import pyarrow

    encoder = _worker_encoder(folder)
    for batch in batches:
        rows, dims, data = encoder.encode(*_document_columns(batch, picked))
        width = dims * 4
        made = pyarrow.array([data[i * width:(i + 1) * width] for i in range(rows)], pyarrow.binary())
        arrays = [batch.column(i) for i in range(batch.num_columns)] + [made]
        names = list(batch.schema.names) + ["_vector"]
        yield pyarrow.RecordBatch.from_arrays(arrays, names=names)


def _tag_batches(batches, shipped, picked, top, folder, novel_below=None):
    import pyarrow

    model = _worker_model(shipped)
    encoder = _worker_encoder(folder)
    schema = None
    for batch in batches:
        made = model._inner.tag_columns(
            *_document_columns(batch, picked), top=top, encoder=encoder, novel_below=novel_below
        )
        added = _added_arrays(made, top, pyarrow)
        arrays = [batch.column(i) for i in range(batch.num_columns)] + added
        if schema is None:
            schema = pyarrow.schema(
                list(batch.schema) + [
                    pyarrow.field(name, array.type, nullable=(name in NULLABLE))
                    for name, array in zip(ADDED_COLUMNS, added)
                ]
            )
        yield pyarrow.RecordBatch.from_arrays(arrays, schema=schema)


def _strings(batch, name) -> List[Optional[str]]:
    import pyarrow

    column = batch.column(batch.schema.get_field_index(name))
    if not (pyarrow.types.is_string(column.type) or pyarrow.types.is_large_string(column.type)):
        column = column.cast(pyarrow.string())
    return column.to_pylist()


def _added_arrays(made: dict, top: Optional[int], pyarrow) -> list:
    arrays = [
        pyarrow.array(made["topic"], pyarrow.int32()),
        pyarrow.array(made["topic_label"], pyarrow.string()),
        pyarrow.array(made["score"], pyarrow.float64()),
        pyarrow.array(made["fit"], pyarrow.float64()),
        pyarrow.array(made["novel"], pyarrow.bool_()),
        pyarrow.array(made["tags"], pyarrow.list_(pyarrow.field("element", pyarrow.string(), False))),
    ]
    if top is not None:
        best = pyarrow.struct([
            pyarrow.field("topic", pyarrow.int32(), False),
            pyarrow.field("score", pyarrow.float64(), False),
        ])
        rows = [[{"topic": t, "score": s} for t, s in pairs] for pairs in made["topics"]]
        arrays.append(pyarrow.array(rows, pyarrow.list_(pyarrow.field("element", best, False))))
    return arrays

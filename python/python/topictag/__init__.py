"""topictag: find the themes in a collection of documents and tag every document with them.

    import topictag
    fit = topictag.fit(df, text="abstract", k="auto", seed=0)
    fit.topics          # one row per topic: size, label, top terms, representative ids
    fit.documents       # one row per document: topic, topic_label, score, fit, novel, tags
    fit.model.tag(new_df)
    fit.model.save("model.topictag"); topictag.TopicModel.load("model.topictag")

`data` is a list of strings, a pandas or polars DataFrame, or a pyarrow Table; results come back
as the same kind of frame (a pyarrow Table for a list). pandas, polars and pyarrow are optional:
a call that needs one says which to install. The work runs in Rust with the GIL released; Ctrl-C
stops a fit or a tag within about a second (KeyboardInterrupt).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, List, Optional

from . import _frames, _topictag
from ._frames import Columns, from_data, to_frame
from ._topictag import (
    ComputeError,
    InputError,
    ModelFileError,
    ParamError,
    SentenceEncoder,
    WriteError,
)

__version__ = _topictag.__version__
__all__ = [
    "fit",
    "Fit",
    "TopicModel",
    "ParamError",
    "InputError",
    "ModelFileError",
    "WriteError",
    "ComputeError",
    "SentenceEncoder",
]


class TopicModel:
    """A fitted topic model: puts new documents into the same topics, exactly as the command
    line's `topictag tag` does with the same model file."""

    __slots__ = ("_inner",)

    def __init__(self, inner: "_topictag.TopicModel"):
        self._inner = inner

    def tag(self, data, text=None, title=None, id=None, top: Optional[int] = None,
            vectors=None, embeddings=None, novel_below: Optional[float] = None):
        """Each document's topic, topic_label, score, fit, novel and tags (and with `top` its best topics as
        (topic, score) pairs), as a frame of the input's kind. Columns default to those the
        model was fitted on, then to the command line's defaults. `novel_below` (0 to 1) replaces
        the model's novelty threshold, as `topictag tag --novel-below` does."""
        choice = _fitted_choice(self, text=text, title=title, id=id)
        vectors = None if vectors is None else _float32(vectors)
        # The folder is loaded once for the call, not once per chunk.
        encoder = None
        if embeddings is not None and vectors is None and len(data) > 0:
            encoder = _topictag.SentenceEncoder(_path(embeddings))
        if vectors is not None and vectors.rows != len(data):
            raise InputError(f"<documents>: {vectors.rows} sentence vectors for {len(data)} documents")
        rows: Optional[dict] = None
        # Chunk by chunk, so that only one chunk's strings are copied into the core at a time:
        # memory stays near the frames' own.
        for start, part in _chunks(data, TAG_CHUNK_ROWS):
            columns = _columns(part, choice)
            chunk_vectors = None
            if vectors is not None:
                chunk_vectors = _slice(vectors, start, start + len(part))
            made = self._inner.tag_columns(
                columns.ids, columns.titles, columns.texts, top=top,
                vectors=chunk_vectors, embeddings=_path(embeddings), encoder=encoder,
                novel_below=novel_below,
            )
            if rows is None:
                rows = made
            else:
                for key, values in made.items():
                    rows[key].extend(values)
        if rows is None:  # no rows: the columns of an empty call
            columns = _columns(data, choice)
            rows = self._inner.tag_columns(
                columns.ids, columns.titles, columns.texts, top=top, novel_below=novel_below
            )
        return to_frame(rows, _frames._kind(data))

    def save(self, path) -> None:
        """Writes the model file (the command line reads it: `topictag tag --model PATH`)."""
        self._inner.save(_path(path))

    @staticmethod
    def load(path) -> "TopicModel":
        """Reads a model file written by `save` or by the command line."""
        return TopicModel(_topictag.TopicModel.load(_path(path)))

    def to_bytes(self) -> bytes:
        """The bytes of the model file."""
        return self._inner.to_bytes()

    @staticmethod
    def from_bytes(data: bytes) -> "TopicModel":
        """A model from the bytes of a model file, with every check `load` makes."""
        return TopicModel(_topictag.TopicModel.from_bytes(data))

    def __reduce__(self):
        return (TopicModel.from_bytes, (self.to_bytes(),))

    def __eq__(self, other) -> bool:
        return isinstance(other, TopicModel) and self._inner == other._inner

    def __hash__(self):
        return hash(self.to_bytes())

    @property
    def topics(self) -> List[dict]:
        """The topics, largest first: topic, size, label, top_terms."""
        return self._inner.topics

    def inspect(self) -> dict:
        """What the model holds: format, documents, topics, k choice, terms, dimensions, …"""
        return self._inner.inspect()

    def __repr__(self) -> str:
        return repr(self._inner)


@dataclass(frozen=True)
class Fit:
    """What a fit made and found."""

    model: TopicModel
    documents: Any
    """One row per document: id, title, topic (-1: no terms), topic_label, score, fit, novel
    (fit below the model's novelty threshold), tags."""
    topics: Any
    """One row per topic: topic, size, label, top_terms, representative_ids."""
    metrics: dict
    """What `metrics.json` holds."""
    k_selection: Optional[Any] = None
    """With k="auto": one row per k tried (k, stability, coherence, diversity, inertia, nmi, chosen)."""
    files: List[str] = field(default_factory=list)
    """With output=: the files written."""
    changes: Optional[Any] = None
    """With previous=: what became of each of its topics (old_topic, new_topic, status,
    similarity, old_label, new_label: the columns of topic_changes.csv)."""
    warnings: List[str] = field(default_factory=list)


def fit(data, text=None, title=None, id=None, k="auto", seed=0, *, label=None,
        embeddings=None, vectors=None, output=None, report=True, format="csv",
        progress=False, source=None, previous=None, **params) -> Fit:
    """Finds the topics of `data` and places every document in them.

    data: a list of strings, a pandas or polars DataFrame, or a pyarrow Table.
    text, title, id: the columns to read (defaults: `abstract`, else `text`, else `body`; `title`
        and `id` if present, else no title and the row number). `text` may be a list of columns.
    k: the number of topics, or "auto" (the largest stable k of k_range).
    label: a column of known classes, to score the topics against (evaluation only).
    embeddings: a sentence-transformers model folder; vectors: a float32 array, one row per
        document. Either joins sentence vectors to the words' rows.
    previous: the TopicModel of an earlier fit, as `--previous`: topics that continue keep their
        ids, new ones get ids it never used, and `Fit.changes` says what became of each.
    output: a folder to write the command line's files into (documents, topics, metrics, model,
        report unless report=False), as one set.
    params: every fit setting of the command line, by the library's name: min_df, max_df,
        max_terms, ngrams, weighting, dims, refine, runs, language, stop_words (a file), markup
        (False analyses the text as written: LaTeX, tags, URLs and headings kept),
        k_range, spectral, neighbors, top_terms, label_rerank (False keeps a topic's terms in
        class-based TF-IDF order; by default they are re-ranked, by meaning with a sentence
        model and by co-occurrence without one), fit_sample_rows,
        embedding_weight.
    """
    return _fit(data, text=text, title=title, id=id, k=k, seed=seed, label=label,
                embeddings=embeddings, vectors=vectors, output=output, report=report,
                format=format, progress=progress, source=source, previous=previous, **params)


def _fit(data, text=None, title=None, id=None, k="auto", seed=0, *, label=None,
         embeddings=None, vectors=None, output=None, report=True, format="csv",
         progress=False, source=None, made_by=None, previous=None, **params) -> Fit:
    """`fit`, and with `made_by` (a SentenceEncoder) `vectors` are taken as that encoder's: the
    model records the sentence model, as if the fit had embedded the documents itself."""
    columns = from_data(data, text=text, title=title, id=id, label=label)
    origin = {
        "source": source or "<documents>",
        "id_column": columns.id_column,
        "title_column": columns.title_column,
        "text_columns": columns.text_columns,
    }
    labels = (label, columns.labels) if label is not None else None
    made = _topictag.fit(
        columns.ids, columns.titles, columns.texts, _Origin(**origin),
        labels=labels, vectors=_float32(vectors), embeddings=_path(embeddings),
        output=_path(output), report=report, format=format, progress=progress,
        made_by=made_by, previous=None if previous is None else previous._inner,
        k=k, seed=seed, **params,
    )
    k_selection = made.k_selection
    return Fit(
        model=TopicModel(made.model),
        documents=to_frame(made.documents, columns.kind),
        topics=to_frame(made.topics, columns.kind),
        metrics=json.loads(made.metrics_json),
        k_selection=to_frame(_by_column(k_selection), columns.kind) if k_selection else None,
        files=[str(f) for f in made.files],
        warnings=list(made.warnings),
        changes=to_frame(made.changes, columns.kind) if made.changes is not None else None,
    )


def _fitted_choice(model: TopicModel, text, title, id) -> dict:
    """The columns to read: those given, else those `model` was fitted on (None: the command
    line's defaults)."""
    fitted_id, fitted_title, fitted_text = model._inner.columns
    return dict(
        text=text if text is not None else (fitted_text or None),
        title=title if title is not None else fitted_title,
        id=id if id is not None else fitted_id,
    )


TAG_CHUNK_ROWS = 65_536
"""Rows `TopicModel.tag` hands to the core at a time."""


def _chunks(data, size):
    """(start, slice) pairs of `data`, `size` rows each, whatever its kind."""
    kind = _frames._kind(data)
    for start in range(0, len(data), size):
        if kind == _frames.LIST:
            yield start, data[start:start + size]
        elif kind == _frames.PANDAS:
            yield start, data.iloc[start:start + size]
        else:  # polars and pyarrow
            yield start, data.slice(start, size)


def _columns(data, choice):
    """The columns of `data`; a list of strings has no column names to choose from."""
    return from_data(data) if isinstance(data, (list, tuple)) else from_data(data, **choice)


def _slice(vectors, start, end):
    """Rows start..end of vectors made by `_float32`."""
    width = vectors.cols * 4
    return _Vectors(end - start, vectors.cols, vectors.data[start * width:end * width])


class _Origin:
    """Where the documents came from and which columns held them (extracted by attribute)."""

    def __init__(self, source, id_column, title_column, text_columns):
        self.source = source
        self.id_column = id_column
        self.title_column = title_column
        self.text_columns = text_columns


def _by_column(rows: List[dict]) -> dict:
    return {key: [row[key] for row in rows] for key in rows[0]} if rows else {}


def _path(value):
    return None if value is None else str(value)


def _float32(vectors):
    if vectors is None:
        return None
    import numpy

    array = numpy.ascontiguousarray(vectors, dtype=numpy.float32)
    if array.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array (one row per document), not {array.ndim}-D")
    return _Vectors(array.shape[0], array.shape[1], array.tobytes())


class _Vectors:
    """A float32 array as the core takes it: shape and C-order bytes."""

    def __init__(self, rows, cols, data):
        self.rows, self.cols, self.data = rows, cols, data

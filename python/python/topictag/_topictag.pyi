"""The Rust extension behind topictag: columns in, columns out. Use the `topictag` module."""

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

__version__: str

Column = Sequence[Optional[str]]

class ParamError(ValueError): ...
class InputError(ValueError): ...
class ModelFileError(ValueError): ...
class WriteError(OSError): ...
class ComputeError(RuntimeError): ...

def resolve_columns(
    available: Sequence[str],
    id: Optional[str] = None,
    title: Optional[str] = None,
    text: Optional[Sequence[str]] = None,
    source: str = "<documents>",
) -> Tuple[Optional[str], Optional[str], List[str]]: ...

def fit(
    ids: Optional[Column],
    titles: Optional[Column],
    texts: Sequence[Column],
    origin: Any,
    labels: Optional[Tuple[str, Column]] = None,
    vectors: Any = None,
    embeddings: Optional[str] = None,
    output: Optional[str] = None,
    report: bool = True,
    format: str = "csv",
    progress: bool = False,
    made_by: Optional[SentenceEncoder] = None,
    **settings: Any,
) -> Fit: ...

class Fit:
    model: TopicModel
    documents: Dict[str, list]
    topics: Dict[str, list]
    metrics_json: str
    k_selection: Optional[List[Dict[str, Any]]]
    files: List[Path]
    warnings: List[str]

class TopicModel:
    def tag_columns(
        self,
        ids: Optional[Column],
        titles: Optional[Column],
        texts: Sequence[Column],
        top: Optional[int] = None,
        vectors: Any = None,
        embeddings: Optional[str] = None,
        encoder: Optional[SentenceEncoder] = None,
    ) -> Dict[str, list]: ...
    def save(self, path: Union[str, Path]) -> None: ...
    @staticmethod
    def load(path: Union[str, Path]) -> TopicModel: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> TopicModel: ...
    @property
    def topics(self) -> List[Dict[str, Any]]: ...
    @property
    def columns(self) -> Tuple[Optional[str], Optional[str], List[str]]: ...
    def inspect(self) -> Dict[str, Any]: ...

class SentenceEncoder:
    """A sentence-transformers folder loaded once."""

    def __init__(self, folder: Union[str, Path]) -> None: ...
    @property
    def dims(self) -> int: ...
    @property
    def folder(self) -> Path: ...
    @property
    def describe(self) -> str: ...
    def encode(
        self, ids: Optional[Column], titles: Optional[Column], texts: Sequence[Column]
    ) -> Tuple[int, int, bytes]: ...

"""topictag.spark as a Spark user runs it, in local mode (local[2]): tag on the executors equals
the command line's `topictag tag` row for row on 60,000 documents over several partitions; fit on
a sample covering every row equals the library's fit; the sample is the same rows for the same
seed however the DataFrame is split; bad input fails with the library's message before any task
runs; a sentence-model folder reaches the executors through addFile."""

import csv
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pandas
import pyarrow
import pytest

import topictag

ROOT = Path(__file__).resolve().parents[2]
PAPERS = ROOT / "data" / "papers.csv"

if os.environ.get("TOPICTAG_TEST_ALL") != "1":
    pytest.importorskip("pyspark")

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from topictag import spark as tts  # noqa: E402

DOCUMENTS = 60_000

# pyspark's own warning about pandas 3 (topictag.spark moves rows as Arrow, not pandas).
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("topictag-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Batches of 2,000 rows: each task hands the core several, so the model must be loaded
        # once per worker for the counts below to hold.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2000")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def papers():
    return pandas.read_csv(PAPERS, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def model(papers):
    return topictag.fit(papers).model


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, papers):
    """60,000 abstracts of three to six sentences drawn from the digest, with titles, ids, and
    one row in 500 with a blank abstract (and no title): a CSV file as a user would have."""
    sentences = [s for a in papers["abstract"] for s in re.split(r"(?<=\.)\s+", a) if s]
    titles = list(papers["title"])
    rng = random.Random(0)
    path = tmp_path_factory.mktemp("corpus") / "abstracts.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "title", "abstract"])
        for row in range(DOCUMENTS):
            if row % 500 == 7:
                out.writerow([f"d{row}", "", ""])
                continue
            text = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
            out.writerow([f"d{row}", rng.choice(titles), text])
    return path


def read(spark, path, partitions=None):
    df = spark.read.csv(str(path), header=True, multiLine=True, escape='"')
    return df.repartition(partitions) if partitions else df


def cli():
    binary = os.environ.get("TOPICTAG_BIN")
    if binary:
        return binary
    for profile in ("debug", "release"):
        candidate = ROOT / "target" / profile / "topictag"
        if candidate.exists():
            return str(candidate)
    pytest.fail("no topictag binary: run `cargo build` (or set TOPICTAG_BIN)")


def cli_tag(model, corpus, tmp_path, *flags):
    path = tmp_path / "model.topictag"
    model.save(path)
    out = tmp_path / "tagged.csv"
    subprocess.run(
        [cli(), "tag", "--quiet", "--model", str(path), str(corpus), "-o", str(out), *flags],
        check=True,
    )
    with open(out, newline="", encoding="utf-8") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def as_cli_row(row, top):
    """A Spark row in the command line's CSV spelling."""
    cells = {
        "topic": str(row["topic"]),
        "topic_label": row["topic_label"],
        "score": "" if row["score"] is None else f"{row['score']:.4f}",
        "fit": "" if row["fit"] is None else f"{row['fit']:.4f}",
        "novel": "" if row["novel"] is None else str(row["novel"]).lower(),
        "tags": ";".join(row["tags"]),
    }
    if top:
        cells["topics"] = ";".join(f"{t['topic']}:{t['score']:.4f}" for t in row["topics"])
    return cells


def test_tag_on_spark_equals_the_command_lines_tag_row_for_row(spark, model, corpus, tmp_path):
    expected = cli_tag(model, corpus, tmp_path, "--top", "3")
    df = read(spark, corpus, partitions=7)
    assert df.rdd.getNumPartitions() == 7
    tagged = tts.tag(df, model, top=3)
    got = {row["id"]: as_cli_row(row, top=True) for row in tagged.collect()}
    assert len(got) == len(expected) == DOCUMENTS
    fields = ["topic", "topic_label", "score", "fit", "novel", "tags", "topics"]
    differ = [i for i, row in expected.items() if {k: row[k] for k in fields} != got[i]]
    assert not differ, f"{len(differ)} rows differ, first {differ[0]}: {expected[differ[0]]} vs {got[differ[0]]}"
    blank = [i for i, row in got.items() if row["topic"] == "-1"]
    assert len(blank) == DOCUMENTS // 500 and all(
        got[i]["score"] == got[i]["fit"] == got[i]["novel"] == "" for i in blank
    )


def test_tag_keeps_every_column_and_declares_its_schema(spark, model, corpus):
    df = read(spark, corpus).withColumn("year", F.lit(2024))
    tagged = tts.tag(df, model)
    # Planned without running: the schema is declared.
    assert tagged.columns == [
        "id", "title", "abstract", "year", "topic", "topic_label", "score", "fit", "novel", "tags"
    ]
    assert dict(tagged.dtypes)["tags"] == "array<string>"
    assert dict(tagged.dtypes)["novel"] == "boolean"
    first = tagged.limit(3).collect()
    assert [r["year"] for r in first] == [2024] * 3
    assert tagged.count() == DOCUMENTS


def test_the_model_is_loaded_once_per_python_worker(spark, model, corpus):
    tagged = tts.tag(read(spark, corpus, partitions=6), model)
    assert tagged.where(F.col("topic") >= 0).count() == DOCUMENTS - DOCUMENTS // 500
    digest = __import__("hashlib").sha256(model.to_bytes()).hexdigest()

    def loads(batches):
        from topictag import spark as worker

        for _ in batches:
            pass
        yield pyarrow.RecordBatch.from_pydict(
            {"pid": [os.getpid()], "loads": [worker.LOADS.get(digest, 0)]}
        )

    # Asked of the workers that ran the tasks: those of Arrow functions (Spark keeps them apart
    # from those of RDD functions).
    probe = spark.range(0, 8, 1, 8).mapInArrow(loads, "pid long, loads long").collect()
    per_worker = {r["pid"]: r["loads"] for r in probe}
    # 30 batches of 2,000 rows in 6 tasks, on two cores: each worker loaded the model at most once.
    assert max(per_worker.values()) == 1, per_worker


def test_a_null_text_gets_what_the_command_line_gives_a_blank_one(spark, model):
    df = spark.createDataFrame(
        [("a", "Vision models", None), ("b", None, ""), ("c", None, "low-rank adaptation of weights")],
        "id string, title string, abstract string",
    )
    rows = {r["id"]: r for r in tts.tag(df, model).collect()}
    assert rows["b"]["topic"] == -1 and rows["b"]["score"] is None and rows["b"]["tags"] == []
    assert rows["b"]["fit"] is None and rows["b"]["novel"] is None
    assert rows["a"]["topic"] >= 0  # the title alone has terms
    assert rows["c"]["topic"] >= 0
    flagged = {r["id"]: r["novel"] for r in tts.tag(df, model, novel_below=1.0).collect()}
    assert flagged == {"a": True, "b": None, "c": True}
    with pytest.raises(topictag.ParamError, match="novel_below"):
        tts.tag(df, model, novel_below=-0.5)


def test_fit_with_a_sample_covering_every_row_equals_the_librarys_fit(spark, corpus):
    rows = pandas.read_csv(corpus, dtype=str, keep_default_na=False).head(4000)
    df = spark.createDataFrame(rows).repartition(3)
    in_order = pandas.DataFrame(
        [r.asDict() for r in df.collect()], columns=["id", "title", "abstract"]
    )
    made = tts.fit(df, sample=10**9, k=6)
    library = topictag.fit(in_order, k=6)
    assert made.model == library.model
    assert made.documents.column("id").to_pylist() == list(library.documents["id"])
    assert made.documents.column("topic").to_pylist() == list(library.documents["topic"])
    assert made.model.inspect()["documents"] == 4000


def test_a_sample_is_the_same_rows_for_the_same_seed_however_the_data_is_split(spark, corpus):
    df = read(spark, corpus)
    ids = lambda made: sorted(made.documents.column("id").to_pylist())
    one = tts.fit(df.repartition(5), sample=3000, seed=4, k=5)
    two = tts.fit(df.repartition(2), sample=3000, seed=4, k=5)
    other = tts.fit(df, sample=3000, seed=5, k=5)
    assert len(ids(one)) == 3000 and ids(one) == ids(two)
    assert len(set(ids(one)) & set(ids(other))) < 600  # another seed: another sample (~5% shared)
    # In the DataFrame's order: the same split gives the same model.
    again = tts.fit(df.repartition(5), sample=3000, seed=4, k=5)
    assert ids(again) == ids(one)


def test_bad_input_fails_with_the_librarys_message_before_any_task(spark, model, corpus):
    df = read(spark, corpus)
    with pytest.raises(topictag.InputError, match=r"<Spark DataFrame>: no column 'summary'.*id, title, abstract"):
        tts.tag(df, model, text="summary")
    with pytest.raises(topictag.InputError, match="no column 'summary'"):
        tts.fit(df, text="summary")
    nulls = df.withColumn("abstract", F.lit(None))
    with pytest.raises(topictag.InputError, match="column 'abstract' \\(text\\) holds only nulls"):
        tts.tag(nulls, model)
    with pytest.raises(topictag.InputError, match="holds only nulls"):
        tts.fit(nulls)
    # A string column whose every value is null: the fit finds no document with terms.
    empty = df.withColumn("abstract", F.lit(None).cast("string")).drop("title")
    with pytest.raises(topictag.InputError, match="no document"):
        tts.fit(empty, sample=500)
    newer = bytearray(model.to_bytes())
    newer[16:20] = (99).to_bytes(4, "little")
    with pytest.raises(topictag.ModelFileError, match="model format version 99 .* is not supported"):
        tts.tag(df, bytes(newer))
    with pytest.raises(topictag.InputError, match="already has a column 'topic'"):
        tts.tag(df.withColumn("topic", F.lit(1)), model)
    with pytest.raises(topictag.ParamError, match="sample"):
        tts.fit(df, sample=0)


def test_a_sentence_model_reaches_the_executors_through_add_file(spark, papers, tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from tiny_model import write

    folder = write(tmp_path / "tiny", PAPERS)
    df = spark.createDataFrame(papers).repartition(3)
    in_order = pandas.DataFrame([r.asDict() for r in df.collect()], columns=list(papers.columns))
    # The sample's vectors are made on the executors; the model is the one the library makes
    # embedding the same rows itself.
    made = tts.fit(df, sample=10**6, k=6, embeddings=folder)
    assert made.model.inspect()["sentence_vectors"].startswith("model tiny")
    assert made.model == topictag.fit(in_order, k=6, embeddings=folder).model
    sampled = tts.fit(df, sample=60, k=4, embeddings=folder)
    assert sampled.model.inspect()["documents"] == 60
    rows = {r["id"]: r for r in tts.tag(df, made.model, embeddings=folder).collect()}
    local = made.model.tag(papers, embeddings=folder)
    assert [rows[i]["topic"] for i in local["id"]] == list(local["topic"])
    with pytest.raises(topictag.InputError, match="sentence vectors"):
        tts.tag(df, made.model)
    # In local mode the executors see the driver's files: a missing folder is named at once.
    with pytest.raises(topictag.InputError, match="missing-folder: cannot use this sentence model"):
        tts.tag(df, made.model, embeddings="/nowhere/missing-folder")

"""The Python package as a notebook uses it: every input kind, exactness against the command
line's committed output on data/papers.csv, model files and pickles both ways, errors as
exceptions, threads, and Ctrl-C."""

import _thread
import csv
import os
import pickle
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy
import pandas
import polars
import pyarrow
import pytest

import topictag

ROOT = Path(__file__).resolve().parents[2]
PAPERS = ROOT / "data" / "papers.csv"
OUTPUT = ROOT / "output"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def papers():
    return pandas.read_csv(PAPERS, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def fitted(papers):
    return topictag.fit(papers)


def test_a_fit_on_the_digest_gives_the_command_lines_documents_and_topics(fitted):
    expected = read_csv(OUTPUT / "documents.csv")
    documents = fitted.documents
    assert list(documents["id"]) == [row["id"] for row in expected]
    assert list(documents["topic"]) == [int(row["topic"]) for row in expected]
    assert list(documents["topic_label"]) == [row["topic_label"] for row in expected]
    assert [";".join(tags) for tags in documents["tags"]] == [row["tags"] for row in expected]
    scores = [f"{s:.4f}" if s == s else "" for s in documents["score"]]
    assert scores == [row["score"] for row in expected]
    fits = [f"{s:.4f}" if s == s else "" for s in documents["fit"]]
    assert fits == [row["fit"] for row in expected]
    novel = ["" if n is None else str(n).lower() for n in documents["novel"]]
    assert novel == [row["novel"] for row in expected]
    topics = read_csv(OUTPUT / "topics.csv")
    assert list(fitted.topics["label"]) == [row["label"] for row in topics]
    assert [";".join(r) for r in fitted.topics["representative_ids"]] == [
        row["representative_ids"] for row in topics
    ]
    assert fitted.metrics["documents"] == len(expected)
    assert fitted.k_selection is not None and fitted.k_selection["chosen"].sum() == 1


def test_output_writes_the_command_lines_files_byte_for_byte(papers, tmp_path):
    here = os.getcwd()
    os.chdir(ROOT)  # the report names its input as the command line did: data/papers.csv
    try:
        made = topictag.fit(papers, output=tmp_path / "out", source="data/papers.csv")
    finally:
        os.chdir(here)
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(p.name for p in OUTPUT.iterdir())
    for name in written:
        assert (tmp_path / "out" / name).read_bytes() == (OUTPUT / name).read_bytes(), name
    assert len(made.files) == len(written)


def test_a_model_tags_the_same_in_python_and_in_the_command_line(fitted, papers, tmp_path):
    cli_model = topictag.TopicModel.load(OUTPUT / "model.topictag")
    assert cli_model == fitted.model
    tagged = cli_model.tag(papers)
    pandas.testing.assert_frame_equal(tagged, fitted.documents)
    path = tmp_path / "model.topictag"
    fitted.model.save(path)
    assert path.read_bytes() == (OUTPUT / "model.topictag").read_bytes()


def test_pickle_and_bytes_load_back_an_equal_model(fitted, papers):
    again = pickle.loads(pickle.dumps(fitted.model))
    assert again == fitted.model
    assert again.to_bytes() == fitted.model.to_bytes()
    assert topictag.TopicModel.from_bytes(fitted.model.to_bytes()) == fitted.model
    pandas.testing.assert_frame_equal(again.tag(papers.head(20)), fitted.documents.head(20))


def test_every_input_kind_gives_the_same_topics(papers, fitted):
    as_polars = topictag.fit(polars.from_pandas(papers))
    assert isinstance(as_polars.documents, polars.DataFrame)
    assert as_polars.documents["topic"].to_list() == list(fitted.documents["topic"])
    as_arrow = topictag.fit(pyarrow.Table.from_pandas(papers, preserve_index=False))
    assert isinstance(as_arrow.documents, pyarrow.Table)
    assert as_arrow.documents.column("topic").to_pylist() == list(fitted.documents["topic"])
    texts = [f"{t}\n\n{a}" for t, a in zip(papers["title"], papers["abstract"])]
    as_list = topictag.fit(texts, k=8)
    assert isinstance(as_list.documents, pyarrow.Table)
    assert as_list.documents.num_rows == len(texts)


def test_best_topics_come_with_top(fitted, papers):
    tagged = fitted.model.tag(papers.head(5), top=3)
    for best, topic in zip(tagged["topics"], tagged["topic"]):
        assert len(best) == 3 and best[0][0] == topic


def test_novel_below_replaces_the_models_threshold(fitted, papers):
    threshold = fitted.model.inspect()["novelty_threshold"]
    assert 0 < threshold < 1
    head = papers.head(10)
    tagged = fitted.model.tag(head)
    assert list(tagged["novel"]) == [f < threshold for f in tagged["fit"]]
    assert all(fitted.model.tag(head, novel_below=1.0)["novel"])
    assert not any(fitted.model.tag(head, novel_below=0.0)["novel"])
    with pytest.raises(topictag.ParamError, match="novel_below"):
        fitted.model.tag(head, novel_below=1.5)


def test_a_refit_with_previous_keeps_ids_as_the_command_line_does(papers, tmp_path):
    first = topictag.fit(papers.head(80))
    assert first.changes is None
    again = topictag.fit(papers, previous=first.model)
    assert list(again.changes.columns) == [
        "old_topic", "new_topic", "status", "similarity", "old_label", "new_label"
    ]
    assert (again.changes["status"] == "continued").sum() >= 1
    path = tmp_path / "first.topictag"
    first.model.save(path)
    binary = os.environ.get("TOPICTAG_BIN") or next(
        str(p) for p in (ROOT / "target" / "debug" / "topictag", ROOT / "target" / "release" / "topictag")
        if p.exists()
    )
    out = tmp_path / "out"
    subprocess.run(
        [binary, str(PAPERS), "--previous", str(path), "--quiet", "--no-report", "-o", str(out)],
        check=True,
    )
    expected = read_csv(out / "documents.csv")
    assert list(again.documents["topic"]) == [int(row["topic"]) for row in expected]
    changes = read_csv(out / "topic_changes.csv")
    assert list(again.changes["status"]) == [row["status"] for row in changes]
    assert [None if n != n else int(n) for n in again.changes["new_topic"]] == [
        int(row["new_topic"]) if row["new_topic"] else None for row in changes
    ]


def test_settings_are_keywords_named_as_the_library_names_them(papers):
    with pytest.raises(ValueError, match="min_df"):
        topictag.fit(papers, min_df=0)
    with pytest.raises(topictag.ParamError, match="k"):
        topictag.fit(papers, k=500)
    with pytest.raises(TypeError, match="min_dff"):
        topictag.fit(papers, min_dff=2)
    made = topictag.fit(papers, k=5, ngrams=2, weighting="tfidf", dims=50, runs=3, seed=7)
    assert len(made.topics) == 5


def test_a_missing_column_names_the_columns_there_are(papers):
    with pytest.raises(topictag.InputError, match="no column 'summary'.*id, title, abstract"):
        topictag.fit(papers, text="summary")


def test_a_bad_model_file_names_the_file_and_the_problem(tmp_path):
    path = tmp_path / "notes.topictag"
    path.write_bytes(b"id,title\n1,a\n")
    with pytest.raises(topictag.ModelFileError, match="notes.topictag: not a topictag model"):
        topictag.TopicModel.load(path)
    with pytest.raises(topictag.ModelFileError, match="truncated"):
        topictag.TopicModel.from_bytes((OUTPUT / "model.topictag").read_bytes()[:100])


def test_two_threads_tag_at_once_and_agree(fitted, papers):
    big = pandas.concat([papers] * 40, ignore_index=True)
    results = [None, None]

    def work(slot):
        results[slot] = fitted.model.tag(big)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pandas.testing.assert_frame_equal(results[0], results[1])
    assert list(results[0]["topic"][: len(papers)]) == list(fitted.documents["topic"])


def test_sentence_vectors_from_an_array_are_required_by_tag(papers):
    rng = numpy.random.default_rng(0)
    vectors = rng.normal(size=(len(papers), 8)).astype(numpy.float32)
    made = topictag.fit(papers, k=6, vectors=vectors)
    assert made.model.inspect()["sentence_vectors"] is not None
    with pytest.raises(topictag.InputError, match="sentence vectors"):
        made.model.tag(papers)
    tagged = made.model.tag(papers, vectors=vectors)
    assert list(tagged["topic"]) == list(made.documents["topic"])


def test_ctrl_c_stops_a_fit_within_a_second(papers):
    # 100,000 documents of four sentences each drawn from the digest: a fit of a few seconds.
    sentences = [s for a in papers["abstract"] for s in re.split(r"(?<=\.)\s+", a) if s]
    picks = numpy.random.default_rng(0).integers(0, len(sentences), size=(100_000, 4))
    texts = [" ".join(sentences[i] for i in row) for row in picks]
    timer = threading.Timer(1.0, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        topictag.fit(texts, k=18)
    stopped = time.monotonic() - start - 1.0
    assert stopped < 1.5, f"took {stopped:.2f} s after the interrupt"


def test_progress_prints_each_stage_for_a_person_watching(papers, capfd):
    topictag.fit(papers, k=4, progress=True)
    err = capfd.readouterr().err
    for stage in ("text", "vectorize", "reduce", "cluster", "label", "evaluate"):
        assert f"topictag: {stage}" in err, err


def test_the_package_works_without_pandas_polars_or_pyarrow():
    script = (
        "import sys\n"
        "for name in ('pandas', 'polars', 'pyarrow'): sys.modules[name] = None\n"
        "import topictag\n"
        "texts = ['galaxy telescope stars orbit', 'protein gene cell enzyme'] * 30\n"
        "fit = topictag.fit(texts, k=2)\n"
        "assert isinstance(fit.documents, dict), type(fit.documents)\n"
        "print(sorted(fit.topics['label']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "galaxy" in done.stdout


def test_a_sentence_model_folder_embeds_for_fit_and_tag(papers, tmp_path):
    from tiny_model import write

    folder = write(tmp_path / "tiny", PAPERS)
    made = topictag.fit(papers, k=6, embeddings=folder)
    assert made.model.inspect()["sentence_vectors"].startswith("model tiny (16 dims")
    tagged = made.model.tag(papers, embeddings=folder)
    pandas.testing.assert_frame_equal(tagged, made.documents)
    with pytest.raises(topictag.InputError, match="sentence vectors"):
        made.model.tag(papers)
    written = topictag.fit(papers, k=6, embeddings=folder, output=tmp_path / "out", report=False)
    pandas.testing.assert_frame_equal(written.documents, made.documents)
    assert topictag.TopicModel.load(tmp_path / "out" / "model.topictag") == made.model
    # The model re-ranks the label terms; label_rerank=False keeps class-based TF-IDF order.
    in_order = topictag.fit(papers, k=6, embeddings=folder, label_rerank=False)
    assert list(in_order.documents["topic"]) == list(made.documents["topic"])
    assert list(in_order.topics["top_terms"]) != list(made.topics["top_terms"])
    assert made.model.inspect()["label_rerank"] is True
    assert made.model.inspect()["term_order"] == "re-ranked by meaning (sentence model)"
    assert in_order.model.inspect()["label_rerank"] is False
    assert in_order.model.inspect()["term_order"] == "class-based TF-IDF order"


def test_words_only_terms_are_re_ranked_by_co_occurrence_unless_asked_not_to(papers):
    made = topictag.fit(papers, k=6)
    in_order = topictag.fit(papers, k=6, label_rerank=False)
    assert made.model.inspect()["term_order"] == "re-ranked by co-occurrence"
    assert in_order.model.inspect()["term_order"] == "class-based TF-IDF order"
    # The same topics, described by other terms.
    assert list(in_order.documents["topic"]) == list(made.documents["topic"])
    assert list(in_order.topics["top_terms"]) != list(made.topics["top_terms"])


def test_tagging_in_chunks_gives_the_rows_of_one_call(fitted, papers, monkeypatch):
    big = pandas.concat([papers] * 5, ignore_index=True)
    whole = fitted.model.tag(big)
    monkeypatch.setattr(topictag, "TAG_CHUNK_ROWS", 97)
    pandas.testing.assert_frame_equal(fitted.model.tag(big), whole)
    as_arrow = fitted.model.tag(pyarrow.Table.from_pandas(big, preserve_index=False))
    assert as_arrow.column("topic").to_pylist() == list(whole["topic"])
    as_polars = fitted.model.tag(polars.from_pandas(big))
    assert as_polars["tags"].to_list() == list(whole["tags"])
    vectors = numpy.random.default_rng(1).normal(size=(len(papers), 4)).astype(numpy.float32)
    made = topictag.fit(papers, k=5, vectors=vectors)
    assert list(made.model.tag(papers, vectors=vectors)["topic"]) == list(made.documents["topic"])
    with pytest.raises(topictag.InputError, match="3 sentence vectors"):
        made.model.tag(papers, vectors=vectors[:3])

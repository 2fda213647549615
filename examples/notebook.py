"""A notebook's first session with topictag, as one script (run by the README's test command):
fit the digest in data/, look at the topics, tag new rows with the model, write the report."""

import tempfile
from pathlib import Path

import pandas

import topictag

root = Path(__file__).resolve().parents[1]
papers = pandas.read_csv(root / "data" / "papers.csv", dtype=str, keep_default_na=False)

# Fit: k auto picks the largest stable number of topics.
fit = topictag.fit(papers, seed=0)
print(fit.topics[["topic", "size", "label"]].to_string(index=False))
print(f"coherence {fit.metrics['coherence_npmi']:.3f}, diversity {fit.metrics['diversity']:.3f}")

# The papers that stand for the largest topic.
first = fit.topics.iloc[0]
print(f"\ntopic 0 ({first['label']}):")
for paper in papers.set_index("id").loc[first["representative_ids"], "title"]:
    print(f"  - {paper}")

# New rows go into the same topics; `top` lists each row's best topics.
new = pandas.DataFrame(
    {
        "id": ["n1", "n2"],
        "title": ["Faster inference for large language models", "Video generation with diffusion"],
        "abstract": [
            "We cut the memory and latency of serving LLMs with quantization and caching.",
            "A diffusion model generates long videos frame by frame with temporal attention.",
        ],
    }
)
print(fit.model.tag(new, top=2)[["id", "topic", "topic_label", "score", "topics"]].to_string(index=False))

# The report a person reads: report.html beside the CSV files and the model.
with tempfile.TemporaryDirectory() as out:
    written = topictag.fit(papers, seed=0, output=out)
    report = Path(out) / "report.html"
    assert report.exists() and report.stat().st_size > 0
    print(f"\nwrote {len(written.files)} files; open {report.name} in a browser")

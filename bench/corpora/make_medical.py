#!/usr/bin/env python3
"""Convert the Medical Abstracts TC Corpus test split to an id,title,text,label CSV.

Usage: make_medical.py MIRROR_GIT_DIR [OUTPUT_CSV]

MIRROR_GIT_DIR is a bare git dir of github.com/sebischair/Medical-Abstracts-TC-Corpus
(e.g. /work/.mirror/sebischair+Medical-Abstracts-TC-Corpus/repo); a plain checkout works too.
Reads medical_tc_test.csv (condition_label,medical_abstract) and medical_tc_labels.csv
(condition_label,condition_name) at HEAD. The abstract is copied unchanged into `text`
(its first sentence is the paper title; the corpus has no separate title field, so `title`
is left empty). Rows keep the source order; ids are med-test-00001, med-test-00002, ...
"""
import csv
import io
import subprocess
import sys
from pathlib import Path


def read_source(repo: Path, name: str) -> str:
    if (repo / name).is_file():  # a checkout
        return (repo / name).read_text(encoding="utf-8")
    out = subprocess.run(["git", f"--git-dir={repo}", "show", f"HEAD:{name}"],
                         check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def main() -> int:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    repo = Path(sys.argv[1])
    output = Path(sys.argv[2]) if len(sys.argv) == 3 else Path(__file__).with_name("medical_abstracts.csv")

    names = {row["condition_label"]: row["condition_name"]
             for row in csv.DictReader(io.StringIO(read_source(repo, "medical_tc_labels.csv")))}
    rows = list(csv.DictReader(io.StringIO(read_source(repo, "medical_tc_test.csv"), newline="")))

    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)  # RFC 4180 quoting, \r\n line ends
        writer.writerow(["id", "title", "text", "label"])
        for number, row in enumerate(rows, start=1):
            writer.writerow([f"med-test-{number:05d}", "", row["medical_abstract"],
                             names[row["condition_label"]]])
    print(f"{output}: {len(rows)} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

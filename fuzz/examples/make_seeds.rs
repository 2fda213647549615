//! Writes the seed corpora under `fuzz/seeds/<target>/` from the repository's real files, and
//! the fixed model of the `tag` target (`fuzz/models/papers.topictag`).
//!
//!     cargo run --release --manifest-path fuzz/Cargo.toml --example make_seeds

use topictag::embed::cache::{self, VectorCache};
use topictag::embed::{SentenceVectors, VectorSource};
use topictag::{FitInput, TopicModel};
use topictag_fuzz::{fuzz_dir, repo_dir, tiny_model};

fn seed(target: &str, name: &str, bytes: &[u8]) {
    let dir = fuzz_dir().join("seeds").join(target);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join(name), bytes).expect("write seed");
}

fn with_flags(flags: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(bytes);
    out
}

fn repo_file(relative: &str) -> Vec<u8> {
    std::fs::read(repo_dir().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The first `rows` lines of a CSV file (whole records: papers.csv has one per line).
fn head_lines(bytes: &[u8], rows: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.lines().take(rows).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

/// An `.npy` file (format 1.0) with the given dtype, shape and data.
fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn f32s(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn main() {
    let csv_files = [
        "tests/fixtures/themes/docs.csv",
        "tests/fixtures/themes/labeled.csv",
        "tests/fixtures/columns/docs.csv",
        "tests/fixtures/dated/docs.csv",
        "tests/fixtures/duplicates/docs.csv",
        "tests/fixtures/no_id/docs.csv",
        "tests/fixtures/no_terms/docs.csv",
        "tests/fixtures/all_filtered/docs.csv",
        "tests/fixtures/markup/latex.csv",
        "output/topics.csv",
        "output/topic_tree.csv",
        "output/k_selection.csv",
    ];
    for (i, file) in csv_files.iter().enumerate() {
        let name = file.replace('/', "_");
        // Flags: extension .csv, default columns; and every fourth seed with named columns.
        seed(
            "read_csv",
            &name,
            &with_flags(((i % 4) as u8) << 2, &repo_file(file)),
        );
    }
    let papers = repo_file("data/papers.csv");
    seed(
        "read_csv",
        "data_papers_head.csv",
        &with_flags(0, &head_lines(&papers, 6)),
    );
    let tsv =
        String::from_utf8_lossy(&repo_file("tests/fixtures/themes/docs.csv")).replace(',', "\t");
    seed("read_csv", "themes.tsv", &with_flags(1, tsv.as_bytes()));
    seed(
        "read_csv",
        "themes_detected",
        &with_flags(3, &repo_file("tests/fixtures/themes/docs.csv")),
    );

    for (flags, file) in [
        (0u8, "tests/fixtures/jsonl/docs.jsonl"),
        (3, "tests/fixtures/jsonl/docs.jsonl"),
        (0x10 | 4, "tests/fixtures/jsonl/docs.jsonl"),
        (0, "tests/fixtures/markup/jats.jsonl"),
        (0x20 | 8, "tests/fixtures/markup/jats.jsonl"),
    ] {
        let name = format!("{}_{flags:02x}", file.replace('/', "_"));
        seed("read_jsonl", &name, &with_flags(flags, &repo_file(file)));
    }
    seed(
        "read_jsonl",
        "output_metrics.json",
        &with_flags(2, &repo_file("output/metrics.json")),
    );

    // The models: papers (the tag target's), a small one on the themes fixture, and one fitted
    // with sentence vectors.
    let papers_model = topictag_fuzz::fit_papers_model();
    let models = fuzz_dir().join("models");
    std::fs::create_dir_all(&models).expect("mkdir");
    papers_model
        .save(&models.join("papers.topictag"))
        .expect("save");
    let themes = topictag_fuzz::read_documents(&repo_dir().join("tests/fixtures/themes/docs.csv"));
    let mut params = topictag_fuzz::model_params(3);
    params.vectorize.max_df = 1.0;
    let small = TopicModel::fit(&themes, &params).expect("fit themes").model;
    let rows = ndarray::Array2::from_shape_fn((themes.len(), 4), |(r, c)| {
        ((r * 7 + c * 3) % 5) as f32 + 0.5
    });
    let vectors = SentenceVectors::new(rows, VectorSource::File { dims: 4 });
    let semantic = TopicModel::fit_with(&themes, &params, &FitInput::new().vectors(&vectors))
        .expect("fit themes with vectors")
        .model;
    for (name, model) in [("themes", &small), ("themes_vectors", &semantic)] {
        let bytes = model.to_bytes().expect("encode");
        seed(
            "model_load",
            &format!("{name}.topictag"),
            &with_flags(0, &bytes),
        );
        let content = topictag_fuzz::model_content(&bytes).expect("content");
        seed(
            "model_load",
            &format!("{name}.content"),
            &with_flags(1, content),
        );
    }

    // .npy files: valid, the wrong dtype, Fortran order, a 1-D and a 3-D array, truncated.
    let grid: Vec<f32> = (0..12).map(|i| (i as f32 + 1.0) / 7.0).collect();
    seed(
        "npy",
        "valid_3x4.npy",
        &npy("<f4", false, "(3, 4)", &f32s(&grid)),
    );
    seed(
        "npy",
        "fortran_3x4.npy",
        &npy("<f4", true, "(3, 4)", &f32s(&grid)),
    );
    seed(
        "npy",
        "f8_2x2.npy",
        &npy("<f8", false, "(2, 2)", &[0x3f; 32]),
    );
    seed(
        "npy",
        "one_dim.npy",
        &npy("<f4", false, "(4,)", &f32s(&grid[..4])),
    );
    seed(
        "npy",
        "three_dim.npy",
        &npy("<f4", false, "(1, 2, 2)", &f32s(&grid[..4])),
    );
    seed(
        "npy",
        "truncated.npy",
        &npy("<f4", false, "(3, 4)", &f32s(&grid[..5])),
    );

    // The tiny sentence-model folder: each file in turn, and the safetensors header alone.
    let files = tiny_model::files();
    for (i, (name, bytes)) in files.iter().enumerate() {
        seed(
            "sentence_model",
            &format!("{i}_{}", name.replace('/', "_")),
            &with_flags(i as u8, bytes),
        );
    }
    let (header, _) = tiny_model::split_safetensors(&files[2].1);
    seed(
        "sentence_model",
        "7_safetensors_header",
        &with_flags(7, header),
    );

    // Vector-cache segments as the library writes them.
    let scratch = topictag_fuzz::scratch("make_seeds");
    for (dims, texts) in [
        (16usize, &["galaxy", "protein", "guitar"][..]),
        (4, &["a"][..]),
        (16, &[][..]),
    ] {
        let store = VectorCache::new(&scratch, "0123456789abcdef0123456789abcdef", dims);
        let vectors: Vec<Vec<f32>> = (0..texts.len())
            .map(|t| (0..dims).map(|d| (t * dims + d) as f32 / 10.0).collect())
            .collect();
        let records: Vec<_> = texts
            .iter()
            .zip(&vectors)
            .enumerate()
            .map(|(i, (text, v))| (cache::key(text), i % 2 == 1, v.as_slice()))
            .collect();
        let path = store.store(&records).expect("store");
        let bytes = std::fs::read(&path).expect("read segment");
        let name = format!("{dims}d_{}", texts.len());
        seed(
            "vector_cache",
            &format!("{name}.vec"),
            &with_flags(2, &bytes),
        );
        seed(
            "vector_cache",
            &format!("{name}.body"),
            &with_flags(3, &bytes[..bytes.len() - 4]),
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);

    // Text and tag: real fields, markup fixtures, and several documents in one input.
    let text_fields = |path: &str| -> Vec<String> {
        let bytes = repo_file(path);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        text.lines().skip(1).map(str::to_string).collect()
    };
    let latex = text_fields("tests/fixtures/markup/latex.csv");
    let jats = text_fields("tests/fixtures/markup/jats.jsonl");
    let abstracts: Vec<String> = head_lines(&papers, 4)
        .split(|&b| b == b'\n')
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    for (i, field) in latex.iter().take(4).chain(jats.iter().take(3)).enumerate() {
        seed(
            "text",
            &format!("markup_{i}"),
            &with_flags(0, field.as_bytes()),
        );
    }
    for (i, a) in abstracts.iter().enumerate() {
        // English with markup on; then German stemming, no stop words, compounds kept whole.
        seed("text", &format!("paper_{i}"), &with_flags(0, a.as_bytes()));
        seed(
            "text",
            &format!("paper_{i}_german"),
            &with_flags((2 << 3) | 4 | 2, a.as_bytes()),
        );
    }
    seed(
        "text",
        "several",
        &with_flags(
            1,
            "A title\u{1f}first text\u{1e}second-hand end-to-end text\u{1e}\u{1f}".as_bytes(),
        ),
    );
    seed(
        "text",
        "russian",
        &with_flags(
            3 << 3,
            "Тематическое моделирование документов и кластеризация текстов".as_bytes(),
        ),
    );
    for (i, a) in abstracts.iter().enumerate() {
        seed("tag", &format!("paper_{i}"), a.as_bytes());
    }
    seed(
        "tag",
        "markup",
        latex
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\u{1e}")
            .as_bytes(),
    );
    seed(
        "tag",
        "title_and_text",
        "Diffusion models\u{1f}We study image generation with diffusion.\u{1e}\u{1e}the of and"
            .as_bytes(),
    );
}

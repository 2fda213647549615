//! Shared pieces of the fuzz targets: scratch files, the tiny sentence-model folder, the fixed
//! topic model the `tag` target tags with, and the input framings the targets share.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use topictag::{ColumnChoice, Document, TopicCount, TopicModel, TopicParams};

pub mod targets;
pub mod tiny_model;

/// The fuzz crate's folder (`fuzz/`), whether this file is built as the fuzz crate or, by
/// `#[path]`, into the main crate's tests (whose manifest folder is the repository's root).
pub fn fuzz_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("fuzz_targets").is_dir() {
        manifest.to_path_buf()
    } else {
        manifest.join("fuzz")
    }
}

/// The repository's root.
pub fn repo_dir() -> PathBuf {
    fuzz_dir().join("..")
}

/// A scratch folder of this process, made once: `$TMPDIR/topictag-fuzz-<name>-<pid>`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("topictag-fuzz-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Writes `bytes` to `dir/file` and returns the path.
pub fn write_file(dir: &Path, file: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, bytes).expect("write scratch file");
    path
}

/// A few documents of the kind the papers model was fitted on, and some edge cases.
pub fn fixed_documents() -> Vec<Document> {
    vec![
        Document::new(
            "a",
            "Neural networks",
            "We train a deep neural network for image classification.",
        ),
        Document::new(
            "b",
            "",
            "Galaxy clusters observed with a telescope; dark matter halos.",
        ),
        Document::new("c", "", ""),
        Document::new(
            "d",
            "$x^2$",
            "\\section{Intro} <p>&amp; https://example.org doi:10.1/2</p>",
        ),
    ]
}

/// The settings the fixed models are fitted with: a fixed k keeps the fit quick.
pub fn model_params(k: usize) -> TopicParams {
    TopicParams {
        k: TopicCount::Fixed(k),
        ..TopicParams::default()
    }
}

/// Reads every row of a CSV file with the library's reader.
pub fn read_documents(path: &Path) -> Vec<Document> {
    let params = topictag::read::ReadParams {
        source: topictag::InputSource::File(path.to_path_buf()),
        columns: Default::default(),
    };
    params
        .read(&topictag::Silent)
        .expect("read the fit's input")
        .documents
}

/// The model fitted on `data/papers.csv` (k = 8), as saved in `fuzz/models/papers.topictag` by
/// the `make_seeds` example; fitted here when that file is missing.
pub fn papers_model() -> &'static TopicModel {
    static MODEL: OnceLock<TopicModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let saved = fuzz_dir().join("models/papers.topictag");
        match TopicModel::load(&saved) {
            Ok(model) => model,
            Err(_) => fit_papers_model(),
        }
    })
}

/// Fits the papers model.
pub fn fit_papers_model() -> TopicModel {
    let documents = read_documents(&repo_dir().join("data/papers.csv"));
    TopicModel::fit(&documents, &model_params(8))
        .expect("fit the papers model")
        .model
}

/// Wraps postcard `content` in a model file header with the right length and checksum, so that
/// mutations reach the decoder past the checksum.
pub fn model_file(content: &[u8]) -> Vec<u8> {
    let writer = b"fuzz";
    let mut bytes = Vec::with_capacity(content.len() + 40);
    bytes.extend_from_slice(topictag::model::MAGIC);
    bytes.extend_from_slice(&topictag::model::FORMAT_VERSION.to_le_bytes());
    bytes.push(writer.len() as u8);
    bytes.extend_from_slice(writer);
    bytes.extend_from_slice(&(content.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(content).to_le_bytes());
    bytes.extend_from_slice(content);
    bytes
}

/// The postcard content of a model file (what follows its header), if the header is whole.
pub fn model_content(file: &[u8]) -> Option<&[u8]> {
    let magic = topictag::model::MAGIC.len();
    let writer = *file.get(magic + 4)? as usize;
    file.get(magic + 4 + 1 + writer + 8 + 4..)
}

/// The columns a reader target asks for, picked by `pick` (the input's first byte, shifted):
/// the defaults, every column named, a label under another name, and names that repeat.
pub fn columns(pick: u8) -> ColumnChoice {
    match pick % 4 {
        0 => ColumnChoice::default(),
        1 => ColumnChoice {
            id: Some("id".into()),
            title: Some("title".into()),
            text: vec!["abstract".into(), "body".into()],
            label: Some("label".into()),
            date: Some("date".into()),
        },
        2 => ColumnChoice {
            text: vec!["text".into()],
            label: Some("category".into()),
            ..ColumnChoice::default()
        },
        _ => ColumnChoice {
            id: Some("".into()),
            title: Some("id".into()),
            text: vec!["id".into(), "id".into()],
            ..ColumnChoice::default()
        },
    }
}

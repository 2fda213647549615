//! The sentence-model folder loader (`topictag::embed::SentenceModel::load`) and, when a folder
//! loads, the forward pass. A small valid folder (the tests' tiny BERT) is written once; the
//! first input byte picks one of its files (`tiny_model::FILES`), the rest replaces that file
//! (for the last choice, only the safetensors JSON header, in front of the valid tensor data).
//! The file is put back after each run.

use super::super as fuzz;
use super::super::tiny_model;

use std::path::PathBuf;
use std::sync::OnceLock;

use topictag::embed::SentenceModel;
use topictag::Silent;

struct Folder {
    dir: PathBuf,
    files: Vec<(&'static str, Vec<u8>)>,
}

fn folder() -> &'static Folder {
    static FOLDER: OnceLock<Folder> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let dir = fuzz::scratch("sentence_model").join("tiny");
        let files = tiny_model::files();
        tiny_model::write(&dir, &files);
        Folder { dir, files }
    })
}

const TEXTS: [&str; 4] = [
    "galaxy stars telescope orbit",
    "",
    "protein gene cell enzyme genome protein gene cell enzyme genome protein gene cell",
    "\u{0} \u{feff} zzzz ##a [CLS] [SEP] \u{4e2d}\u{6587}",
];

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    let folder = folder();
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let pick = pick as usize % tiny_model::FILES.len();
    let (name, bytes) = if pick == tiny_model::FILES.len() - 1 {
        let (_, weights) = &folder.files[2];
        let (_, tensor_data) = tiny_model::split_safetensors(weights);
        (
            folder.files[2].0,
            tiny_model::join_safetensors(content, tensor_data),
        )
    } else {
        (folder.files[pick].0, content.to_vec())
    };
    let path = folder.dir.join(name);
    std::fs::write(&path, &bytes).expect("write the fuzzed file");
    let loaded = SentenceModel::load(&folder.dir);
    let original = &folder
        .files
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a file")
        .1;
    std::fs::write(&path, original).expect("put the file back");
    let Ok(model) = loaded else {
        return;
    };
    assert!(model.dims() > 0);
    assert!(model.max_tokens() >= 2);
    let Ok(embedded) = model.embed(&TEXTS, &Silent) else {
        return;
    };
    assert_eq!(embedded.rows.dim(), (TEXTS.len(), model.dims()));
    // A vector has the same bits in any batch.
    for (text, row) in TEXTS.iter().zip(embedded.rows.outer_iter()) {
        let (alone, _) = model
            .embed_one(text)
            .expect("a text that embeds in a batch embeds alone");
        let same = alone
            .iter()
            .zip(row.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "a text's vector differs alone and in a batch");
    }
}

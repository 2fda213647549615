//! The CSV/TSV reader (`topictag::read`): arbitrary bytes as an input file, read whole and as a
//! stream. The first byte picks the file's extension (so the delimiter) and the columns asked
//! for; the rest is the file.

use super::super as fuzz;

use std::sync::OnceLock;

use topictag::read::ReadParams;
use topictag::{ColumnChoice, InputSource, Silent};

fn columns(pick: u8) -> ColumnChoice {
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

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| fuzz::scratch("read_csv"));
    let Some((&flags, content)) = data.split_first() else {
        return;
    };
    let name = ["input.csv", "input.tsv", "input.txt", "input"][(flags & 3) as usize];
    let path = fuzz::write_file(dir, name, content);
    let params = ReadParams {
        source: InputSource::File(path),
        columns: columns(flags >> 2),
    };
    let whole = params.read(&Silent);
    // The stream reads through the same parser: the same documents, or an error.
    if let Ok(mut reader) = params.open(usize::MAX) {
        let mut streamed = Vec::new();
        loop {
            match reader.next_chunk(7) {
                Ok(chunk) if chunk.is_empty() => break,
                Ok(chunk) => streamed.extend(chunk),
                Err(_) => break,
            }
        }
        if let Ok(corpus) = &whole {
            assert_eq!(
                corpus.documents, streamed,
                "a whole read and a stream differ"
            );
        }
    }
}

//! The JSON Lines reader (`topictag::read`): arbitrary bytes as an input file, read whole and as
//! a stream whose columns are resolved from the first few objects. The first byte picks the
//! extension, the columns asked for and the stream's column window; the rest is the file.

use super::super as fuzz;

use std::sync::OnceLock;

use topictag::read::ReadParams;
use topictag::{InputSource, Silent};

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| fuzz::scratch("read_jsonl"));
    let Some((&flags, content)) = data.split_first() else {
        return;
    };
    // No extension: the format is detected from the first byte (`{` opens JSON Lines).
    let name = ["input.jsonl", "input.ndjson", "input.json", "input"][(flags & 3) as usize];
    let path = fuzz::write_file(dir, name, content);
    let params = ReadParams {
        source: InputSource::File(path),
        columns: fuzz::columns(flags >> 2),
    };
    let whole = params.read(&Silent);
    let window = [usize::MAX, 1, 2, 4096][((flags >> 4) & 3) as usize];
    if let Ok(mut reader) = params.open(window) {
        let mut streamed = Vec::new();
        while let Ok(Some(row)) = reader.next_row() {
            streamed.push(row.document);
        }
        // With every object looked at for columns, the stream is the whole read.
        if let (Ok(corpus), usize::MAX) = (&whole, window) {
            assert_eq!(
                corpus.documents, streamed,
                "a whole read and a stream differ"
            );
        }
    }
}

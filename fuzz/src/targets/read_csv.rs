//! The CSV/TSV reader (`topictag::read`): arbitrary bytes as an input file, read whole and as a
//! stream. The first byte picks the file's extension (so the delimiter) and the columns asked
//! for; the rest is the file.

use super::super as fuzz;

use std::sync::OnceLock;

use topictag::read::ReadParams;
use topictag::{InputSource, Silent};

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
        columns: fuzz::columns(flags >> 2),
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

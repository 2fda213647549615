//! The markup stage and the tokenizer/stemmer (`topictag::text`) on arbitrary strings. The first
//! byte picks the settings (markup on or off, compounds split or not, stop words, language);
//! the rest, as UTF-8 (lossy), is split into documents at U+001E and each into title and text at
//! U+001F. The fit's terms must be exactly what its own analyzer gives the same documents (as
//! `tag` relies on), and every id must be a stem's.

use topictag::text::{markup, Language, StopWords, TextParams, BREAK};
use topictag::Document;

const LANGUAGES: [&str; 8] = [
    "english", "none", "german", "russian", "turkish", "arabic", "greek", "tamil",
];

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let input = String::from_utf8_lossy(rest);
    let params = TextParams {
        language: LANGUAGES[(flags >> 3) as usize % LANGUAGES.len()]
            .parse::<Language>()
            .expect("a known language"),
        stop_words: if flags & 4 == 0 {
            StopWords::english()
        } else {
            StopWords::none()
        },
        split_compounds: flags & 2 == 0,
        markup: flags & 1 == 0,
    };
    let documents: Vec<Document> = input
        .split('\u{1e}')
        .enumerate()
        .map(|(i, doc)| {
            let (title, text) = doc.split_once('\u{1f}').unwrap_or(("", doc));
            Document::new(i.to_string(), title, text)
        })
        .collect();
    for document in &documents {
        let cleaned = markup::clean(&document.text);
        // Cleaning removes markup or puts a short break in its place: a field never grows by
        // more than a small factor.
        assert!(
            cleaned.len() <= 4 * document.text.len() + 64,
            "clean grew {} bytes into {}",
            document.text.len(),
            cleaned.len()
        );
    }
    let corpus = params.analyze(&documents);
    assert_eq!(corpus.documents.len(), documents.len());
    assert_eq!(corpus.stems.len(), corpus.surface_forms.len());
    assert_eq!(corpus.stems.len(), corpus.standalone.len());
    let stems = corpus.stems.len() as u32;
    for terms in &corpus.documents {
        assert!(terms.sequence.iter().all(|&id| id == BREAK || id < stems));
        assert!(terms.pieces.iter().all(|&id| id < stems));
    }
    let all: Vec<u32> = (0..stems).collect();
    let analyzer = corpus.analyzer(&params, &all);
    let again = analyzer.transform(&documents);
    assert!(
        again == corpus.documents,
        "the analyzer's terms differ from the fit's"
    );
}

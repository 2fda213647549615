//! Tokenize + stem + count throughput, per core: a corpus file -> MB/s of title and text bytes
//! through the text stage and the vectorizer, on a one-thread pool (and on all cores for the
//! ratio). Run: `cargo bench --bench text_throughput [-- FILE [REPEATS]]`; the default corpus is
//! `../shared/corpora/20newsgroups.csv`, or `TOPICTAG_CORPORA/20newsgroups.csv`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use topictag::read::{InputSource, ReadParams};
use topictag::text::TextParams;
use topictag::vectorize::VectorizeParams;
use topictag::Silent;

// The same allocator as the binary, so the figure is the one a run sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `cargo bench` passes `--bench`; every other argument is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let path = args.first().map(PathBuf::from).unwrap_or_else(|| {
        let corpora = std::env::var("TOPICTAG_CORPORA")
            .unwrap_or_else(|_| format!("{}/../shared/corpora", env!("CARGO_MANIFEST_DIR")));
        PathBuf::from(corpora).join("20newsgroups.csv")
    });
    let repeats: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let read = ReadParams {
        source: InputSource::File(path.clone()),
        ..ReadParams::default()
    };
    let corpus = match read.read(&Silent) {
        Ok(corpus) => corpus,
        Err(error) => {
            eprintln!("text_throughput: {error}");
            std::process::exit(2);
        }
    };
    let bytes: usize = corpus
        .documents
        .iter()
        .map(|d| d.title.len() + d.text.len())
        .sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "{}: {} documents, {:.1} MB of title + text, best of {repeats}",
        path.display(),
        corpus.documents.len(),
        mb
    );
    let text = TextParams::default();
    let vectorize = VectorizeParams::default();
    for threads in [1, rayon::current_num_threads().max(1)] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let (mut best_text, mut best_count) = (Duration::MAX, Duration::MAX);
        for _ in 0..repeats {
            let (text_time, count_time) = pool.install(|| {
                let start = Instant::now();
                let tokens = text.analyze(&corpus.documents);
                let text_time = start.elapsed();
                let start = Instant::now();
                let tfidf = vectorize.fit(&tokens, "bench").ok();
                std::hint::black_box(&tfidf);
                (text_time, start.elapsed())
            });
            best_text = best_text.min(text_time);
            best_count = best_count.min(count_time);
        }
        let total = (best_text + best_count).as_secs_f64();
        println!(
            "{threads} thread(s): tokenize+stem {:.3} s, count+weight {:.3} s -> {:.1} MB/s, {:.1} MB/s per core",
            best_text.as_secs_f64(),
            best_count.as_secs_f64(),
            mb / total,
            mb / total / threads as f64
        );
    }
}

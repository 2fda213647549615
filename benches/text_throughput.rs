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
        let mut best_cpu = f64::MAX;
        for _ in 0..repeats {
            let cpu_start = cpu_seconds();
            let (text_time, count_time) = pool.install(|| {
                let start = Instant::now();
                let tokens = text.analyze(&corpus.documents);
                let text_time = start.elapsed();
                let start = Instant::now();
                let tfidf = vectorize.fit(&tokens, &Silent).ok();
                std::hint::black_box(&tfidf);
                (text_time, start.elapsed())
            });
            best_cpu = best_cpu.min(cpu_seconds() - cpu_start);
            best_text = best_text.min(text_time);
            best_count = best_count.min(count_time);
        }
        let total = (best_text + best_count).as_secs_f64();
        println!(
            "{threads} thread(s): tokenize+stem {:.3} s, count+weight {:.3} s -> {:.1} MB/s, {:.1} MB/s per core; CPU {:.2} s -> {:.1} MB per CPU second",
            best_text.as_secs_f64(),
            best_count.as_secs_f64(),
            mb / total,
            mb / total / threads as f64,
            best_cpu,
            mb / best_cpu
        );
    }
}

/// User + system CPU seconds of this process so far, from `/proc/self/stat` (Linux; elsewhere
/// NaN, and the CPU figures are skipped by being NaN).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which is in parentheses and may hold spaces): utime and
    // stime are the 12th and 13th of them, in clock ticks of 1/100 s on Linux.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

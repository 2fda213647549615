//! How long a cancelled call takes to stop: a corpus file -> for each delay, a fit started in a
//! thread, its [`Cancel`] token set after the delay, and the time from the cancel to the fit's
//! `Err(Cancelled)`, with the stage that was running; then the same for `tag_with` on every
//! document. Run: `cargo bench --bench cancel_latency -- FILE [DELAYS]` (DELAYS in seconds,
//! comma-separated; default 2,8,16,22,30,40,48,54). The target is under a second at a million
//! documents (`python3 bench/gen_corpus.py --docs 1000000 --out /tmp/big.csv`).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use topictag::progress::Work;
use topictag::read::{InputSource, ReadParams};
use topictag::TopicParams;
use topictag::{Cancel, Error, FitInput, Progress, Silent, TagInput, TopicCount, TopicModel};

// The same allocator as the binary, so the figure is the one a run sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Remembers the stage that is running.
#[derive(Default)]
struct Stage(Mutex<&'static str>);

impl Progress for Stage {
    fn stage(&self, name: &'static str) {
        *self.0.lock().expect("stage lock") = name;
    }
    fn measure(&self, _work: Work) {}
    fn advance(&self, _amount: u64) {}
    fn finish(&self) {}
}

/// Runs `work` with a fresh token, cancels it after `delay`, and returns the time from the cancel
/// to the end, whether it ended cancelled, and the stage running at the cancel.
fn cancel_after<T: Send>(
    delay: Duration,
    stage: &Stage,
    work: impl FnOnce(&Cancel) -> Result<T, Error> + Send,
) -> (Duration, bool, &'static str) {
    let cancel = Cancel::new();
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            let result = work(&cancel);
            (Instant::now(), matches!(result, Err(Error::Cancelled)))
        });
        let started = Instant::now();
        while started.elapsed() < delay && !handle.is_finished() {
            std::thread::sleep(Duration::from_millis(10));
        }
        let at = Instant::now();
        let running = *stage.0.lock().expect("stage lock");
        cancel.cancel();
        let (ended, cancelled) = handle.join().expect("the fit thread");
        (ended.saturating_duration_since(at), cancelled, running)
    })
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(path) = args.first().map(PathBuf::from) else {
        eprintln!("cancel_latency: give a corpus file (see the module comment)");
        std::process::exit(2);
    };
    let delays: Vec<f64> = args
        .get(1)
        .map_or("2,8,16,22,30,40,48,54", String::as_str)
        .split(',')
        .filter_map(|d| d.parse().ok())
        .collect();
    let read = ReadParams {
        source: InputSource::File(path.clone()),
        ..ReadParams::default()
    };
    let corpus = read.read(&Silent).unwrap_or_else(|error| {
        eprintln!("cancel_latency: {error}");
        std::process::exit(2);
    });
    let params = TopicParams {
        k: TopicCount::Fixed(18),
        ..TopicParams::default()
    };
    println!(
        "{} documents of {}; fit with k 18, cancelled after each delay",
        corpus.documents.len(),
        path.display()
    );
    println!("delay_s,stage,stopped_after_s,cancelled");
    for delay in delays {
        let stage = Stage::default();
        let (latency, cancelled, running) =
            cancel_after(Duration::from_secs_f64(delay), &stage, |cancel| {
                let input = FitInput::new().progress(&stage).cancel(cancel);
                TopicModel::fit_with(&corpus.documents, &params, &input)
            });
        println!("{delay},{running},{:.3},{cancelled}", latency.as_secs_f64());
    }
    // Tagging: a model from a tenth of the documents, then every document tagged in one call.
    let sample = &corpus.documents[..corpus.documents.len().div_ceil(10)];
    let fit = TopicModel::fit(sample, &params).expect("the sample's fit");
    let stage = Stage::default();
    let (latency, cancelled, _) = cancel_after(Duration::from_secs(2), &stage, |cancel| {
        let input = TagInput {
            cancel: Some(cancel),
            ..TagInput::default()
        };
        fit.model.tag_with(&corpus.documents, &input)
    });
    println!(
        "tag_with on {} documents, cancelled after 2 s: stopped after {:.3} s, cancelled {cancelled}",
        corpus.documents.len(),
        latency.as_secs_f64()
    );
}

//! How long a cancelled call takes to stop: a corpus file -> for each point, a fit started in a
//! thread, its [`Cancel`] token set once the named stage has run for the given seconds, and the
//! time from the cancel to the fit's `Err(Cancelled)`; then the same for `tag_with` on every
//! document. Run: `cargo bench --bench cancel_latency -- FILE [POINTS]` (POINTS comma-separated
//! `stage+seconds`; the default reaches into every stage of a million-document fit). The
//! target is under a second at a million documents
//! (`python3 bench/gen_corpus.py --docs 1000000 --out /tmp/big.csv`).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use topictag::progress::Work;
use topictag::read::{InputSource, ReadParams};
use topictag::{
    Cancel, Error, FitInput, Progress, Silent, TagInput, TopicCount, TopicModel, TopicParams,
};

/// Points in every stage of a million-document fit at k 18: early and late in the long ones.
const DEFAULT_POINTS: &str = "text+1,text+12,vectorize+1,vectorize+3,reduce+1,reduce+8,reduce+20,cluster+1,label+0.5,label+3,evaluate+0.5,evaluate+2";

// The same allocator as the binary, so the figure is the one a run sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Remembers the stage that is running and since when.
struct Stage(Mutex<(&'static str, Instant)>);

impl Default for Stage {
    fn default() -> Self {
        Stage(Mutex::new(("", Instant::now())))
    }
}

impl Stage {
    /// The stage running now, and for how long it has run.
    fn now(&self) -> (&'static str, Duration) {
        let (name, since) = *self.0.lock().expect("stage lock");
        (name, since.elapsed())
    }
}

impl Progress for Stage {
    fn stage(&self, name: &'static str) {
        *self.0.lock().expect("stage lock") = (name, Instant::now());
    }
    fn measure(&self, _work: Work) {}
    fn advance(&self, _amount: u64) {}
    fn finish(&self) {}
}

/// Runs `work` with a fresh token, cancels it once stage `at` (any stage for "") has run for
/// `after`, and returns the time from the cancel to the end, whether it ended cancelled, and the
/// stage running at the cancel.
fn cancel_after<T: Send>(
    (at, after): (&str, Duration),
    stage: &Stage,
    work: impl FnOnce(&Cancel) -> Result<T, Error> + Send,
) -> (Duration, bool, &'static str) {
    let cancel = Cancel::new();
    let started = Instant::now();
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            let result = work(&cancel);
            (Instant::now(), matches!(result, Err(Error::Cancelled)))
        });
        loop {
            let (name, running_for) = stage.now();
            let due = if at.is_empty() {
                started.elapsed() >= after
            } else {
                name == at && running_for >= after
            };
            if due || handle.is_finished() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let at = Instant::now();
        let (running, _) = stage.now();
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
    let points: Vec<(String, f64)> = args
        .get(1)
        .map_or(DEFAULT_POINTS, String::as_str)
        .split(',')
        .filter_map(|p| {
            let (stage, seconds) = p.split_once('+')?;
            Some((stage.to_string(), seconds.parse().ok()?))
        })
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
        "{} documents of {}; fit with k 18, cancelled once a stage has run so long",
        corpus.documents.len(),
        path.display()
    );
    println!("point,running,stopped_after_s,cancelled");
    for (at, seconds) in &points {
        let stage = Stage::default();
        let point = (at.as_str(), Duration::from_secs_f64(*seconds));
        let (latency, cancelled, running) = cancel_after(point, &stage, |cancel| {
            let input = FitInput::new().progress(&stage).cancel(cancel);
            TopicModel::fit_with(&corpus.documents, &params, &input)
        });
        println!(
            "{at}+{seconds},{running},{:.3},{cancelled}",
            latency.as_secs_f64()
        );
    }
    // Tagging: a model from a tenth of the documents, then every document tagged in one call.
    let sample = &corpus.documents[..corpus.documents.len().div_ceil(10)];
    let fit = TopicModel::fit(sample, &params).expect("the sample's fit");
    let stage = Stage::default();
    let (latency, cancelled, _) = cancel_after(("", Duration::from_secs(2)), &stage, |cancel| {
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

//! Progress reporting and cancellation: the stages say what they are doing -> a [`Progress`]
//! that shows it, or [`Silent`] that drops it; and a [`Cancel`] token set from anywhere (Ctrl-C,
//! a notebook's interrupt, a killed task) -> [`Error::Cancelled`] from the next chunk of work.
//! The library never decides how (or whether) progress is displayed; the command line shows
//! bars on a terminal.
//!
//! Reports are one-way: nothing a [`Progress`] shows can reach the computation, so outputs are
//! the same whether and however progress is shown. The one thing that flows back is whether to
//! stop, and a stopped call returns no output at all.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// How a stage counts its work, once it knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Bytes of input, all of them known in advance.
    Bytes(u64),
    /// Things of one kind (`unit`: "documents", "restarts"), `total` when known in advance.
    Items {
        unit: &'static str,
        total: Option<u64>,
    },
}

impl Work {
    /// `total` things of one kind.
    pub fn items(unit: &'static str, total: usize) -> Self {
        Work::Items {
            unit,
            total: Some(total as u64),
        }
    }

    /// Things of one kind, as many as it takes (polish rounds until nothing moves).
    pub fn open(unit: &'static str) -> Self {
        Work::Items { unit, total: None }
    }
}

/// Where a run's progress goes. [`crate::run_with`] calls [`Progress::stage`] and
/// [`Progress::finish`] around each stage; the stage itself may call [`Progress::measure`] and
/// [`Progress::advance`] as it goes.
///
/// `advance` is called from worker threads, once per chunk of work (never per token or row), so
/// implementations must be thread-safe and cheap.
pub trait Progress: Sync {
    /// A stage of the pipeline begins (`"read"`, `"text"`, … as in `--timings`); nothing is
    /// counted yet.
    fn stage(&self, name: &'static str);

    /// From now on the current stage counts `work`, from zero. A stage may measure several
    /// phases in turn (k-means restarts, then polish rounds).
    fn measure(&self, work: Work);

    /// `amount` more units of the measured work are done.
    fn advance(&self, amount: u64);

    /// The current stage is over, whether it succeeded or failed.
    fn finish(&self);

    /// Whether the caller wants the work stopped. Stages ask between chunks of work (see
    /// [`check`]); the default never stops.
    fn cancelled(&self) -> bool {
        false
    }
}

/// [`Error::Cancelled`] once `progress` says the work is to stop: what every chunk loop of the
/// fit, `tag` and the sentence encoder calls between chunks.
pub fn check(progress: &dyn Progress) -> Result<()> {
    if progress.cancelled() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// A cancel token: clones share one flag, so a signal handler, another thread or a binding's
/// interrupt hook sets it and the call that holds a clone stops at its next chunk of work with
/// [`Error::Cancelled`], leaving no output behind.
///
/// ```
/// let cancel = topictag::Cancel::new();
/// let handle = cancel.clone();
/// handle.cancel();
/// assert!(cancel.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks every holder of the token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `progress` that also stops when this token is set.
    pub fn watch<'a>(&'a self, progress: &'a dyn Progress) -> Watched<'a> {
        Watched {
            progress,
            cancel: Some(self),
        }
    }
}

/// A [`Progress`] with an optional [`Cancel`] token beside it: it forwards every report and
/// stops when either the token or the inner progress says so.
#[derive(Clone, Copy)]
pub struct Watched<'a> {
    progress: &'a dyn Progress,
    cancel: Option<&'a Cancel>,
}

impl<'a> Watched<'a> {
    pub fn new(progress: &'a dyn Progress, cancel: Option<&'a Cancel>) -> Self {
        Watched { progress, cancel }
    }
}

impl Progress for Watched<'_> {
    fn stage(&self, name: &'static str) {
        self.progress.stage(name);
    }
    fn measure(&self, work: Work) {
        self.progress.measure(work);
    }
    fn advance(&self, amount: u64) {
        self.progress.advance(amount);
    }
    fn finish(&self) {
        self.progress.finish();
    }
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(Cancel::is_cancelled) || self.progress.cancelled()
    }
}

/// Forwards only whether to stop: for a part of a stage whose progress its caller counts
/// itself (`tag`'s stream counts bytes, not the encoder's documents).
#[derive(Clone, Copy)]
pub struct CancelOnly<'a>(pub &'a dyn Progress);

impl Progress for CancelOnly<'_> {
    fn stage(&self, _name: &'static str) {}
    fn measure(&self, _work: Work) {}
    fn advance(&self, _amount: u64) {}
    fn finish(&self) {}
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// Progress that goes nowhere: what [`crate::run()`] uses, and what library callers get unless
/// they ask for more.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _name: &'static str) {}
    fn measure(&self, _work: Work) {}
    fn advance(&self, _amount: u64) {}
    fn finish(&self) {}
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Mutex;

    use super::*;
    use crate::cluster::spectral::SpectralParams;
    use crate::cluster::TopicCount;
    use crate::read::{InputSource, ReadParams};
    use crate::reduce::ReduceParams;
    use crate::run::RunConfig;
    use crate::write::WriteParams;

    /// What a run reported, in order.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Event {
        Stage(&'static str),
        Measure(Work),
        Advance(u64),
        Finish,
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Event>>);

    impl Recorder {
        fn push(&self, event: Event) {
            self.0.lock().expect("recorder lock").push(event);
        }

        fn events(&self) -> Vec<Event> {
            self.0.lock().expect("recorder lock").clone()
        }
    }

    impl Progress for Recorder {
        fn stage(&self, name: &'static str) {
            self.push(Event::Stage(name));
        }
        fn measure(&self, work: Work) {
            self.push(Event::Measure(work));
        }
        fn advance(&self, amount: u64) {
            self.push(Event::Advance(amount));
        }
        fn finish(&self) {
            self.push(Event::Finish);
        }
    }

    /// One measured phase of a stage: what was announced and how much was reported done.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Phase {
        stage: &'static str,
        work: Work,
        done: u64,
    }

    /// Checks that stages open and close in turn and that advances only come within a measured
    /// phase; returns the stages in order and every phase with its summed advances. Advances
    /// from worker threads arrive in any order, so only their sums are compared.
    fn summarize(events: &[Event]) -> (Vec<&'static str>, Vec<Phase>) {
        let mut stages = Vec::new();
        let mut phases: Vec<Phase> = Vec::new();
        let mut open: Option<&'static str> = None;
        let mut measuring = false;
        for event in events {
            match *event {
                Event::Stage(name) => {
                    assert_eq!(open, None, "{name} starts inside another stage");
                    open = Some(name);
                    measuring = false;
                    stages.push(name);
                }
                Event::Measure(work) => {
                    let stage = open.expect("measure outside a stage");
                    phases.push(Phase {
                        stage,
                        work,
                        done: 0,
                    });
                    measuring = true;
                }
                Event::Advance(amount) => {
                    assert!(measuring, "advance before measure in {open:?}");
                    if let Some(phase) = phases.last_mut() {
                        phase.done += amount;
                    }
                }
                Event::Finish => {
                    assert!(open.is_some(), "finish outside a stage");
                    open = None;
                }
            }
        }
        assert_eq!(open, None, "the last stage never finished");
        (stages, phases)
    }

    /// Four themes, repeated with variations: enough documents for several text chunks.
    fn write_corpus(path: &Path, documents: usize) {
        let themes = [
            "galaxy telescope stars orbit comets nebula redshift",
            "recipe oven flour butter baking sauce dough",
            "striker goals stadium referee league penalty coach",
            "guitar melody chords concert orchestra violin piano",
        ];
        let mut csv = String::from("id,title,abstract\n");
        for row in 0..documents {
            let own: Vec<&str> = themes[row % 4].split(' ').collect();
            let other: Vec<&str> = themes[(row / 4) % 4].split(' ').collect();
            let words: Vec<&str> = (0..12)
                .map(|i| match (row * 7 + i * 3) % 5 {
                    0 => other[(row + i) % other.len()],
                    _ => own[(row * 3 + i) % own.len()],
                })
                .collect();
            csv.push_str(&format!("d{row},{},{}\n", own[row % 3], words.join(" ")));
        }
        std::fs::write(path, csv).expect("write corpus");
    }

    fn config(input: &Path, output: &Path, extra: impl FnOnce(&mut RunConfig)) -> RunConfig {
        let mut config = RunConfig {
            read: ReadParams {
                source: InputSource::File(input.to_path_buf()),
                ..ReadParams::default()
            },
            write: WriteParams {
                dir: output.to_path_buf(),
                ..WriteParams::default()
            },
            ..RunConfig::default()
        };
        config.params.reduce = ReduceParams {
            dims: 10,
            ..ReduceParams::default()
        };
        config.params.k = TopicCount::Fixed(4);
        extra(&mut config);
        config
    }

    fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .expect("list output")
            .map(|entry| {
                let path = entry.expect("entry").path();
                let name = path.file_name().expect("name").to_string_lossy().into();
                (name, std::fs::read(&path).expect("read output"))
            })
            .collect();
        files.sort();
        files
    }

    /// Runs in a pool of `threads` threads; returns the reported events and the output files.
    fn run_in_pool(threads: usize, config: &RunConfig) -> (Vec<Event>, Vec<(String, Vec<u8>)>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let recorder = Recorder::default();
        pool.install(|| crate::run_with(config, &recorder))
            .expect("run");
        (recorder.events(), files_of(&config.write.dir))
    }

    #[test]
    fn stages_are_reported_in_order_and_counts_reach_their_totals() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("corpus.csv");
        write_corpus(&input, 700);
        let config = config(&input, &dir.path().join("out"), |_| {});
        let (events, _) = run_in_pool(2, &config);
        let (stages, phases) = summarize(&events);
        assert_eq!(
            stages,
            [
                "read",
                "text",
                "snippets",
                "vectorize",
                "reduce",
                "cluster",
                "novelty",
                "label",
                "evaluate",
                "layout",
                "report",
                "write"
            ]
        );
        let bytes = std::fs::metadata(&input).expect("size").len();
        let expected_totals = [
            ("read", Work::Bytes(bytes)),
            ("text", Work::items("documents", 700)),
            ("reduce", Work::items("passes", 4 + 2)),
            ("cluster", Work::items("restarts", 5)),
            ("write", Work::items("files", 10)),
        ];
        for (stage, work) in expected_totals {
            let phase = phases
                .iter()
                .find(|p| p.stage == stage && p.work == work)
                .unwrap_or_else(|| panic!("no {work:?} in {stage}: {phases:?}"));
            let total = match work {
                Work::Bytes(total)
                | Work::Items {
                    total: Some(total), ..
                } => total,
                Work::Items { total: None, .. } => unreachable!("totals are known here"),
            };
            assert_eq!(phase.done, total, "{stage} counted {phase:?}");
        }
        for phase in &phases {
            if let Work::Bytes(total)
            | Work::Items {
                total: Some(total), ..
            } = phase.work
            {
                assert!(phase.done <= total, "overshoot: {phase:?}");
            }
        }
    }

    #[test]
    fn k_auto_and_spectral_report_their_stages() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("corpus.csv");
        write_corpus(&input, 300);
        let config = config(&input, &dir.path().join("out"), |config| {
            config.params.k = TopicCount::Auto;
            config.params.choose.range = "2..5".parse().ok();
            config.params.spectral = Some(SpectralParams::default());
        });
        let (events, _) = run_in_pool(2, &config);
        let (stages, phases) = summarize(&events);
        assert_eq!(
            stages,
            [
                "read",
                "text",
                "snippets",
                "vectorize",
                "reduce",
                "choose k",
                "spectral",
                "cluster",
                "label",
                "evaluate",
                "layout",
                "report",
                "write"
            ]
        );
        let k_values = phases
            .iter()
            .find(|p| p.stage == "choose k")
            .expect("choose k measured");
        assert_eq!(
            (k_values.work, k_values.done),
            (Work::items("k values", 4), 4)
        );
        let iterations = SpectralParams::default().iterations;
        let spectral: Vec<(Work, u64)> = phases
            .iter()
            .filter(|p| p.stage == "spectral")
            .map(|p| (p.work, p.done))
            .collect();
        assert_eq!(
            spectral,
            [
                (Work::items("documents linked", 300), 300),
                (Work::items("iterations", iterations), iterations as u64)
            ]
        );
    }

    #[test]
    fn reporting_changes_no_output_on_any_thread_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("corpus.csv");
        write_corpus(&input, 700);
        let one = config(&input, &dir.path().join("one"), |_| {});
        let two = config(&input, &dir.path().join("two"), |_| {});
        let silent = config(&input, &dir.path().join("silent"), |_| {});
        let (one_events, one_files) = run_in_pool(1, &one);
        let (two_events, two_files) = run_in_pool(2, &two);
        crate::run(&silent).expect("silent run");
        assert_eq!(one_files, two_files, "1 thread vs 2");
        assert_eq!(one_files, files_of(&silent.write.dir), "reported vs silent");
        // Same stages, phases and totals whatever the number of threads.
        assert_eq!(summarize(&one_events), summarize(&two_events));
    }
}

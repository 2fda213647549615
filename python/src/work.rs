//! Long calls with the GIL released and Ctrl-C honoured: the work runs on a thread of its own
//! with a [`Cancel`] token while the calling thread waits without the GIL, taking it back every
//! [`POLL`] to let Python see signals; a KeyboardInterrupt sets the token, the work stops at its
//! next chunk, and the interrupt is raised.

use std::time::{Duration, Instant};

use pyo3::prelude::*;
use topictag::progress::Work;
use topictag::{Cancel, Progress};

use crate::errors::to_py;

/// How often the waiting thread looks at Python's signals: a tenth of the one second a cancelled
/// call may take.
const POLL: Duration = Duration::from_millis(50);

/// Runs `work` off the GIL, stopping it on KeyboardInterrupt (or any exception a signal handler
/// raises).
pub fn cancellable<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&Cancel) -> topictag::Result<T> + Send,
) -> PyResult<T> {
    let cancel = Cancel::new();
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| work(&cancel));
        let mut interrupted = None;
        while !handle.is_finished() {
            py.detach(|| {
                let start = Instant::now();
                while start.elapsed() < POLL && !handle.is_finished() {
                    std::thread::sleep(Duration::from_millis(2));
                }
            });
            if interrupted.is_none() {
                if let Err(signal) = py.check_signals() {
                    cancel.cancel();
                    interrupted = Some(signal);
                }
            }
        }
        let outcome = py.detach(|| handle.join());
        match (outcome, interrupted) {
            (_, Some(signal)) => Err(signal),
            (Ok(result), None) => result.map_err(to_py),
            (Err(panic), None) => std::panic::resume_unwind(panic),
        }
    })
}

/// Progress for a person watching: one stderr line per stage as it ends, with its time.
pub struct StageLines {
    started: std::sync::Mutex<Option<(&'static str, Instant)>>,
}

impl StageLines {
    pub fn new() -> Self {
        StageLines {
            started: std::sync::Mutex::new(None),
        }
    }
}

impl Progress for StageLines {
    fn stage(&self, name: &'static str) {
        *self.started.lock().unwrap_or_else(|e| e.into_inner()) = Some((name, Instant::now()));
    }
    fn measure(&self, _work: Work) {}
    fn advance(&self, _amount: u64) {}
    fn finish(&self) {
        let ended = self
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some((name, start)) = ended {
            eprintln!(
                "topictag: {name:<10} {:>8.3} s",
                start.elapsed().as_secs_f64()
            );
        }
    }
}

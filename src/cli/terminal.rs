//! The command's terminal side, declared by `main.rs` only: the library's progress reports ->
//! progress bars on stderr (indicatif), and Ctrl-C -> no partial output files, exit code 130.
//! The library itself never sees a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use topictag::progress::{Progress, Work};
use topictag::Cancel;

/// A stage is shown once it has run this long, so that quick stages never flash by.
const SHOW_AFTER: Duration = Duration::from_millis(250);
/// How often the bar on show is redrawn (spinner, elapsed time, ETA).
const TICK: Duration = Duration::from_millis(100);

/// The exit code of a run stopped by a signal: 128 + SIGINT, the shell's convention.
const INTERRUPTED: i32 = 130;

const UNCOUNTED: &str = "{spinner} {prefix:<9} {elapsed_precise}";
const OPEN_COUNT: &str = "{spinner} {prefix:<9} {elapsed_precise} {human_pos} {msg}";
const COUNT: &str =
    "{spinner} {prefix:<9} {elapsed_precise} [{bar:30}] {human_pos}/{human_len} {msg}, eta {eta}";
const BYTES: &str =
    "{spinner} {prefix:<9} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes}, eta {eta}";

/// One bar on stderr for the stage under way, cleared when the stage ends.
pub struct Bars {
    display: Arc<Mutex<Display>>,
}

#[derive(Default)]
struct Display {
    stage: Option<Stage>,
    /// Set on interruption: nothing is drawn any more.
    closed: bool,
}

struct Stage {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
}

impl Bars {
    /// Bars when stderr is a terminal; `None` when it is a file or a pipe, where bars would only
    /// be noise in a log.
    pub fn for_stderr() -> Option<Arc<Bars>> {
        std::io::stderr()
            .is_terminal()
            .then(|| Arc::new(Bars::new()))
    }

    fn new() -> Self {
        let display = Arc::new(Mutex::new(Display::default()));
        let ticker = Arc::downgrade(&display);
        // One thread for the whole run reveals a slow stage and keeps its spinner and clock
        // moving between reports; it ends with the last `Bars`.
        std::thread::spawn(move || tick(&ticker));
        Bars { display }
    }

    fn display(&self) -> MutexGuard<'_, Display> {
        lock(&self.display)
    }

    /// Clears the bar for good: after an interruption only the error line may follow.
    pub fn close(&self) {
        let mut display = self.display();
        display.closed = true;
        if let Some(stage) = display.stage.take() {
            stage.bar.finish_and_clear();
        }
    }
}

/// A poisoned lock only means a panic elsewhere; the display is still fit to draw or clear.
fn lock(display: &Mutex<Display>) -> MutexGuard<'_, Display> {
    display.lock().unwrap_or_else(PoisonError::into_inner)
}

fn tick(display: &Weak<Mutex<Display>>) {
    loop {
        std::thread::sleep(TICK);
        let Some(display) = display.upgrade() else {
            return;
        };
        let mut display = lock(&display);
        if let Some(stage) = display.stage.as_mut() {
            if !stage.shown && stage.started.elapsed() >= SHOW_AFTER {
                stage.bar.set_draw_target(ProgressDrawTarget::stderr());
                stage.shown = true;
            }
            if stage.shown {
                stage.bar.tick();
            }
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are constants, checked by a test; a bad one would only lose the layout.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

impl Progress for Bars {
    fn stage(&self, name: &'static str) {
        let mut display = self.display();
        if display.closed {
            return;
        }
        if let Some(previous) = display.stage.take() {
            previous.bar.finish_and_clear();
        }
        // Drawn nowhere until the ticker decides the stage is slow enough to show.
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
            .with_style(style(UNCOUNTED))
            .with_prefix(name);
        display.stage = Some(Stage {
            bar,
            started: Instant::now(),
            shown: false,
        });
    }

    fn measure(&self, work: Work) {
        let display = self.display();
        let Some(stage) = display.stage.as_ref() else {
            return;
        };
        let bar = &stage.bar;
        match work {
            Work::Bytes(total) => {
                bar.set_style(style(BYTES));
                bar.set_length(total);
            }
            Work::Items {
                unit,
                total: Some(total),
            } => {
                bar.set_style(style(COUNT));
                bar.set_length(total);
                bar.set_message(unit);
            }
            Work::Items { unit, total: None } => {
                bar.set_style(style(OPEN_COUNT));
                bar.unset_length();
                bar.set_message(unit);
            }
        }
        bar.set_position(0);
        bar.reset_eta();
    }

    fn advance(&self, amount: u64) {
        if let Some(stage) = self.display().stage.as_ref() {
            stage.bar.inc(amount);
        }
    }

    fn finish(&self) {
        if let Some(stage) = self.display().stage.take() {
            stage.bar.finish_and_clear();
        }
    }
}

/// Ctrl-C sets `cancel`: the work stops at its next chunk and ends with
/// [`topictag::Error::Cancelled`], writing nothing. A stage that has not looked at the token
/// within [`INTERRUPT_GRACE`] (one long step of a library it calls), or a second Ctrl-C, ends
/// the process at once: the files being written are abandoned first, so no output file is
/// created or renamed after the signal.
pub fn cancel_on_interrupt(bars: Option<Arc<Bars>>, cancel: Cancel) -> Result<(), ctrlc::Error> {
    let pressed = AtomicBool::new(false);
    ctrlc::set_handler(move || {
        if pressed.swap(true, Ordering::SeqCst) {
            exit_interrupted(bars.as_deref());
        }
        cancel.cancel();
        let bars = bars.clone();
        std::thread::spawn(move || {
            std::thread::sleep(INTERRUPT_GRACE);
            exit_interrupted(bars.as_deref());
        });
    })
}

/// How long a cancelled run may take to stop by itself: the library stops within a second at a
/// million documents.
const INTERRUPT_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Ends the process as Ctrl-C does: pending files abandoned, bars closed, one line, code 130.
fn exit_interrupted(bars: Option<&Bars>) -> ! {
    // Held until the process is gone: no output file is created or renamed after this.
    let _abandoned = topictag::write::abandon_pending();
    if let Some(bars) = bars {
        bars.close();
    }
    let _ = writeln!(std::io::stderr().lock(), "error: interrupted");
    std::process::exit(INTERRUPTED);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse() {
        for template in [UNCOUNTED, OPEN_COUNT, COUNT, BYTES] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn bars_follow_the_stages_and_draw_nothing_once_closed() {
        let bars = Bars::new();
        bars.stage("text");
        bars.measure(Work::items("documents", 10));
        bars.advance(4);
        {
            let display = bars.display();
            let bar = &display.stage.as_ref().expect("a stage").bar;
            assert_eq!((bar.position(), bar.length()), (4, Some(10)));
            assert_eq!(bar.prefix(), "text");
        }
        bars.measure(Work::open("polish rounds"));
        assert_eq!(
            bars.display().stage.as_ref().map(|s| s.bar.length()),
            Some(None)
        );
        bars.finish();
        assert!(bars.display().stage.is_none());
        bars.close();
        bars.stage("write");
        bars.advance(1);
        assert!(bars.display().stage.is_none());
    }
}

//! Signals and the terminal: no progress bars when stderr is not a terminal, `--quiet`, and
//! Ctrl-C (SIGINT) mid-run and while writing: exit code 130 and a whole set of outputs left.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{
    assert_input_error, check_consistency, fixture, read_documents, read_text, read_topics,
    snapshot, succeed, synthetic_corpus, tempdir, topictag, warnings, TABLE_HEADER,
};

/// Whether `text` holds what a progress bar would leave: carriage returns or escape sequences.
fn has_terminal_drawing(text: &str) -> bool {
    text.contains('\r') || text.contains('\u{1b}')
}

#[test]
fn no_progress_bars_when_stderr_is_not_a_terminal() {
    // Here stderr is a pipe. Several stages of the 2,400-document run last long enough in a
    // debug build to get a bar on a terminal.
    let dir = tempdir();
    let input = dir.path().join("corpus.csv");
    std::fs::write(&input, synthetic_corpus(2400)).expect("write corpus");
    let outcome = succeed(topictag(dir.path()).arg(&input).args([
        "--k",
        "4",
        "--dims",
        "20",
        "--timings",
        "--output",
        "out",
    ]));
    assert!(
        !has_terminal_drawing(&outcome.stderr) && !has_terminal_drawing(&outcome.stdout),
        "stderr:\n{:?}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .lines()
            .all(|line| line.starts_with("time: ")),
        "only the --timings lines on stderr:\n{}",
        outcome.stderr
    );
    assert!(
        outcome.stdout.starts_with(TABLE_HEADER),
        "{}",
        outcome.stdout
    );
}

#[test]
fn quiet_leaves_stdout_empty_but_still_warns_and_reports_errors() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("no_terms/docs.csv"))
            .args(["--k", "2", "--quiet", "--output"])
            .arg(&out),
    );
    assert_eq!(outcome.stdout, "", "--quiet prints no table");
    let warned = warnings(&outcome.stderr);
    assert_eq!(
        warned.len(),
        1,
        "data-loss warnings stay: {}",
        outcome.stderr
    );
    assert_eq!(
        read_documents(&out).len(),
        10,
        "the files are written as usual"
    );

    let elsewhere = tempdir();
    assert_input_error(
        elsewhere.path(),
        &["missing.csv", "-q"],
        None,
        &["missing.csv", "cannot read"],
    );
}

/// Interrupting real runs: a signal sent to the binary while it works, and what it leaves in the
/// output folder. Linux only: whether the binary already catches SIGINT is read from /proc.
#[cfg(target_os = "linux")]
mod interrupt {
    use super::*;

    use std::process::{Child, Command as Process, ExitStatus, Stdio};
    use std::time::Instant;

    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;

    /// The longest a run may take here, signal or not: a whole debug run on a busy machine.
    const RUN_LIMIT: Duration = Duration::from_secs(900);

    /// The topictag binary on `input` into `out`, stdout and stderr to files in `dir`.
    fn start(dir: &Path, input: &Path, out: &Path, extra: &[&str]) -> Child {
        let stream = |name: &str| {
            Stdio::from(std::fs::File::create(dir.join(name)).expect("create stream file"))
        };
        Process::new(env!("CARGO_BIN_EXE_topictag"))
            .current_dir(dir)
            .env_remove("RAYON_NUM_THREADS")
            .arg(input)
            .arg("--output")
            .arg(out)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(stream("stdout.txt"))
            .stderr(stream("stderr.txt"))
            .spawn()
            .expect("the binary starts")
    }

    fn pid(child: &Child) -> Pid {
        Pid::from_raw(i32::try_from(child.id()).expect("pids fit in i32"))
    }

    /// Whether the process has its SIGINT handler in place (the SigCgt mask of /proc).
    fn catches_sigint(child: &Child) -> bool {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & (1 << (Signal::SIGINT as i32 - 1)) != 0)
    }

    /// Waits until the run catches SIGINT; false if it ended first.
    fn wait_until_catching(child: &mut Child) -> bool {
        let start = Instant::now();
        while start.elapsed() < RUN_LIMIT {
            if child.try_wait().expect("poll the child").is_some() {
                return false;
            }
            if catches_sigint(child) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the binary never installed its SIGINT handler");
    }

    fn interrupt(child: &Child) {
        // The run may have ended meanwhile (ESRCH): its exit status tells.
        let _ = kill(pid(child), Signal::SIGINT);
    }

    fn wait_for_exit(child: &mut Child) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("poll the child") {
                return status;
            }
            if start.elapsed() > RUN_LIMIT {
                let _ = child.kill();
                panic!("the run neither finished nor stopped within {RUN_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A complete set of outputs from the themes fixture in `out`, as it is on disk.
    fn earlier_outputs(dir: &Path, out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        succeed(
            topictag(dir)
                .arg(fixture("themes/docs.csv"))
                .args(["--k", "3", "--output"])
                .arg(out),
        );
        let before = snapshot(out);
        assert_eq!(before.len(), 10, "{:?}", before.keys());
        before
    }

    /// Checks that `out` holds one whole set, the earlier one or a new one for `documents`
    /// documents, and nothing else (no temp file, no backup); says which.
    fn whole_set(
        out: &Path,
        before: &BTreeMap<PathBuf, Vec<u8>>,
        documents: usize,
    ) -> &'static str {
        let now = snapshot(out);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "the output folder holds other files than the three outputs"
        );
        if &now == before {
            return "earlier";
        }
        for (name, bytes) in &now {
            assert_ne!(
                Some(bytes),
                before.get(name),
                "{} is from the earlier run while others are new",
                name.display()
            );
        }
        let rows = read_documents(out);
        assert_eq!(rows.len(), documents, "documents.csv is not whole");
        check_consistency(&rows, &read_topics(out));
        let metrics = read_text(&out.join("metrics.json"));
        assert!(
            metrics.contains(&format!("\"documents\": {documents},")),
            "metrics.json is not from the new run:\n{metrics}"
        );
        "new"
    }

    /// What the signalled run ended with: for exit code 130 the one-line message, for 0 a note
    /// that the signal came too late (a slow machine, or a run faster than expected).
    fn check_exit(dir: &Path, status: ExitStatus, signalled: bool) -> bool {
        let stderr = read_text(&dir.join("stderr.txt"));
        match status.code() {
            Some(130) => {
                assert!(signalled, "exit code 130 without a signal: {stderr}");
                assert_eq!(
                    stderr.lines().last(),
                    Some("error: interrupted"),
                    "{stderr}"
                );
                assert!(!has_terminal_drawing(&stderr), "{stderr:?}");
                true
            }
            Some(0) => {
                eprintln!("note: the run finished before the signal reached it");
                false
            }
            _ => panic!("unexpected exit {status:?}; stderr:\n{stderr}"),
        }
    }

    #[test]
    fn ctrl_c_mid_run_exits_130_and_keeps_the_earlier_outputs() {
        let dir = tempdir();
        let out = dir.path().join("out");
        let before = earlier_outputs(dir.path(), &out);
        // 20,000 documents with the default settings: minutes of work in a debug build.
        let documents = 20_000;
        let input = dir.path().join("corpus.csv");
        std::fs::write(&input, synthetic_corpus(documents)).expect("write corpus");
        let mut child = start(dir.path(), &input, &out, &[]);
        let catching = wait_until_catching(&mut child);
        if catching {
            // Well into reading or analysing the text, long before anything is written.
            std::thread::sleep(Duration::from_millis(300));
            interrupt(&child);
        }
        let status = wait_for_exit(&mut child);
        let interrupted = check_exit(dir.path(), status, catching);
        let state = whole_set(&out, &before, documents);
        if interrupted {
            eprintln!("interrupted; the output folder holds the {state} set");
        }
    }

    #[test]
    fn ctrl_c_while_writing_leaves_a_whole_set_and_no_temp_file() {
        let dir = tempdir();
        let out = dir.path().join("out");
        let before = earlier_outputs(dir.path(), &out);
        // Cheap settings, so the run reaches the write stage soon; enough documents that
        // writing documents.csv takes a while.
        let documents = 10_000;
        let input = dir.path().join("corpus.csv");
        std::fs::write(&input, synthetic_corpus(documents)).expect("write corpus");
        let cheap = ["--k", "4", "--dims", "5", "--runs", "2", "--refine", "2"];
        let mut child = start(dir.path(), &input, &out, &cheap);
        let mut signalled = false;
        let start = Instant::now();
        // Signal as soon as the first temp file shows: inside the write stage.
        while child.try_wait().expect("poll the child").is_none() && start.elapsed() < RUN_LIMIT {
            let writing = std::fs::read_dir(&out)
                .map(|entries| {
                    entries
                        .flatten()
                        .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                })
                .unwrap_or(false);
            if writing {
                interrupt(&child);
                signalled = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let status = wait_for_exit(&mut child);
        if !signalled {
            eprintln!("note: no temp file was seen before the run ended");
        }
        let interrupted = check_exit(dir.path(), status, signalled);
        let state = whole_set(&out, &before, documents);
        if interrupted {
            eprintln!("interrupted while writing; the output folder holds the {state} set");
        }
    }

    #[test]
    fn ctrl_c_while_tagging_into_a_file_leaves_no_partial_file() {
        let dir = tempdir();
        let out = dir.path().join("out");
        let small = dir.path().join("small.csv");
        std::fs::write(&small, synthetic_corpus(400)).expect("write corpus");
        succeed(
            topictag(dir.path())
                .arg(&small)
                .args(["--k", "4", "--quiet", "--output"])
                .arg(&out),
        );
        // Many documents to tag: seconds of work in a debug build.
        let documents = 150_000;
        let input = dir.path().join("many.csv");
        std::fs::write(&input, synthetic_corpus(documents)).expect("write corpus");
        let target = dir.path().join("tagged").join("rows.csv");
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("create folder");
        let stream = |name: &str| {
            Stdio::from(std::fs::File::create(dir.path().join(name)).expect("create stream"))
        };
        let mut child = Process::new(env!("CARGO_BIN_EXE_topictag"))
            .current_dir(dir.path())
            .env_remove("RAYON_NUM_THREADS")
            .arg("tag")
            .arg("--model")
            .arg(out.join("model.topictag"))
            .arg(&input)
            .arg("--output")
            .arg(&target)
            .stdin(Stdio::null())
            .stdout(stream("stdout.txt"))
            .stderr(stream("stderr.txt"))
            .spawn()
            .expect("the binary starts");
        let mut signalled = false;
        let start = Instant::now();
        // Signal once the rows are being streamed into the temp file.
        while child.try_wait().expect("poll the child").is_none() && start.elapsed() < RUN_LIMIT {
            let streaming = std::fs::read_dir(target.parent().expect("a parent"))
                .map(|entries| {
                    entries.flatten().any(|e| {
                        e.file_name().to_string_lossy().ends_with(".tmp")
                            && e.metadata().is_ok_and(|m| m.len() > 0)
                    })
                })
                .unwrap_or(false);
            if streaming && catches_sigint(&child) {
                interrupt(&child);
                signalled = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let status = wait_for_exit(&mut child);
        let interrupted = check_exit(dir.path(), status, signalled);
        let left: Vec<String> = std::fs::read_dir(target.parent().expect("a parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        if interrupted {
            assert!(left.is_empty(), "an interrupted tag left {left:?}");
        } else {
            assert_eq!(left, ["rows.csv"], "{left:?}");
            let rows = read_text(&target).lines().count();
            assert_eq!(rows, documents + 1, "the finished file is whole");
        }
    }
}

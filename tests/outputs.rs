//! What `-o` points at: a regular file or a new path is replaced whole (temp file and rename), a
//! symlink is followed and its target replaced, a FIFO or device is written through; a missing
//! folder or a file in a fit's folder's place is named in the error.

mod common;

use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use common::*;

/// A model fitted on the themes fixture, in `dir/out`.
fn fitted(dir: &Path) -> String {
    succeed(topictag(dir).arg(fixture("themes/docs.csv")).args([
        "--output",
        "out",
        "--k",
        "3",
        "--no-report",
        "--quiet",
    ]));
    path_str(&dir.join("out").join("model.topictag"))
}

fn tag_into(dir: &Path, model: &str, target: &str) -> Outcome {
    run(topictag(dir)
        .args(["tag", "--model", model, &fixture("themes/docs.csv")])
        .args(["--output", target, "--quiet"]))
}

#[test]
fn a_symlink_is_followed_and_its_target_replaced() {
    let dir = tempdir();
    let model = fitted(dir.path());
    std::fs::create_dir(dir.path().join("real")).expect("mkdir");
    std::fs::write(dir.path().join("real/tags.csv"), "stale\n").expect("write");
    std::os::unix::fs::symlink("real/tags.csv", dir.path().join("link.csv")).expect("symlink");
    let outcome = tag_into(dir.path(), &model, "link.csv");
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let link = std::fs::symlink_metadata(dir.path().join("link.csv")).expect("stat");
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let written = read_text(&dir.path().join("real/tags.csv"));
    assert!(written.starts_with(DOCUMENTS_HEADER), "{written}");
    // No temp file is left beside either.
    for folder in [dir.path().to_path_buf(), dir.path().join("real")] {
        let names: Vec<String> = std::fs::read_dir(&folder)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }
}

#[test]
fn a_dangling_symlink_names_the_file_to_create() {
    let dir = tempdir();
    let model = fitted(dir.path());
    std::os::unix::fs::symlink("made.csv", dir.path().join("link.csv")).expect("symlink");
    let outcome = tag_into(dir.path(), &model, "link.csv");
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    assert!(std::fs::symlink_metadata(dir.path().join("link.csv"))
        .expect("stat")
        .file_type()
        .is_symlink());
    assert!(read_text(&dir.path().join("made.csv")).starts_with(DOCUMENTS_HEADER));
}

#[test]
fn a_fifo_is_written_through_and_stays_a_fifo() {
    let dir = tempdir();
    let model = fitted(dir.path());
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the fifo"))
    };
    let outcome = tag_into(dir.path(), &model, "pipe");
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let read = reader.join().expect("reader thread");
    assert!(
        read.starts_with(DOCUMENTS_HEADER),
        "the reader got: {read:?}"
    );
    assert!(read.lines().count() > 3, "{read}");
    let meta = std::fs::symlink_metadata(&fifo).expect("stat");
    assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
}

#[test]
fn a_character_device_is_written_through() {
    let dir = tempdir();
    let model = fitted(dir.path());
    let outcome = tag_into(dir.path(), &model, "/dev/null");
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let meta = std::fs::metadata("/dev/null").expect("stat /dev/null");
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
    // A full device reports the failure instead of claiming success.
    if Path::new("/dev/full").exists() {
        let outcome = tag_into(dir.path(), &model, "/dev/full");
        assert_eq!(outcome.code, Some(1), "{}", outcome.stderr);
        assert!(outcome.stderr.contains("/dev/full"), "{}", outcome.stderr);
        let meta = std::fs::metadata("/dev/full").expect("stat /dev/full");
        assert!(meta.file_type().is_char_device(), "/dev/full was replaced");
    }
}

#[test]
fn a_missing_folder_is_named_not_a_temp_file() {
    let dir = tempdir();
    let model = fitted(dir.path());
    let outcome = tag_into(dir.path(), &model, "nowhere/tags.csv");
    assert_eq!(outcome.code, Some(1), "{}", outcome.stderr);
    let error = outcome
        .stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(error.contains("nowhere"), "{error}");
    assert!(error.contains("no such folder"), "{error}");
    assert!(!error.contains(".tmp"), "{error}");
}

#[test]
fn a_fit_into_a_file_says_a_file_is_in_the_way() {
    let dir = tempdir();
    std::fs::write(dir.path().join("taken"), "not a folder").expect("write");
    let outcome = run(topictag(dir.path())
        .arg(fixture("themes/docs.csv"))
        .args(["--output", "taken", "--k", "3"]));
    assert_eq!(outcome.code, Some(1), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("a file is in the way"),
        "{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("os error 17"),
        "{}",
        outcome.stderr
    );
}

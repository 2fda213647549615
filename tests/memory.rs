//! The memory estimate up front: a fit whose estimated peak is above the limit (given with
//! `--memory-limit`, or found: a cgroup's, the process's `ulimit -v`, the machine's available
//! memory) is refused before the bulk of the input is read, in one line with the estimate, the
//! limit and what would fit; exit 2, nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_input_error, fixture, path_str, run, succeed, tempdir, topictag};

/// A corpus of `rows` abstracts (the themes fixture's texts under new ids), and, when `broken`,
/// an unclosed quote in its last row: a run that reads the whole file fails on that row, so a
/// refusal that names memory instead proves the file was not read through.
fn corpus(dir: &Path, rows: usize, broken: bool) -> PathBuf {
    let fixture = std::fs::read_to_string(fixture("themes/docs.csv")).expect("fixture");
    let mut reader = csv::Reader::from_reader(fixture.as_bytes());
    let texts: Vec<String> = reader
        .records()
        .map(|r| {
            let r = r.expect("fixture row");
            format!("{}. {}", &r[1], &r[2])
        })
        .collect();
    let mut out = String::from("id,text\n");
    for i in 0..rows {
        out.push_str(&format!(
            "d{i},\"{}\"\n",
            texts[i % texts.len()].replace('"', "\"\"")
        ));
    }
    if broken {
        out.push_str("last,\"an unclosed quote\n");
    }
    let path = dir.join(if broken { "broken.csv" } else { "big.csv" });
    std::fs::write(&path, out).expect("write the corpus");
    path
}

#[test]
fn a_fit_over_the_given_limit_is_refused_before_the_input_is_read() {
    let dir = tempdir();
    let input = path_str(&corpus(dir.path(), 200_000, true));
    assert_input_error(
        dir.path(),
        &[&input, "--memory-limit", "200M"],
        None,
        &[
            "broken.csv: the fit would need about ",
            "(about 20",
            " documents, judged from its first rows)",
            "the limit given allows 200 MiB",
            "fit on a sample of at most ",
            "documents and tag the rest with its model (topictag tag)",
            "or raise --memory-limit",
        ],
    );
}

#[test]
fn lowering_dims_is_offered_when_it_is_enough() {
    let dir = tempdir();
    let input = path_str(&corpus(dir.path(), 60_000, false));
    // About 60,000 × 7 bytes per dimension: --dims 300 needs some 120 MiB more than --dims 100.
    let outcome = run(topictag(dir.path()).args([
        &input,
        "--dims",
        "300",
        "--memory-limit",
        "330M",
        "-o",
        "out",
    ]));
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("or use --dims "),
        "{}",
        outcome.stderr
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn standard_input_is_checked_once_read_and_counted_exactly() {
    let dir = tempdir();
    let bytes = std::fs::read(corpus(dir.path(), 50_000, false)).expect("corpus");
    assert_input_error(
        dir.path(),
        &["-", "--memory-limit", "100M"],
        Some(&bytes),
        &[
            "<stdin>: the fit would need about ",
            "(50,000 documents)",
            "the limit given allows 100 MiB",
        ],
    );
}

#[test]
fn the_summary_says_the_estimate_and_none_turns_it_off() {
    let dir = tempdir();
    let outcome =
        succeed(topictag(dir.path()).args([&fixture("themes/docs.csv"), "--k", "3", "-o", "a"]));
    let line = outcome
        .stdout
        .lines()
        .find(|l| l.starts_with("memory: estimated peak "))
        .unwrap_or_else(|| panic!("no memory line in:\n{}", outcome.stdout));
    assert!(line.contains(" allowed ("), "{line}");
    let outcome = succeed(topictag(dir.path()).args([
        &fixture("themes/docs.csv"),
        "--k",
        "3",
        "-o",
        "b",
        "--memory-limit",
        "none",
    ]));
    assert!(!outcome.stdout.contains("memory:"), "{}", outcome.stdout);
    let outcome =
        run(topictag(dir.path()).args([&fixture("themes/docs.csv"), "--memory-limit", "12X"]));
    assert_eq!(outcome.code, Some(2));
    assert!(
        outcome.stderr.contains("'12X' is not a size"),
        "{}",
        outcome.stderr
    );
}

/// The binary's path, for running it under another program.
fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_topictag"))
}

#[cfg(target_os = "linux")]
#[test]
fn a_real_address_space_limit_is_found_and_refuses_the_fit() {
    let dir = tempdir();
    let input = corpus(dir.path(), 200_000, true);
    // The binary itself runs in 70 MB of address space; the corpus would need several times 300.
    let output = Command::new("prlimit")
        .arg("--as=300000000")
        .arg(binary())
        .arg(&input)
        .args(["-o", "out"])
        .current_dir(dir.path())
        .output()
        .expect("prlimit (util-linux) runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the process's address-space limit (ulimit -v) allows ")
            && stderr.contains("the fit would need about "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!dir.path().join("out").exists());
}

/// A memory cgroup of our own, limited to `bytes`, where this process may make one: cgroup v2
/// (`memory.max`) or v1 (`memory/memory.limit_in_bytes`). Removed on drop.
#[cfg(target_os = "linux")]
struct Cgroup(PathBuf);

#[cfg(target_os = "linux")]
impl Cgroup {
    fn new(bytes: u64) -> Result<Cgroup, String> {
        let name = format!("topictag-test-{}", std::process::id());
        let mut candidates: Vec<(PathBuf, &str)> = Vec::new();
        // cgroup v1: a child of this process's own memory cgroup.
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        for line in own.lines() {
            let parts: Vec<&str> = line.splitn(3, ':').collect();
            if parts.len() == 3 && parts[1].split(',').any(|c| c == "memory") {
                let path =
                    Path::new("/sys/fs/cgroup/memory").join(parts[2].trim_start_matches('/'));
                candidates.push((path, "memory.limit_in_bytes"));
            }
        }
        // cgroup v2: a child of the root, where the root hands the memory controller down.
        let subtree = std::fs::read_to_string("/sys/fs/cgroup/cgroup.subtree_control");
        if subtree.is_ok_and(|s| s.split_whitespace().any(|c| c == "memory")) {
            candidates.push((PathBuf::from("/sys/fs/cgroup"), "memory.max"));
        }
        let mut tried = Vec::new();
        for (parent, file) in candidates {
            let dir = parent.join(&name);
            if let Err(e) = std::fs::create_dir(&dir) {
                tried.push(format!("{}: {e}", dir.display()));
                continue;
            }
            let group = Cgroup(dir);
            match std::fs::write(group.0.join(file), bytes.to_string()) {
                Ok(()) => return Ok(group),
                Err(e) => tried.push(format!("{}: {e}", group.0.join(file).display())),
            }
        }
        if tried.is_empty() {
            tried.push("no memory cgroup controller".to_string());
        }
        Err(tried.join("; "))
    }
}

#[cfg(target_os = "linux")]
impl Drop for Cgroup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_real_cgroup_limit_is_found_and_refuses_the_fit() {
    let group = match Cgroup::new(256 << 20) {
        Ok(group) => group,
        // A cgroup needs root and a writable cgroup mount: tests/run.sh (TOPICTAG_TEST_ALL) runs
        // as root, where this must work; elsewhere the prlimit test above stands in.
        Err(why) if std::env::var_os("TOPICTAG_TEST_ALL").is_none() => {
            eprintln!("no cgroup of our own ({why}): not run");
            return;
        }
        Err(why) => panic!("cannot make a memory cgroup: {why}"),
    };
    let dir = tempdir();
    let input = corpus(dir.path(), 200_000, true);
    // The shell joins the cgroup, then becomes the binary: the run is held to the limit.
    let script = format!(
        "echo $$ > '{}' && exec \"$0\" \"$1\" -o out",
        group.0.join("cgroup.procs").display()
    );
    let output = Command::new("sh")
        .args(["-c", &script])
        .arg(binary())
        .arg(&input)
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the cgroup's limit, ") && stderr.contains("allows 256 MiB"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

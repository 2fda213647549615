//! libFuzzer entry of the `read_csv` target; the target itself is
//! `topictag_fuzz::targets::read_csv` (fuzz/src/targets/read_csv.rs), which `cargo test` also runs on
//! every committed finding and seed (tests/fuzz_findings.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| topictag_fuzz::targets::read_csv::run(data));

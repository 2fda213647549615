//! libFuzzer entry of the `read_jsonl` target; the target itself is
//! `topictag_fuzz::targets::read_jsonl` (fuzz/src/targets/read_jsonl.rs), which `cargo test` also runs on
//! every committed finding and seed (tests/fuzz_findings.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| topictag_fuzz::targets::read_jsonl::run(data));

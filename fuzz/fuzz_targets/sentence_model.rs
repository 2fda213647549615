//! libFuzzer entry of the `sentence_model` target; the target itself is
//! `topictag_fuzz::targets::sentence_model` (fuzz/src/targets/sentence_model.rs), which `cargo test` also runs on
//! every committed finding and seed (tests/fuzz_findings.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| topictag_fuzz::targets::sentence_model::run(data));

//! libFuzzer entry of the `tag` target; the target itself is
//! `topictag_fuzz::targets::tag` (fuzz/src/targets/tag.rs), which `cargo test` also runs on
//! every committed finding and seed (tests/fuzz_findings.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| topictag_fuzz::targets::tag::run(data));

//! libFuzzer entry of the `text` target; the target itself is
//! `topictag_fuzz::targets::text` (fuzz/src/targets/text.rs), which `cargo test` also runs on
//! every committed finding and seed (tests/fuzz_findings.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| topictag_fuzz::targets::text::run(data));

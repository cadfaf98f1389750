//! Encoding detection and decoding of arbitrary bytes: an error or text, no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = policy_diff::corpus::load::decode(std::path::Path::new("fuzz.bin"), data);
});

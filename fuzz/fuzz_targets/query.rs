//! The query parser: no panic; a parsed query printed back parses to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policy_diff::search::query::parse;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(q) = parse(text) {
            assert_eq!(parse(&q.to_string()).expect("printed query parses"), q);
        }
    }
});

//! Layout repair, structure parsing and metadata detection on arbitrary text:
//! no panic, fold idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (provisions, _) = policy_diff::corpus::parse("fuzz", text);
        for p in &provisions {
            assert!(!p.id.is_empty());
        }
        let _ = policy_diff::corpus::meta::detect(text);
        let once = policy_diff::text::fold(text);
        assert_eq!(policy_diff::text::fold(&once), once);
    }
});

#![no_main]
//! Stored outbox records from older or corrupted versions: set aside, never a panic.
use libfuzzer_sys::fuzz_target;
use xinjing_core::my_reports::parse_records;
use xinjing_core::outbox::{load, next_wakeup};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let loaded = load(vec![("key".into(), text.to_string())]);
    assert_eq!(loaded.entries.len() + loaded.unreadable.len(), 1);
    let _ = next_wakeup(&loaded.entries);
    for entry in &loaded.entries {
        let _ = entry.payload();
        let _ = entry.summary();
    }
    let _ = parse_records(&text);
});

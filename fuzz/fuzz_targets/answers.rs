#![no_main]
//! Whatever a server answers (status code, Retry-After, body: status, similar, times), and
//! the mock's stored state.
use libfuzzer_sys::fuzz_target;
use xinjing_core::mock::MockState;
use xinjing_core::my_reports::parse_status;
use xinjing_core::outbox::{classify, Answer};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let code = u16::from_le_bytes([data[0], data[1]]);
    let text = String::from_utf8_lossy(&data[2..]);
    let (retry_after, body) = text.split_once('\n').unwrap_or(("", &text));
    let _ = classify(&Answer::Status { code, retry_after: Some(retry_after.into()), body: body.into() }, 1_796_000_000_000.0);
    let _ = parse_status(body);
    let mut state = MockState::parse(body);
    let _ = state.submit(retry_after, body, 1_796_000_000_000.0);
    let _ = state.feedback(retry_after, retry_after, body, 1_796_000_000_000.0);
    let _ = state.status(retry_after, retry_after, 1_796_001_000_000.0);
    let _ = xinjing_core::similar::parse_similar(body);
    let _ = xinjing_core::follow_up::shanghai_time(retry_after);
});

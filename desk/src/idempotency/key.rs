//! The key itself: the report's id, a version-4 UUID, compared in lower case.

use super::IDEMPOTENCY_KEY_HEADER;
use axum::http::HeaderMap;
use xinjing_contract::ids::is_uuid_v4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The request's `Idempotency-Key`, if it is a UUID v4.
    pub fn from_headers(headers: &HeaderMap) -> Option<IdempotencyKey> {
        headers
            .get(IDEMPOTENCY_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(IdempotencyKey::parse)
    }

    pub fn parse(text: &str) -> Option<IdempotencyKey> {
        is_uuid_v4(text).then(|| IdempotencyKey(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_a_uuid_v4_in_lower_case() {
        let key = IdempotencyKey::parse("0F8FAD5B-D9CB-469F-A165-70867728950E").unwrap();
        assert_eq!(key.as_str(), "0f8fad5b-d9cb-469f-a165-70867728950e");
        assert_eq!(IdempotencyKey::parse("not-a-uuid"), None);
    }
}

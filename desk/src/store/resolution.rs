//! A resolution as stored: a code the desk knows, or none.

use super::{Result, StoreError};
pub use crate::resolution::Resolution;

/// A stored resolution; an unknown code is an error, never read as "none".
pub(crate) fn resolution_from(code: Option<String>) -> Result<Option<Resolution>> {
    code.map(|code| {
        Resolution::from_code(&code).ok_or(StoreError::UnknownCode {
            what: "resolution",
            code,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_unknown_ones_fail() {
        assert_eq!(resolution_from(None).unwrap(), None);
        assert_eq!(
            resolution_from(Some("solved".into())).unwrap(),
            Some(Resolution::Solved)
        );
        assert!(matches!(
            resolution_from(Some("fixed".into())),
            Err(StoreError::UnknownCode { .. })
        ));
    }
}

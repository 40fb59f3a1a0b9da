//! How a resolved report was resolved. The town counts a report as *solved* only when staff
//! said the hazard is gone; a report answered with an explanation is closed but not solved,
//! and so is one merged into another (it has no resolution of its own).

use super::{Result, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// 已解决: the hazard was dealt with.
    Solved,
    /// 已解释说明: answered (a rule explained, nothing to fix).
    Explained,
}

impl Resolution {
    pub const ALL: [Resolution; 2] = [Resolution::Solved, Resolution::Explained];

    pub fn code(self) -> &'static str {
        match self {
            Resolution::Solved => "solved",
            Resolution::Explained => "explained",
        }
    }

    pub fn from_code(code: &str) -> Option<Resolution> {
        Resolution::ALL.into_iter().find(|r| r.code() == code)
    }
}

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
        for r in Resolution::ALL {
            assert_eq!(Resolution::from_code(r.code()), Some(r));
        }
        assert_eq!(resolution_from(None).unwrap(), None);
        assert!(matches!(
            resolution_from(Some("fixed".into())),
            Err(StoreError::UnknownCode { .. })
        ));
    }
}

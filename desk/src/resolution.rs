//! How a resolved report was resolved. The town counts a report as *solved* only when staff
//! said the hazard is gone; a report answered with an explanation is closed but not solved,
//! and so is one merged into another (it has no resolution of its own).

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for r in Resolution::ALL {
            assert_eq!(Resolution::from_code(r.code()), Some(r));
        }
        assert_eq!(Resolution::from_code("fixed"), None);
    }
}

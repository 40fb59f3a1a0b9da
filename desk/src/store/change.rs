//! The changes staff make to a report, and which fit which state. Pure: the store applies
//! them (`desk_report`).

use super::{Dispatch, Resolution};
use xinjing_contract::TicketStatus;

/// A change made by staff.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// To another state, with the note the resident sees and one only staff see.
    /// `resolution` is kept only with `Resolved` (staff choose it when resolving).
    /// `override_reason`: why a report is resolved as solved without a passed review.
    Status {
        status: TicketStatus,
        resolution: Option<Resolution>,
        public_note: String,
        internal_note: Option<String>,
        override_reason: Option<String>,
    },
    Assign {
        assignee: Option<String>,
    },
    /// Closes the report as a duplicate of another ticket (resolved, `merged_into` set).
    Duplicate {
        of: String,
        public_note: String,
    },
    /// Back to received, on top of the list.
    Reopen {
        public_note: Option<String>,
        internal_note: Option<String>,
    },
    /// To a handling unit (in progress): a new task, unless one is live already.
    Dispatch {
        dispatch: Dispatch,
        public_note: String,
        internal_note: String,
    },
    /// A passed review (复查通过) of the report's answered task `task`: the task passes and
    /// the report is resolved as solved, the review's note the resident's, in one step.
    /// `public_photo`: the resident may see the unit's after-photo.
    ReviewPass {
        task: String,
        note: String,
        public_photo: bool,
    },
}

/// The states staff may move a report to from `status` (closed ones reopen instead).
pub fn next_states(status: TicketStatus) -> &'static [TicketStatus] {
    match status {
        TicketStatus::Received => &[
            TicketStatus::InProgress,
            TicketStatus::Resolved,
            TicketStatus::Rejected,
        ],
        TicketStatus::InProgress => &[TicketStatus::Resolved, TicketStatus::Rejected],
        TicketStatus::Resolved | TicketStatus::Rejected => &[],
    }
}

/// What became of a staff change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// No such ticket.
    Unknown,
    /// Not from the report's state as it is now (another desk, or the resident, changed it
    /// first): nothing recorded.
    NotNow,
    /// Resolved as solved with neither a passed review nor an override: nothing recorded.
    NeedsOverride,
}

impl Change {
    /// Whether this change may be made to a report in state `current`. Checked again
    /// inside the change's transaction, so two desks (or a desk and a resident's reopening)
    /// acting at once cannot both close, or both reopen, the same report.
    pub fn fits(&self, current: TicketStatus) -> bool {
        match self {
            Change::Status { status, .. } => next_states(current).contains(status),
            Change::Assign { .. } => true,
            Change::Duplicate { .. } => !current.is_final(),
            Change::Reopen { .. } => current.is_final(),
            Change::Dispatch { .. } => !current.is_final(),
            Change::ReviewPass { .. } => !current.is_final(),
        }
    }

    /// Whether this change still needs an override, the report having a passed review
    /// (`reviewed`) or not: "solved" (已解决) is what a review found, or what staff vouch
    /// for with a reason the audit log keeps. Any other resolution needs neither.
    pub fn needs_override(&self, reviewed: bool) -> bool {
        !reviewed
            && matches!(
                self,
                Change::Status {
                    status: TicketStatus::Resolved,
                    resolution: Some(Resolution::Solved),
                    override_reason: None,
                    ..
                }
            )
    }

    /// The override's reason, when this change resolves as solved on staff's word.
    pub fn override_reason(&self) -> Option<&str> {
        match self {
            Change::Status {
                status: TicketStatus::Resolved,
                resolution: Some(Resolution::Solved),
                override_reason,
                ..
            } => override_reason.as_deref(),
            _ => None,
        }
    }

    /// The audit log's name for it.
    pub fn action(&self) -> &'static str {
        match self {
            Change::Status { .. } if self.override_reason().is_some() => "status_override",
            Change::Status { .. } => "status",
            Change::Assign { .. } => "assign",
            Change::Duplicate { .. } => "duplicate",
            Change::Reopen { .. } => "reopen",
            Change::Dispatch { .. } => "dispatch",
            Change::ReviewPass { .. } => "review_pass",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(resolution: Resolution, override_reason: Option<&str>) -> Change {
        Change::Status {
            status: TicketStatus::Resolved,
            resolution: Some(resolution),
            public_note: "已清理".into(),
            internal_note: None,
            override_reason: override_reason.map(str::to_owned),
        }
    }

    #[test]
    fn solved_needs_a_passed_review_or_an_override() {
        let bare = resolve(Resolution::Solved, None);
        assert!(bare.needs_override(false));
        assert!(!bare.needs_override(true));
        assert_eq!(bare.action(), "status");
        let vouched = resolve(Resolution::Solved, Some("电话确认"));
        assert!(!vouched.needs_override(false));
        assert_eq!(vouched.action(), "status_override");
        assert_eq!(vouched.override_reason(), Some("电话确认"));
        let explained = resolve(Resolution::Explained, None);
        assert!(!explained.needs_override(false));
        // A reason sent with another choice is not an override.
        let explained = resolve(Resolution::Explained, Some("x"));
        assert_eq!(
            (explained.action(), explained.override_reason()),
            ("status", None)
        );
    }
}

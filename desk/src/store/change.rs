//! The changes staff make to a report, and which fit which state. Pure: the store applies
//! them (`desk_report`).

use super::{Dispatch, Resolution};
use xinjing_contract::TicketStatus;

/// A change made by staff.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// To another state, with the note the resident sees and one only staff see.
    /// `resolution` is kept only with `Resolved` (staff choose it when resolving).
    Status {
        status: TicketStatus,
        resolution: Option<Resolution>,
        public_note: String,
        internal_note: Option<String>,
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
    ReviewPass {
        task: String,
        note: String,
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

    /// The audit log's name for it.
    pub fn action(&self) -> &'static str {
        match self {
            Change::Status { .. } => "status",
            Change::Assign { .. } => "assign",
            Change::Duplicate { .. } => "duplicate",
            Change::Reopen { .. } => "reopen",
            Change::Dispatch { .. } => "dispatch",
            Change::ReviewPass { .. } => "review_pass",
        }
    }
}

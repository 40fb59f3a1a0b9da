//! `xinjing-desk set-status`: the staff pages' change of state, made from the shell by the
//! actor `cli`. It goes through the same `apply_change` as the page, so the transition
//! rules, the audit line, the history event (which the notifier reads) and the refusal
//! message are the page's own.

use super::i18n::Lang;
use crate::store::{Applied, Change, Resolution, Store, StoreError};
use xinjing_contract::TicketStatus;

/// The actor the audit log names for changes made from the shell.
pub const ACTOR: &str = "cli";

/// Why a change from the shell was not made.
#[derive(Debug, thiserror::Error)]
pub enum ShellChangeError {
    #[error("no ticket {0}")]
    Unknown(String),
    /// "resolved" names how (`--resolution`), and only "resolved" does.
    #[error("{0}")]
    Resolution(&'static str),
    /// The page's own message, with the move that was refused.
    #[error("{ticket}: {message} ({from} → {to})")]
    Refused {
        ticket: String,
        message: &'static str,
        from: &'static str,
        to: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Moves `ticket` to `status`, with `note` for the resident (none when blank) and, when
/// resolving, how it was resolved (and, for "solved" without a passed review, why).
pub async fn set_status(
    store: &Store,
    ticket: &str,
    status: TicketStatus,
    (resolution, override_reason): (Option<Resolution>, Option<&str>),
    note: Option<&str>,
    now: i64,
) -> Result<(), ShellChangeError> {
    match (status, resolution) {
        (TicketStatus::Resolved, None) => {
            return Err(ShellChangeError::Resolution(
                "resolving needs --resolution solved or --resolution explained",
            ))
        }
        (TicketStatus::Resolved, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(ShellChangeError::Resolution(
                "--resolution goes with the state resolved only",
            ))
        }
    }
    let unknown = || ShellChangeError::Unknown(ticket.to_owned());
    let Some(report) = store.desk_report(ticket).await? else {
        return Err(unknown());
    };
    let from = report.report.status;
    let change = Change::Status {
        status,
        resolution,
        public_note: note.map(str::trim).unwrap_or_default().to_owned(),
        internal_note: None,
        // A blank reason is none: the refusal below says what is missing.
        override_reason: override_reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
    };
    let detail = format!("{} → {}", from.code(), status.code());
    match store
        .apply_change(ticket, &change, ACTOR, Some(&detail), now)
        .await?
    {
        Applied::Done => Ok(()),
        Applied::Unknown => Err(unknown()),
        Applied::NeedsOverride => Err(ShellChangeError::Resolution(
            "resolving as solved without a passed review needs --override REASON (kept in the audit log)",
        )),
        Applied::NotNow => Err(ShellChangeError::Refused {
            ticket: ticket.to_owned(),
            message: super::report::error_message(Lang::En, "bad_status"),
            from: from.code(),
            to: status.code(),
        }),
    }
}

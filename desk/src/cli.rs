//! The command line's shape (clap): commands, their arguments and how values are read.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use xinjing_contract::TicketStatus;
use xinjing_desk::config::describe_keys;
use xinjing_desk::staff::auth::Role;
use xinjing_desk::store::Resolution;

/// A value on the command line that means nothing here; clap prints it beside the flag.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadValue(String);

/// xinjing-desk: the town's desk for Xinjing safety reports
#[derive(Parser)]
#[command(
    name = "xinjing-desk",
    arg_required_else_help = true,
    after_help = format!(
        "configuration: a TOML file named by DESK_CONFIG; each key can be overridden by its \
         environment variable:\n{}",
        describe_keys()
    )
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API (and the widget, with `dist`) until stopped
    Serve {
        /// Trying it out: serve without public_url, with links to the bound address
        #[arg(long)]
        dev: bool,
    },
    /// Create or update the database, then exit
    Migrate,
    /// Check the configuration and the storage it names, then exit
    CheckConfig,
    /// Copy the database and the photos into DIR (new or empty), with a manifest of
    /// SHA-256 checksums; files readable by their owner only. Safe while the desk runs.
    /// PostgreSQL needs pg_dump (Debian's postgresql-client)
    Backup { dir: PathBuf },
    /// Put a backup made by `backup` back: checks every checksum first, then replaces the
    /// database and copies the photos in. Stop the desk first. PostgreSQL needs pg_restore
    Restore {
        dir: PathBuf,
        /// Replace a database that already holds reports or accounts
        #[arg(long)]
        force: bool,
    },
    /// Change a ticket's state as the staff pages do (same rules, audited as `cli`); the
    /// note is shown to the resident
    SetStatus {
        ticket: String,
        /// received, in_progress, resolved or rejected
        #[arg(value_parser = parse_status)]
        status: TicketStatus,
        /// The public note the resident sees
        note: Option<String>,
        /// How a report being resolved was: solved (已解决, the hazard is gone) or
        /// explained (已解释说明); needed with resolved, refused with any other state
        #[arg(long, value_parser = parse_resolution)]
        resolution: Option<Resolution>,
        /// Why a report is resolved as solved without a passed review (复查): needed then,
        /// and kept in the audit log
        #[arg(long = "override", value_name = "REASON")]
        override_reason: Option<String>,
    },
    /// Staff accounts
    #[command(subcommand)]
    User(UserCommand),
    /// The town's precomputed figures
    #[command(subcommand)]
    Stats(StatsCommand),
}

#[derive(Subcommand)]
pub enum StatsCommand {
    /// Fill the figures again from every report (the desk does it by itself when it finds
    /// them missing or made with other deadlines). Best with the desks stopped
    Rebuild,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a staff account, or reset its password, role and communities; the password is
    /// read from standard input (staff see the communities named; admins see all)
    Add {
        name: String,
        /// admin, staff (one community or more), town (reads every community and its
        /// figures; works no report and manages nothing) or unit (a handling unit's tasks)
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A residential area this account works for (staff: at least one)
        #[arg(long = "community", value_name = "AREA")]
        communities: Vec<String>,
        /// The handling unit (a [[unit]] id of the configuration) of a unit account
        #[arg(long)]
        unit: Option<String>,
    },
    /// The accounts, their roles and communities
    List,
    /// Remove an account (someone who left) and log it out
    Remove { name: String },
}

fn parse_status(text: &str) -> Result<TicketStatus, BadValue> {
    TicketStatus::from_code(text).ok_or_else(|| {
        BadValue(format!(
            "unknown state {text:?}: received, in_progress, resolved or rejected"
        ))
    })
}

fn parse_resolution(text: &str) -> Result<Resolution, BadValue> {
    Resolution::from_code(text)
        .ok_or_else(|| BadValue("--resolution must be solved or explained".into()))
}

fn parse_role(text: &str) -> Result<Role, BadValue> {
    Role::from_code(text)
        .ok_or_else(|| BadValue("--role must be admin, staff, town or unit".into()))
}

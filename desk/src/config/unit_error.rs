//! What can be wrong with the handling units' configuration (`[[unit]]`, `[deadlines]`).

/// What is wrong with a `[[unit]]` table or with `[deadlines]`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    #[error("expected [[unit]] tables")]
    NotTables,
    #[error("unknown field `{0}` in [[unit]] (known: id, name, kind, communities, robot)")]
    UnknownField(String),
    #[error("a unit's id must be 1 to 32 lower-case letters, digits or '-' (got {0:?})")]
    BadId(String),
    #[error("two units have the id {0:?}")]
    SameId(String),
    #[error("unit {0:?} needs a name")]
    NoName(String),
    #[error("unit {unit:?}: kind {kind:?}: expected property, enforcement, power, committee, police or other")]
    UnknownKind { unit: String, kind: String },
    #[error("unit {0:?}: communities must be a list of area names")]
    Communities(String),
    #[error("unit {unit:?} serves {community:?}, which is not one of the configured communities")]
    UnknownCommunity { unit: String, community: String },
    #[error("unit {unit:?}: robot: {error}")]
    Robot {
        unit: String,
        error: crate::notify::config::NotifyError,
    },
    #[error("deadlines: {0:?} is not a category (flying_line_charging, ebike_in_stairwell, …)")]
    UnknownCategory(String),
    #[error("deadlines: {0:?} must be a whole number of hours, 1 to 8760")]
    Hours(String),
}

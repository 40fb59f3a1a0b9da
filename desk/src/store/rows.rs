//! The few columns a `#[derive(sqlx::FromRow)]` does not read as they are stored, each named
//! with `#[sqlx(try_from = "…")]`: codes that must be known, JSON kept as text, and 0/1
//! integers (SQLite has no booleans, so both databases keep them as integers).

use super::{role_from, status_from, StoreError};
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Decode, Type};
use xinjing_contract::TicketStatus;

/// A text column read into `$into` by `$read` while it is decoded, so a value `$read`
/// refuses fails the row with `$read`'s own error. (An error returned by the `TryFrom` of
/// `try_from` would reach us only as "unprintable error": sqlx 0.9.0 loses its type.)
macro_rules! text_column {
    ($(#[$doc:meta])* $name:ident => $into:ty, $read:expr) => {
        $(#[$doc])*
        pub(crate) struct $name($into);

        impl Type<Any> for $name {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <String as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $name {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <String as Decode<'r, Any>>::decode(value)?;
                Ok($name($read(text)?))
            }
        }

        impl From<$name> for $into {
            fn from(column: $name) -> $into {
                column.0
            }
        }
    };
}

text_column!(
    /// A report's state code: unknown, it is [`StoreError::UnknownCode`], never `received`.
    StateCode => TicketStatus,
    |code: String| status_from(&code)
);

text_column!(
    /// An account's role code: unknown, it is [`StoreError::UnknownCode`], never `staff`.
    RoleCode => String,
    |code: String| -> Result<String, StoreError> { role_from(code) }
);

text_column!(
    /// A dispatch task's state code: unknown, it is [`StoreError::UnknownCode`].
    TaskStateCode => super::TaskState,
    |code: String| super::TaskState::from_code(&code).ok_or(StoreError::UnknownCode {
        what: "task state",
        code,
    })
);

text_column!(
    /// JSON kept as text (a campaign's entry, written by the desk from a `Value`): text
    /// that is not JSON is an error, not `null`.
    JsonText => serde_json::Value,
    |text: String| serde_json::from_str::<serde_json::Value>(&text)
);

/// A yes/no kept as 0 or 1.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct Flag(i64);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0 != 0
    }
}

/// A yes/no that may not have been answered.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct MaybeFlag(Option<i64>);

impl From<MaybeFlag> for Option<bool> {
    fn from(flag: MaybeFlag) -> Option<bool> {
        flag.0.map(|n| n != 0)
    }
}

/// The time something happened (a photo erased), read as whether it has.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct Happened(Option<i64>);

impl From<Happened> for bool {
    fn from(at: Happened) -> bool {
        at.0.is_some()
    }
}

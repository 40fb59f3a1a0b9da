//! Who a logged-in account is: its role, its communities, and what it may see. (The
//! extractors that find it from the session cookie are in `auth`.)

use super::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything: every community, accounts' failed logins, campaigns, the audit log.
    Admin,
    /// A committee member: the reports of their communities, worked.
    Staff,
    /// A handling unit's account: its unit's tasks only (`/desk/tasks`).
    Unit,
    /// The town (its operations centre): reads every community's reports and figures;
    /// works no report, sees no contact details, manages nothing.
    Town,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Unit => "unit",
            Role::Town => "town",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "admin" => Some(Role::Admin),
            "staff" => Some(Role::Staff),
            "unit" => Some(Role::Unit),
            "town" => Some(Role::Town),
            _ => None,
        }
    }
}

/// The logged-in account of a `/desk/` request.
#[derive(Clone)]
pub struct Staff {
    pub name: String,
    pub role: Role,
    /// The areas this account works for; empty for an admin or the town (all).
    pub communities: Vec<String>,
    /// A unit account's handling unit (`None` for staff and admins).
    pub unit: Option<String>,
    pub lang: Lang,
    /// The token every form of this session carries.
    pub csrf: String,
    /// SHA-256 of the session token (to end this session, or keep it).
    pub(crate) session: String,
}

/// Without the CSRF token and the session's hash (either lets one act as this account).
impl std::fmt::Debug for Staff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staff")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("communities", &self.communities)
            .field("unit", &self.unit)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl Staff {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn is_unit(&self) -> bool {
        self.role == Role::Unit
    }

    /// Reads every community (admins and the town). A unit account sees none: only its
    /// unit's tasks.
    pub fn sees_all(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Town)
    }

    /// Reads the figures of every community (the overview): admins and the town.
    pub fn reads_town_figures(&self) -> bool {
        self.sees_all()
    }

    pub fn can_see(&self, community: &str) -> bool {
        self.sees_all() || self.communities.iter().any(|c| c == community)
    }

    /// Changes a report's state, assignment, duplicates: admins and the community's own
    /// staff. The town reads and works nothing.
    pub fn can_work(&self, community: &str) -> bool {
        self.role != Role::Town && self.can_see(community)
    }

    /// Contact details are shown to admins and to the staff of the report's community.
    /// (The community's own staff call residents back; the town needs figures, not
    /// residents' names.)
    pub fn can_see_contact(&self, community: &str) -> bool {
        self.can_work(community)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_holds_no_session_secret() {
        let staff = Staff {
            name: "li".into(),
            role: Role::Staff,
            communities: vec!["甲村".into()],
            unit: None,
            lang: Lang::Zh,
            csrf: "csrf-secret-token".into(),
            session: "session-hash-value".into(),
        };
        let text = format!("{staff:?}");
        assert!(text.contains("li") && text.contains("甲村"), "{text}");
        assert!(
            !text.contains("csrf-secret") && !text.contains("session-hash"),
            "{text}"
        );
        let account = crate::store::staff::Account {
            name: "li".into(),
            role: "staff".into(),
            password_hash: "$argon2id$v=19$secret".into(),
            unit: None,
            communities: vec![],
        };
        assert!(!format!("{account:?}").contains("argon2id"));
    }
}

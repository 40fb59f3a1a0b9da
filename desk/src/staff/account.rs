//! Who a logged-in account is: its role, its communities, and what it may see. (The
//! extractors that find it from the session cookie are in `auth`.)

use super::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Staff,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "admin" => Some(Role::Admin),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// The logged-in account of a `/desk/` request.
#[derive(Clone, Debug)]
pub struct Staff {
    pub name: String,
    pub role: Role,
    /// The areas this account works for; empty for an admin (all).
    pub communities: Vec<String>,
    pub lang: Lang,
    /// The token every form of this session carries.
    pub csrf: String,
    /// SHA-256 of the session token (to end this session, or keep it).
    pub(crate) session: String,
}

impl Staff {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn can_see(&self, community: &str) -> bool {
        self.is_admin() || self.communities.iter().any(|c| c == community)
    }

    /// Contact details are shown to admins and to the staff of the report's community.
    /// (The community's own staff call residents back; everyone else sees the report only.)
    pub fn can_see_contact(&self, community: &str) -> bool {
        self.can_see(community)
    }
}

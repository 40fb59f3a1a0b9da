//! A unit account reaches its own pages only (its tasks, its password, logging out): every
//! other `/desk/` page answers it 404, as if it did not exist. Deny by default, so a staff
//! page added later is closed to units without anyone remembering to close it.

use crate::staff::auth::{Staff, SESSION_COOKIE};
use crate::staff::error::PageError;
use crate::staff::i18n::cookie;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// The pages a unit account may open.
pub fn open_to_units(path: &str) -> bool {
    path == "/desk/tasks"
        || path.starts_with("/desk/tasks/")
        || path.starts_with("/desk/static/")
        || ["/desk/login", "/desk/logout", "/desk/password"].contains(&path)
}

/// Middleware around every `/desk/` route.
pub async fn units_to_their_pages(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if open_to_units(path) || cookie(req.headers(), SESSION_COOKIE).is_none() {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    // The account found here is kept in the request: the page's own extractor reuses it.
    match Staff::from_request_parts(&mut parts, &state).await {
        Ok(staff) if staff.is_unit() => {
            if parts.uri.path() == "/desk/" {
                // Where a login lands by default: the unit's list instead of the problem list.
                Redirect::to("/desk/tasks").into_response()
            } else {
                PageError::not_found(&staff).into_response()
            }
        }
        _ => next.run(Request::from_parts(parts, body)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_reach_their_tasks_and_their_password_only() {
        for open in [
            "/desk/tasks",
            "/desk/tasks/abc",
            "/desk/password",
            "/desk/logout",
        ] {
            assert!(open_to_units(open), "{open}");
        }
        for closed in [
            "/desk/",
            "/desk/reports/XJ-20261130-0001",
            "/desk/export.csv",
            "/desk/units",
            "/desk/tasksx",
            "/desk/posters",
        ] {
            assert!(!open_to_units(closed), "{closed}");
        }
    }
}

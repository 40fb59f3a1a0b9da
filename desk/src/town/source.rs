//! Where the town's pages get their figures: the precomputed sums an account may see, and
//! the deadlines and guard from the configuration.

use crate::staff::auth::Staff;
use crate::staff::error::PageError;
use crate::staff::list::{first_response_ms, resolution_ms};
use crate::state::AppState;
use crate::stats::daily::day_of;
use crate::stats::rectification::{rectification, Rectification};
use crate::stats::tally::{span, Tally};
use crate::stats::{Limits, Period};

/// The precomputed figures an account may see, for `period` and the trends around it.
pub(super) async fn read_tally(
    state: &AppState,
    staff: &Staff,
    period: Period,
    now: i64,
) -> Result<Tally, PageError> {
    let visible = (!staff.sees_all()).then(|| staff.communities.clone());
    let span = span(period, day_of(now));
    Ok(state.store.tally(visible.as_deref(), period, span).await?)
}

/// The deadlines and the guard, from the configuration.
pub(super) fn limits(state: &AppState) -> Limits {
    Limits {
        first_response_ms: first_response_ms(state),
        resolution_ms: resolution_ms(state),
        min_count: state.config.stats_min_count,
    }
}

/// The period's rectification and relapse figures an account may see, units by name.
pub(super) async fn read_rectification(
    state: &AppState,
    staff: &Staff,
    period: Period,
) -> Result<Rectification, PageError> {
    let visible = (!staff.sees_all()).then(|| staff.communities.clone());
    let store = &state.store;
    let (mut tasks, checks) = store
        .rectification_facts(visible.as_deref(), period)
        .await?;
    for t in &mut tasks {
        if let Some(unit) = state.config.unit(&t.unit) {
            t.unit = unit.name.clone();
        }
    }
    Ok(rectification(&tasks, &checks))
}

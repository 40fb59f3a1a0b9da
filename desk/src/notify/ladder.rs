//! The escalation ladder of dispatched tasks, climbed by every notifier pass on the desk's
//! clock: at 75 % of a task's time a reminder to its unit's robot, past the due time the
//! committee's channels (those of the report's area), past it by `escalate_town_hours`
//! the town's robot. Each step is recorded once with its messages (`Store::escalate`), so
//! a desk restarted in between, or a second desk, sends none twice. A step come too late
//! for the one below it (a desk stopped for a day) sends only the highest.
//!
//! A task given back (退单) is the committee's: past `return_hours` without a new dispatch,
//! a resolution or a rejection, its channels are told once, and `escalate_town_hours`
//! later the town's robot.

use super::Deps;
use crate::config::units::{unit_channel_name, TOWN_CHANNEL};
use crate::store::Result;
use crate::units::due::{step_due, Step};

fn note(step: Step) -> &'static str {
    match step {
        Step::Reminder => "整改时限已过四分之三，已提醒处置单位",
        Step::Committee => "整改超时，已报居委会",
        Step::Town => "整改超时未办结，已报镇（平安办 / 城运中心）",
    }
}

fn returned_note(step: Step) -> &'static str {
    match step {
        Step::Town => "退单后超时未处理，已报镇（平安办 / 城运中心）",
        _ => "退单后超时未处理，已报居委会",
    }
}

/// Records and queues every step due now; how many.
pub async fn climb(deps: &Deps, now: i64) -> Result<usize> {
    let config = &deps.config;
    let unit_channels = deps.unit_channels();
    let named = |name: &str| -> Vec<String> {
        unit_channels
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.name.clone())
            .collect()
    };
    let committee = |community: &str| -> Vec<String> {
        config
            .channels
            .iter()
            .filter(|c| c.accepts(community))
            .map(|c| c.name.clone())
            .collect()
    };
    let mut fired = 0;
    for task in deps
        .store
        .returned_waiting(now, config.return_after_ms)
        .await?
    {
        let due = task.returned_at + config.return_after_ms;
        // A deadline that starts at its end: no reminder, the committee at once.
        let Some(step) = step_due(due, due, config.town_after_ms, now) else {
            continue;
        };
        if task.done(step) {
            continue;
        }
        let channels = match step {
            Step::Town => named(TOWN_CHANNEL),
            _ => committee(&task.community),
        };
        let note = returned_note(step);
        if deps
            .store
            .escalate_returned(&task.id, step, &channels, note, now)
            .await?
        {
            tracing::info!(task = %task.id, step = step.code(), "returned task escalation");
            fired += 1;
        }
    }
    for task in deps.store.climbing(now).await? {
        let Some(step) = step_due(task.window_from, task.due_at, config.town_after_ms, now) else {
            continue;
        };
        if task.done(step) {
            continue;
        }
        let channels = match step {
            Step::Reminder => named(&unit_channel_name(&task.unit)),
            Step::Committee => committee(&task.community),
            Step::Town => named(TOWN_CHANNEL),
        };
        if deps
            .store
            .escalate(&task.id, step, &channels, note(step), now)
            .await?
        {
            tracing::info!(task = %task.id, step = step.code(), "escalation");
            fired += 1;
        }
    }
    Ok(fired)
}

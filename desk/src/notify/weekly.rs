//! The weekly digest of the town's figures, to the channels of `scope = "town"`: on
//! Monday from 09:00 Shanghai time, the week before's headline figures and a link to
//! `/desk/stats`; counts and rates only, never a ticket, place or person. It is one outbox
//! row per week and channel (its key names the week), so it goes out once across restarts
//! and desks, through the same leases, rate limits and retries as every message.

use super::config::Kind;
use super::message::{link, Event, EventKind};
use super::Deps;
use crate::stats::daily::day_of;
use crate::stats::definitions::guarded_percent;
use crate::stats::tally::span;
use crate::stats::{Figures, Limits, Period};
use crate::store::Result;
use serde_json::{json, Value};
use xinjing_contract::time::Date;

/// The hour of Monday (Shanghai) from which the week before's digest is due.
pub const SEND_HOUR: i64 = 9;
const HOUR_MS: i64 = 3_600_000;

/// The week whose digest is due at `now`: from Monday 09:00 to the week's end, the week
/// before (a desk down on Monday sends it when it is back; a stale one is never sent).
pub fn due_week(now: i64) -> Option<Period> {
    let this = Period::week_of(Date::in_shanghai(now as f64));
    (now >= this.start_ms() + SEND_HOUR * HOUR_MS).then(|| this.previous())
}

/// The digest's line of figures.
pub fn figures_line(f: &Figures, min: i64) -> String {
    let pct = |r: crate::stats::Ratio| guarded_percent(r.percent(min), r.den);
    format!(
        "收到 {} · 响应率 {} · 办结率 {} · 解决率 {} · 满意率 {} · 重办率 {} · 当前超时 {}",
        f.received,
        pct(f.responded_on_time),
        pct(f.closed),
        pct(f.solved),
        pct(f.satisfied),
        pct(f.reopened),
        f.overdue_now
    )
}

/// The message of a digest row (`ticket`: the week's Monday; `detail`: its figures).
pub fn message(kind: Kind, event: &Event, public_url: &str) -> Value {
    let url = link(event, public_url);
    let title = format!("上周 12345 指标（{} 起）", event.ticket);
    let line = &event.detail;
    match kind {
        Kind::WeCom => json!({
            "msgtype": "markdown",
            "markdown": { "content": format!("**{title}**\n> {line}\n[打开统计分析]({url})") },
        }),
        Kind::DingTalk => json!({
            "msgtype": "markdown",
            "markdown": { "title": title, "text": format!("#### {title}\n\n{line}\n\n[打开统计分析]({url})") },
        }),
        Kind::Feishu => json!({
            "msg_type": "text",
            "content": { "text": format!("{title}\n{line}\n统计分析：{url}") },
        }),
        Kind::Webhook => json!({
            "event": EventKind::Weekly.code(),
            "week": event.ticket,
            "figures": line,
            "url": url,
        }),
    }
}

/// Queues the digest due now for every town channel that has not had it; how many.
pub async fn enqueue(deps: &Deps, now: i64) -> Result<usize> {
    if deps.config.town.is_empty() {
        return Ok(0);
    }
    let Some(week) = due_week(now) else {
        return Ok(0);
    };
    let monday = week.first_date().to_string();
    let key = format!("weekly:{monday}");
    let store = &deps.store;
    let mut line = None;
    let mut queued = 0;
    for channel in &deps.config.town {
        let kept: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM notify_outbox WHERE report_id = $1 AND channel = $2",
        )
        .bind(&key)
        .bind(&channel.name)
        .fetch_one(store.read_pool())
        .await?;
        if kept > 0 {
            continue;
        }
        if line.is_none() {
            let limits = Limits {
                min_count: deps.min_count,
                ..store.figure_limits()
            };
            let tally = store.tally(None, week, span(week, day_of(now))).await?;
            line = Some(figures_line(
                &tally.figures(week, now, &limits),
                limits.min_count,
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO notify_outbox (report_id, seq, channel, kind, event_at, ticket, category, \
             community, building, detail, state, attempts, next_at, created_at, digest) \
             VALUES ($1, 0, $2, $3, $4, $5, '', '', '', $6, 'pending', 0, $4, $4, 0) \
             ON CONFLICT (report_id, seq, channel) DO NOTHING",
        )
        .bind(&key)
        .bind(&channel.name)
        .bind(EventKind::Weekly.code())
        .bind(now)
        .bind(&monday)
        .bind(line.as_deref().unwrap_or_default())
        .execute(store.write_pool())
        .await?;
        queued += inserted.rows_affected() as usize;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_week_before_is_due_from_monday_nine_in_shanghai() {
        let monday = Period::week_of(Date::parse("2026-12-07").unwrap());
        let nine = monday.start_ms() + 9 * HOUR_MS;
        let before = Date::parse("2026-11-30").unwrap();
        assert_eq!(due_week(nine).map(|w| w.first_date()), Some(before));
        let sunday_night = monday.end_ms() - 1;
        assert_eq!(due_week(sunday_night).map(|w| w.first_date()), Some(before));
        assert_eq!(due_week(nine - 1), None);
    }
}

//! The precomputed figures (`crate::stats::daily`) as the store keeps them: each change
//! of a report adds its difference in the change's own transaction; a page reads the sums
//! and the few unsettled reports; `rebuild` fills the tables from the reports.

use super::stats::{facts_from, FactsRow, FACTS_SELECT};
use super::{Backend, Result, Store};
use crate::stats::daily::{self, Contribution, Counters, Hist, COLUMNS, TO_RESPONSE};
use crate::stats::tally::Tally;
use crate::stats::{Limits, Period, ReportFacts};
use sqlx::{AssertSqlSafe, FromRow, Row};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::LazyLock;

/// The deadlines the counters are made with (the configuration's), shared by the store's
/// clones and its group committer.
#[derive(Debug)]
pub(crate) struct FigureLimits {
    first_response_ms: AtomicI64,
    resolution_ms: AtomicI64,
}

impl Default for FigureLimits {
    /// The configuration's defaults, 24 and 168 hours.
    fn default() -> FigureLimits {
        FigureLimits {
            first_response_ms: AtomicI64::new(24 * daily::HOUR_MS),
            resolution_ms: AtomicI64::new(168 * daily::HOUR_MS),
        }
    }
}

impl FigureLimits {
    pub(crate) fn get(&self) -> Limits {
        Limits {
            first_response_ms: self.first_response_ms.load(Ordering::Relaxed),
            resolution_ms: self.resolution_ms.load(Ordering::Relaxed),
            min_count: 1,
        }
    }
}

static ADD_COUNTERS: LazyLock<String> = LazyLock::new(|| {
    let columns = COLUMNS.join(", ");
    let values: Vec<String> = (4..4 + COLUMNS.len()).map(|i| format!("${i}")).collect();
    let sets: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = stats_daily.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO stats_daily (day, community, category, {columns}) VALUES ($1, $2, $3, {}) \
         ON CONFLICT (day, community, category) DO UPDATE SET {}",
        values.join(", "),
        sets.join(", ")
    )
});

const ADD_HOURS: &str = "INSERT INTO stats_hours (day, community, category, measure, hours, n) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day, community, category, measure, hours) \
     DO UPDATE SET n = stats_hours.n + excluded.n";

/// Adds `c` to the tables, in the caller's transaction. Rows in key order, so two
/// transactions on PostgreSQL take their row locks in the same order.
pub(crate) async fn add_on(conn: &mut sqlx::AnyConnection, c: &Contribution) -> Result<()> {
    for (key, counters) in &c.counters {
        let mut q = sqlx::query(AssertSqlSafe(ADD_COUNTERS.as_str()))
            .bind(key.day)
            .bind(&key.community)
            .bind(&key.category);
        for v in counters.values() {
            q = q.bind(v);
        }
        q.execute(&mut *conn).await?;
    }
    for ((key, measure, hours), n) in &c.hours {
        sqlx::query(ADD_HOURS)
            .bind(key.day)
            .bind(&key.community)
            .bind(&key.category)
            .bind(*measure)
            .bind(*hours)
            .bind(*n)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes `c` into empty tables, many rows a statement (a rebuild of a million reports).
async fn insert_all(conn: &mut sqlx::AnyConnection, c: &Contribution) -> Result<()> {
    const ROWS: usize = 400;
    let counters: Vec<_> = c.counters.iter().collect();
    for chunk in counters.chunks(ROWS) {
        let width = 3 + COLUMNS.len();
        let sql = format!(
            "INSERT INTO stats_daily (day, community, category, {}) VALUES {}",
            COLUMNS.join(", "),
            placeholders(chunk.len(), width)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (key, counters) in chunk {
            q = q.bind(key.day).bind(&key.community).bind(&key.category);
            for v in counters.values() {
                q = q.bind(v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    let hours: Vec<_> = c.hours.iter().collect();
    for chunk in hours.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO stats_hours (day, community, category, measure, hours, n) VALUES {}",
            placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for ((key, measure, hours), n) in chunk {
            q = q
                .bind(key.day)
                .bind(&key.community)
                .bind(&key.category)
                .bind(*measure)
                .bind(*hours)
                .bind(**n);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `($1, …, $width), (…)` for `rows` rows.
fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=width).map(|i| format!("${}", r * width + i)).collect();
            format!("({})", marks.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Report `id` as the figures read it, inside the caller's transaction.
pub(crate) async fn facts_on(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<Option<ReportFacts>> {
    let sql = format!("{FACTS_SELECT} WHERE r.id = $1 GROUP BY r.id");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| facts_from(FactsRow::from_row(&row)?))
        .transpose()
}

/// `AND community IN ($n, …)` for the communities asked for (none: every one), with the
/// placeholders numbered from `first`.
pub(super) fn in_communities(communities: Option<&[String]>, first: usize) -> String {
    match communities {
        None => String::new(),
        Some([]) => " AND 1 = 0".into(),
        Some(c) => {
            let marks: Vec<String> = (first..first + c.len()).map(|i| format!("${i}")).collect();
            format!(" AND community IN ({})", marks.join(", "))
        }
    }
}

pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

pub(super) fn bind_communities<'q>(
    mut q: AnyQuery<'q>,
    communities: Option<&[String]>,
) -> AnyQuery<'q> {
    for c in communities.unwrap_or_default() {
        q = q.bind(c.clone());
    }
    q
}

fn sums() -> String {
    COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn counters(row: &sqlx::any::AnyRow) -> Result<Counters> {
    let mut v = [0i64; 11];
    for (i, c) in COLUMNS.iter().enumerate() {
        v[i] = row.try_get::<Option<i64>, _>(*c)?.unwrap_or(0);
    }
    Ok(Counters::from_values(v))
}

impl Store {
    /// Sets the deadlines the counters are made with (from the configuration).
    pub fn set_figure_limits(&self, first_response_ms: i64, resolution_ms: i64) {
        let l = &self.figure_limits;
        l.first_response_ms
            .store(first_response_ms, Ordering::Relaxed);
        l.resolution_ms.store(resolution_ms, Ordering::Relaxed);
    }

    /// The deadlines the counters count with (a guard of 1).
    pub fn figure_limits(&self) -> Limits {
        self.figure_limits.get()
    }

    /// Adds the difference a change made to report `id` (`before`: its facts before the
    /// change, `None` for a new report), inside the change's transaction.
    pub(crate) async fn recount_on(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        before: Option<&ReportFacts>,
    ) -> Result<()> {
        let after = facts_on(conn, id).await?;
        let limits = self.figure_limits.get();
        add_on(conn, &daily::delta(before, after.as_ref(), &limits)).await
    }

    /// What a page of figures reads: per day over `span`, per community and category over
    /// `period`, the hour histograms of `period` and the one before, and the unsettled
    /// reports, all of `communities` (every one when `None`).
    pub async fn tally(
        &self,
        communities: Option<&[String]>,
        period: Period,
        span: Period,
    ) -> Result<Tally> {
        let filter = in_communities(communities, 3);
        let days = format!(
            "SELECT day, {} FROM stats_daily WHERE day >= $1 AND day <= $2{filter} GROUP BY day",
            sums()
        );
        let grid = format!(
            "SELECT community, category, {} FROM stats_daily WHERE day >= $1 AND day <= $2{filter} \
             GROUP BY community, category",
            sums()
        );
        let hours = format!(
            "SELECT measure, hours, CAST(SUM(n) AS BIGINT) AS n FROM stats_hours \
             WHERE day >= $1 AND day <= $2{filter} GROUP BY measure, hours"
        );
        // Independent reads: at once, each on a connection of its own.
        let before = period.previous();
        let (days, grid, hours_now, hours_before, unsettled) = tokio::try_join!(
            self.summed(days, span, communities),
            self.summed(grid, period, communities),
            self.summed(hours.clone(), period, communities),
            self.summed(hours, before, communities),
            self.unsettled(communities),
        )?;
        let mut tally = Tally {
            unsettled,
            ..Tally::default()
        };
        for row in days {
            tally.days.insert(row.try_get("day")?, counters(&row)?);
        }
        for row in grid {
            let key = (row.try_get("community")?, row.try_get("category")?);
            tally.grid.insert(key, counters(&row)?);
        }
        for (p, rows) in [(period, hours_now), (before, hours_before)] {
            let (mut response, mut resolution) = (Hist::new(), Hist::new());
            for row in rows {
                let measure: i64 = row.try_get("measure")?;
                let hist = if measure == TO_RESPONSE {
                    &mut response
                } else {
                    &mut resolution
                };
                hist.insert(row.try_get("hours")?, row.try_get("n")?);
            }
            tally.hours.push((p, response, resolution));
        }
        Ok(tally)
    }

    /// The rows of a sum over the days of `period` (`$1`, `$2`) and `communities`.
    async fn summed(
        &self,
        sql: String,
        period: Period,
        communities: Option<&[String]>,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let q = sqlx::query(AssertSqlSafe(sql))
            .bind(period.first)
            .bind(period.last);
        Ok(bind_communities(q, communities)
            .fetch_all(&self.read)
            .await?)
    }

    /// Open reports, and closed ones without a first response, with what their figures
    /// still read (when they turn late); the rest (building, answers, last close,
    /// reopenings, resolution) is in the counters, so not read here.
    async fn unsettled(&self, communities: Option<&[String]>) -> Result<Vec<ReportFacts>> {
        let sql = format!(
            "SELECT community, category, '' AS building, received_at, status, first_response_at, \
             closed_at, CAST(NULL AS BIGINT) AS resolved_at, reopened_at, \
             CAST(0 AS BIGINT) AS reopen_count, CAST(NULL AS TEXT) AS resolution, \
             CAST(0 AS BIGINT) AS satisfied_answers, CAST(0 AS BIGINT) AS answers FROM reports \
             WHERE (closed_at IS NULL OR first_response_at IS NULL) AND received_at >= $1{}",
            in_communities(communities, 2)
        );
        let q = sqlx::query(AssertSqlSafe(sql)).bind(i64::MIN / 2);
        let rows = bind_communities(q, communities)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| facts_from(FactsRow::from_row(row)?))
            .collect()
    }

    /// Whether the tables were made with today's deadlines; if not (a database from
    /// before them, or changed deadlines), fills them again. Returns whether it did.
    pub async fn ensure_figures(&self, now: i64) -> Result<bool> {
        let limits = self.figure_limits.get();
        let kept: Option<(i64, i64)> =
            sqlx::query_as("SELECT first_response_ms, resolution_ms FROM stats_state WHERE id = 1")
                .fetch_optional(&self.read)
                .await?;
        if kept == Some((limits.first_response_ms, limits.resolution_ms)) {
            return Ok(false);
        }
        self.rebuild_figures(now).await?;
        Ok(true)
    }

    /// Fills the tables from the reports, in one transaction; returns the reports read.
    pub async fn rebuild_figures(&self, now: i64) -> Result<u64> {
        let limits = self.figure_limits.get();
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            // Two desks starting at once: the second waits, then fills again (the same).
            sqlx::query("SELECT pg_advisory_xact_lock(7310010)")
                .execute(&mut *tx)
                .await?;
        }
        for sql in [
            "DELETE FROM stats_daily",
            "DELETE FROM stats_hours",
            "DELETE FROM stats_state",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        let mut all = Contribution::default();
        let mut last = String::new();
        let mut read = 0u64;
        let sql = format!("{FACTS_SELECT} WHERE r.id > $1 GROUP BY r.id ORDER BY r.id LIMIT 5000");
        loop {
            let rows = sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(&last)
                .fetch_all(&mut *tx)
                .await?;
            let Some(end) = rows.last() else { break };
            last = end.try_get("id")?;
            for row in &rows {
                let facts = facts_from(FactsRow::from_row(row)?)?;
                all.merge(daily::contribution(&facts, &limits));
                read += 1;
            }
        }
        insert_all(&mut tx, &all).await?;
        sqlx::query(
            "INSERT INTO stats_state (id, first_response_ms, resolution_ms, built_at) \
             VALUES (1, $1, $2, $3)",
        )
        .bind(limits.first_response_ms)
        .bind(limits.resolution_ms)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(read)
    }

    /// A community's buildings in `period`: (building, reports, reopened reports).
    pub async fn buildings(
        &self,
        community: &str,
        period: Period,
    ) -> Result<Vec<(String, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT building, CAST(COUNT(*) AS BIGINT), \
             CAST(SUM(CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END) AS BIGINT) FROM reports \
             WHERE community = $1 AND received_at >= $2 AND received_at < $3 GROUP BY building",
        )
        .bind(community)
        .bind(period.start_ms())
        .bind(period.end_ms())
        .fetch_all(&self.read)
        .await?)
    }
}

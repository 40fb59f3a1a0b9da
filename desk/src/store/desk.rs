//! The problem list's queries: filters, counts per state, paging, sorting, and the
//! similar-reports hint. The SQL is built from fixed pieces; every value is a parameter.

use super::rows::StateCode;
use super::{Result, Store};
use sqlx::FromRow;
use xinjing_contract::TicketStatus;

/// What the list shows, as chosen in its filter form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListFilter {
    pub status: Option<TicketStatus>,
    pub community: Option<String>,
    pub building: Option<String>,
    pub category: Option<String>,
    /// Shanghai days `YYYY-MM-DD`, inclusive.
    pub from_day: Option<String>,
    pub to_day: Option<String>,
    /// Part of a ticket number (`XJ-20261130-0001`, `0001`).
    pub ticket: Option<String>,
    /// Only open reports past a deadline: received before these times (ms).
    pub overdue: Option<Deadlines>,
    /// `None`: every community (admins); otherwise only these.
    pub visible: Option<Vec<String>>,
}

/// Open reports still `received` since before `respond_before`, or open since before
/// `resolve_before`, are overdue (since their arrival, or their last reopening).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deadlines {
    pub respond_before: i64,
    pub resolve_before: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Reopened first, then newest (the default: what needs looking at).
    #[default]
    Newest,
    Oldest,
    Community,
    Status,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Newest, Sort::Oldest, Sort::Community, Sort::Status];

    pub fn code(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Community => "community",
            Sort::Status => "status",
        }
    }

    pub fn from_code(code: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.code() == code)
    }

    fn order_by(self) -> &'static str {
        match self {
            // Reopened and still open first (12345's 重办 goes back to the top).
            Sort::Newest => {
                "CASE WHEN reopened_at IS NOT NULL AND closed_at IS NULL THEN 0 ELSE 1 END, \
                 COALESCE(reopened_at, received_at) DESC, ticket DESC"
            }
            Sort::Oldest => "received_at, ticket",
            Sort::Community => "community, building, received_at DESC, ticket DESC",
            Sort::Status => {
                "CASE status WHEN 'received' THEN 0 WHEN 'in_progress' THEN 1 \
                 WHEN 'resolved' THEN 2 ELSE 3 END, received_at DESC, ticket DESC"
            }
        }
    }
}

/// One row of the list (and of the CSV export).
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct ListRow {
    pub ticket: String,
    pub received_at: i64,
    pub category: String,
    pub community: String,
    pub building: String,
    pub detail: String,
    #[sqlx(try_from = "StateCode")]
    pub status: TicketStatus,
    pub assignee: Option<String>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reopened_at: Option<i64>,
    pub reopen_count: i64,
    pub merged_into: Option<String>,
    /// The open dispatch task's deadline (start and due time), if there is one.
    pub task_from: Option<i64>,
    pub task_due: Option<i64>,
    /// When its last task was given back (退单), while the committee has not acted on it.
    pub returned_at: Option<i64>,
}

enum Value {
    Text(String),
    Int(i64),
}

/// `WHERE …` and its parameters, numbered from `$1`.
fn where_clause(filter: &ListFilter, with_status: bool) -> (String, Vec<Value>) {
    let mut parts: Vec<String> = vec!["1 = 1".into()];
    let mut values: Vec<Value> = Vec::new();
    let push = |sql: &str, value: Value, values: &mut Vec<Value>| {
        values.push(value);
        sql.replace('?', &format!("${}", values.len()))
    };
    if let Some(visible) = &filter.visible {
        if visible.is_empty() {
            parts.push("1 = 0".into());
        } else {
            let marks: Vec<String> = visible
                .iter()
                .map(|c| push("?", Value::Text(c.clone()), &mut values))
                .collect();
            parts.push(format!("community IN ({})", marks.join(", ")));
        }
    }
    if let (true, Some(status)) = (with_status, filter.status) {
        parts.push(push(
            "status = ?",
            Value::Text(status.code().into()),
            &mut values,
        ));
    }
    for (column, value) in [
        ("community", &filter.community),
        ("building", &filter.building),
        ("category", &filter.category),
    ] {
        if let Some(value) = value {
            parts.push(push(
                &format!("{column} = ?"),
                Value::Text(value.clone()),
                &mut values,
            ));
        }
    }
    if let Some(day) = &filter.from_day {
        parts.push(push(
            "ticket_day >= ?",
            Value::Text(day.clone()),
            &mut values,
        ));
    }
    if let Some(day) = &filter.to_day {
        parts.push(push(
            "ticket_day <= ?",
            Value::Text(day.clone()),
            &mut values,
        ));
    }
    if let Some(ticket) = &filter.ticket {
        // LIKE's wildcards in the search are taken as text (tickets have none anyway).
        let clean: String = ticket
            .to_ascii_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        parts.push(push(
            "ticket LIKE ?",
            Value::Text(format!("%{clean}%")),
            &mut values,
        ));
    }
    if let Some(d) = filter.overdue {
        let respond = push("?", Value::Int(d.respond_before), &mut values);
        let resolve = push("?", Value::Int(d.resolve_before), &mut values);
        parts.push(format!(
            "(closed_at IS NULL AND ((status = 'received' AND COALESCE(reopened_at, received_at) < {respond}) \
             OR COALESCE(reopened_at, received_at) < {resolve}))"
        ));
    }
    (parts.join(" AND "), values)
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: Vec<Value>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for value in values {
        query = match value {
            Value::Text(text) => query.bind(text),
            Value::Int(n) => query.bind(n),
        };
    }
    query
}

const LIST_COLUMNS: &str = concat!(
    "ticket, received_at, category, community, building, detail, status, \
     assignee, first_response_at, resolved_at, closed_at, reopened_at, reopen_count, merged_into, \
     (SELECT MIN(t.window_from) FROM dispatch_tasks t \
      WHERE t.report_id = reports.id AND t.state = 'open') AS task_from, \
     (SELECT MIN(t.due_at) FROM dispatch_tasks t \
      WHERE t.report_id = reports.id AND t.state = 'open') AS task_due, \
     (SELECT MAX(t.closed_at) FROM dispatch_tasks t JOIN reports r ON r.id = t.report_id \
      WHERE t.report_id = reports.id AND ",
    super::ladder::waiting_for_committee!(),
    ") AS returned_at"
);

/// A count of the reports in one state.
#[derive(FromRow)]
struct StateCount {
    #[sqlx(try_from = "StateCode")]
    status: TicketStatus,
    n: i64,
}

/// A distinct value of a column.
#[derive(FromRow)]
struct Distinct {
    v: String,
}

impl Store {
    /// A page of the list: `limit` rows from `offset`, in `sort` order.
    pub async fn list(
        &self,
        filter: &ListFilter,
        sort: Sort,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ListRow>> {
        let (clause, values) = where_clause(filter, true);
        let n = values.len();
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM reports WHERE {clause} ORDER BY {} LIMIT ${} OFFSET ${}",
            sort.order_by(),
            n + 1,
            n + 2
        );
        let query = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), values)
            .bind(limit)
            .bind(offset);
        query
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|row| Ok(ListRow::from_row(row)?))
            .collect()
    }

    /// How many reports of each state match the filter (its own state aside).
    pub async fn count_by_status(&self, filter: &ListFilter) -> Result<Vec<(TicketStatus, i64)>> {
        let (clause, values) = where_clause(filter, false);
        let sql =
            format!("SELECT status, COUNT(*) AS n FROM reports WHERE {clause} GROUP BY status");
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), values)
            .fetch_all(&self.read)
            .await?;
        let mut counts: Vec<(TicketStatus, i64)> =
            TicketStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for row in rows {
            let StateCount { status, n } = StateCount::from_row(&row)?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == status) {
                slot.1 += n;
            }
        }
        Ok(counts)
    }

    /// The distinct values of a column among the reports `visible` (for filter choices).
    pub async fn distinct(
        &self,
        column: Column,
        visible: Option<&[String]>,
    ) -> Result<Vec<String>> {
        let filter = ListFilter {
            visible: visible.map(<[String]>::to_vec),
            ..ListFilter::default()
        };
        let (clause, values) = where_clause(&filter, false);
        let col = column.sql();
        let sql = format!("SELECT DISTINCT {col} AS v FROM reports WHERE {clause} ORDER BY {col}");
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), values)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(Distinct::from_row(r)?.v)).collect()
    }

    /// Open reports (received, in progress) at the same place (any building when `building`
    /// is empty), of the same kind, received since `since`: their tickets only, newest first.
    pub async fn similar(
        &self,
        community: &str,
        building: &str,
        category: &str,
        since: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM reports WHERE community = $1 AND building = $2 AND category = $3 \
             AND status IN ('received', 'in_progress') AND received_at >= $4 AND merged_into IS NULL",
        )
        .bind(community.trim())
        .bind(building.trim())
        .bind(category)
        .bind(since)
        .fetch_one(&self.read)
        .await?)
    }
}

/// Columns the filter form offers choices of.
#[derive(Clone, Copy, Debug)]
pub enum Column {
    Community,
    Building,
}

impl Column {
    fn sql(self) -> &'static str {
        match self {
            Column::Community => "community",
            Column::Building => "building",
        }
    }
}

//! Group commit. Each commit waits for the disk (a few milliseconds), and a report's
//! transaction holds the day's ticket counter until it commits (that is what keeps the
//! numbers gapless): one transaction per report would cap the desk at one report per disk
//! flush, a hundred or so a second. Instead, one task per desk process takes every write
//! queued at the moment, runs them all inside one transaction, commits once, and only then
//! answers each of them. If one of them fails (a rare race: a duplicate, a key taken
//! over), the whole transaction is rolled back and the batch run again with each job in a
//! savepoint of its own, so only the failing one is undone (savepoints cost two round trips
//! a job, which is why the first attempt goes without). A failed commit fails them all:
//! nothing of theirs is stored, and the phones retry.
//!
//! On SQLite (one writer) the Idempotency-Key claims join the batches too. On PostgreSQL,
//! where several desk processes write at once, claims commit on their own and only reports
//! come here: a batch then never holds a key some other batch waits for while it waits for
//! the counter that batch holds, so batches of two processes cannot deadlock.

use super::filing::{insert_report, ReportRow};
use super::idempotency::{claim_on, ClaimJob};
use super::stats_daily::{add_on, FigureLimits};
use super::{Backend, Claim, Result, StoreError};
use crate::stats::daily::{self, Contribution};
use sqlx::AnyPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most jobs in one transaction.
const MAX_BATCH: usize = 256;

enum Work {
    Claim(ClaimJob),
    Report(Box<ReportRow>),
}

enum Reply {
    Claim(oneshot::Sender<Result<Claim>>),
    Report(oneshot::Sender<Result<String>>),
}

struct Job {
    work: Work,
    reply: Reply,
}

enum Outcome {
    Claim(Result<Claim>),
    Report(Result<String>),
}

impl Outcome {
    fn is_ok(&self) -> bool {
        match self {
            Outcome::Claim(r) => r.is_ok(),
            Outcome::Report(r) => r.is_ok(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Committer {
    queue: mpsc::UnboundedSender<Job>,
    /// Jobs sent and not answered yet (waiting or being committed), for the metrics.
    depth: Arc<AtomicUsize>,
}

/// Counts a job from its sending to its answer, even if the caller goes away.
struct InQueue(Arc<AtomicUsize>);

impl InQueue {
    fn new(depth: &Arc<AtomicUsize>) -> InQueue {
        depth.fetch_add(1, Ordering::Relaxed);
        InQueue(depth.clone())
    }
}

impl Drop for InQueue {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn stopped() -> StoreError {
    StoreError::Unsupported("the database writer has stopped")
}

impl Committer {
    pub(crate) fn spawn(pool: AnyPool, backend: Backend, limits: Arc<FigureLimits>) -> Committer {
        let (queue, jobs) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, backend, limits, jobs));
        Committer {
            queue,
            depth: Arc::default(),
        }
    }

    pub(crate) fn depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    pub(crate) async fn claim(&self, job: ClaimJob) -> Result<Claim> {
        let _counted = InQueue::new(&self.depth);
        let (tx, rx) = oneshot::channel();
        let job = Job {
            work: Work::Claim(job),
            reply: Reply::Claim(tx),
        };
        self.queue.send(job).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    pub(crate) async fn report(&self, row: ReportRow) -> Result<String> {
        let _counted = InQueue::new(&self.depth);
        let (tx, rx) = oneshot::channel();
        let job = Job {
            work: Work::Report(Box::new(row)),
            reply: Reply::Report(tx),
        };
        self.queue.send(job).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

async fn run(
    pool: AnyPool,
    backend: Backend,
    limits: Arc<FigureLimits>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&pool, backend, &limits, batch).await;
    }
}

enum Attempt {
    Committed(Vec<Outcome>),
    /// A job failed; nothing was kept.
    JobFailed,
    /// The transaction itself failed; nothing was kept.
    Failed(String),
}

async fn run_batch(pool: &AnyPool, backend: Backend, limits: &FigureLimits, batch: Vec<Job>) {
    let (works, replies): (Vec<Work>, Vec<Reply>) =
        batch.into_iter().map(|j| (j.work, j.reply)).unzip();
    let mut result = attempt(pool, backend, limits, &works, false).await;
    if let Attempt::JobFailed = result {
        result = attempt(pool, backend, limits, &works, true).await;
    }
    let outcomes = match result {
        Attempt::Committed(outcomes) => Some(outcomes),
        Attempt::JobFailed => None,
        Attempt::Failed(e) => {
            tracing::error!(error = %crate::redact::mask_digits(&e), "group commit failed");
            None
        }
    };
    // The commit's own error is logged once; each job gets a plain one.
    let failed = || StoreError::Unsupported("the database could not commit");
    match outcomes {
        Some(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                match (reply, outcome) {
                    (Reply::Claim(tx), Outcome::Claim(r)) => drop(tx.send(r)),
                    (Reply::Report(tx), Outcome::Report(r)) => drop(tx.send(r)),
                    (Reply::Claim(tx), _) => drop(tx.send(Err(failed()))),
                    (Reply::Report(tx), _) => drop(tx.send(Err(failed()))),
                }
            }
        }
        None => {
            for reply in replies {
                match reply {
                    Reply::Claim(tx) => drop(tx.send(Err(failed()))),
                    Reply::Report(tx) => drop(tx.send(Err(failed()))),
                }
            }
        }
    }
}

async fn execute(conn: &mut sqlx::AnyConnection, sql: &'static str) -> Result<()> {
    sqlx::raw_sql(sql).execute(conn).await?;
    Ok(())
}

/// One transaction for the whole batch; with `savepoints`, each job in its own.
async fn attempt(
    pool: &AnyPool,
    backend: Backend,
    limits: &FigureLimits,
    works: &[Work],
    savepoints: bool,
) -> Attempt {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(e) => return Attempt::Failed(e.to_string()),
    };
    let begin = match backend {
        // Take the write lock at once rather than upgrading a read snapshot later.
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    if let Err(e) = execute(&mut conn, begin).await {
        return Attempt::Failed(e.to_string());
    }
    let mut outcomes = Vec::with_capacity(works.len());
    // The reports' figures, added once for the batch in key order (see `stats_daily`).
    let mut figures = Contribution::default();
    for work in works {
        if savepoints {
            if let Err(e) = execute(&mut conn, "SAVEPOINT job").await {
                let _ = execute(&mut conn, "ROLLBACK").await;
                return Attempt::Failed(e.to_string());
            }
        }
        let outcome = match work {
            Work::Claim(args) => Outcome::Claim(claim_on(&mut conn, args).await),
            Work::Report(row) => Outcome::Report(insert_report(&mut conn, row).await),
        };
        let end = match (outcome.is_ok(), savepoints) {
            (true, false) => None,
            (false, false) => {
                let _ = execute(&mut conn, "ROLLBACK").await;
                return Attempt::JobFailed;
            }
            (true, true) => Some("RELEASE job"),
            (false, true) => Some("ROLLBACK TO job; RELEASE job"),
        };
        if let Some(end) = end {
            if let Err(e) = execute(&mut conn, end).await {
                let _ = execute(&mut conn, "ROLLBACK").await;
                return Attempt::Failed(e.to_string());
            }
        }
        if let (Work::Report(row), true) = (work, outcome.is_ok()) {
            figures.merge(daily::delta(None, Some(&row.facts()), &limits.get()));
        }
        outcomes.push(outcome);
    }
    if let Err(e) = add_on(&mut conn, &figures).await {
        let _ = execute(&mut conn, "ROLLBACK").await;
        return Attempt::Failed(e.to_string());
    }
    match execute(&mut conn, "COMMIT").await {
        Ok(()) => Attempt::Committed(outcomes),
        Err(e) => {
            let _ = execute(&mut conn, "ROLLBACK").await;
            Attempt::Failed(e.to_string())
        }
    }
}

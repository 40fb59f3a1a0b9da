//! Group commit. Each commit waits for the disk (a few milliseconds), and a report's
//! transaction holds the day's ticket counter until it commits (that is what keeps the
//! numbers gapless): one transaction per report would cap the desk at one report per disk
//! flush, a hundred or so a second. Instead, one task per desk process takes every write
//! queued at the moment, runs each in its own savepoint inside one transaction, commits
//! once, and only then answers each of them. A job that fails is rolled back to its
//! savepoint alone; a failed commit fails them all (nothing of theirs is stored, and the
//! phones retry).
//!
//! On SQLite (one writer) the Idempotency-Key claims join the batches too. On PostgreSQL,
//! where several desk processes write at once, claims commit on their own and only reports
//! come here: a batch then never holds a key some other batch waits for while it waits for
//! the counter that batch holds, so batches of two processes cannot deadlock.

use super::report::{claim_on, insert_report, ClaimJob, ReportRow};
use super::{Backend, Claim, Result, StoreError};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

/// Most jobs in one transaction.
const MAX_BATCH: usize = 256;

enum Job {
    Claim(ClaimJob, oneshot::Sender<Result<Claim>>),
    Report(Box<ReportRow>, oneshot::Sender<Result<String>>),
}

#[derive(Clone)]
pub(crate) struct Committer {
    queue: mpsc::UnboundedSender<Job>,
}

fn stopped() -> StoreError {
    StoreError::Unsupported("the database writer has stopped")
}

impl Committer {
    pub(crate) fn spawn(pool: AnyPool, backend: Backend) -> Committer {
        let (queue, jobs) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, backend, jobs));
        Committer { queue }
    }

    pub(crate) async fn claim(&self, job: ClaimJob) -> Result<Claim> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send(Job::Claim(job, tx))
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    pub(crate) async fn report(&self, row: ReportRow) -> Result<String> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send(Job::Report(Box::new(row), tx))
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

enum Done {
    Claim(oneshot::Sender<Result<Claim>>, Result<Claim>),
    Report(oneshot::Sender<Result<String>>, Result<String>),
}

impl Done {
    fn is_ok(&self) -> bool {
        match self {
            Done::Claim(_, r) => r.is_ok(),
            Done::Report(_, r) => r.is_ok(),
        }
    }
    /// Delivers the job's own result, or the commit's failure.
    fn send(self, commit: &std::result::Result<(), String>) {
        // The commit's own error is logged once by the writer; each job gets a plain one.
        let failed = || StoreError::Unsupported("the database could not commit");
        match (self, commit) {
            (Done::Claim(tx, r), Ok(())) => drop(tx.send(r)),
            (Done::Report(tx, r), Ok(())) => drop(tx.send(r)),
            (Done::Claim(tx, _), Err(_)) => drop(tx.send(Err(failed()))),
            (Done::Report(tx, _), Err(_)) => drop(tx.send(Err(failed()))),
        }
    }
}

async fn run(pool: AnyPool, backend: Backend, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&pool, backend, batch).await;
    }
}

async fn run_batch(pool: &AnyPool, backend: Backend, batch: Vec<Job>) {
    let (done, commit) = match commit_batch(pool, backend, batch).await {
        Ok((done, commit)) => (done, commit),
        Err((done, e)) => (done, Err(e)),
    };
    if let Err(e) = &commit {
        tracing::error!(error = %crate::redact::mask_digits(e), "group commit failed");
    }
    for d in done {
        d.send(&commit);
    }
}

type BatchResult =
    std::result::Result<(Vec<Done>, std::result::Result<(), String>), (Vec<Done>, String)>;

async fn commit_batch(pool: &AnyPool, backend: Backend, batch: Vec<Job>) -> BatchResult {
    let mut done = Vec::with_capacity(batch.len());
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(e) => {
            let e = e.to_string();
            for job in batch {
                done.push(match job {
                    Job::Claim(_, tx) => Done::Claim(tx, Err(stopped())),
                    Job::Report(_, tx) => Done::Report(tx, Err(stopped())),
                });
            }
            return Err((done, e));
        }
    };
    let begin = match backend {
        // Take the write lock at once rather than upgrading a read snapshot later.
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    if let Err(e) = sqlx::query(begin).execute(&mut *conn).await {
        let e = e.to_string();
        for job in batch {
            done.push(match job {
                Job::Claim(_, tx) => Done::Claim(tx, Err(stopped())),
                Job::Report(_, tx) => Done::Report(tx, Err(stopped())),
            });
        }
        return Err((done, e));
    }
    let mut broken = None;
    for job in batch {
        if broken.is_some() {
            done.push(match job {
                Job::Claim(_, tx) => Done::Claim(tx, Err(stopped())),
                Job::Report(_, tx) => Done::Report(tx, Err(stopped())),
            });
            continue;
        }
        if let Err(e) = sqlx::query("SAVEPOINT job").execute(&mut *conn).await {
            broken = Some(e.to_string());
        }
        let result = match job {
            Job::Claim(args, tx) => Done::Claim(tx, claim_on(&mut conn, &args).await),
            Job::Report(row, tx) => Done::Report(tx, insert_report(&mut conn, &row).await),
        };
        let end = if result.is_ok() {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        if let Err(e) = sqlx::raw_sql(end).execute(&mut *conn).await {
            broken = Some(e.to_string());
        }
        done.push(result);
    }
    let commit = match broken {
        Some(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
        None => match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e.to_string())
            }
        },
    };
    Ok((done, commit))
}

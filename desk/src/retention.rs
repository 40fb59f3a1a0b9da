//! PIPL retention: a scheduled task deletes contact details, free text and photos a
//! configured time after a report is closed (resolved or rejected), or once an open report
//! reaches its maximum age, forgets Idempotency-Keys older than
//! their keeping time, and removes photo objects no report refers to (left by a crash
//! between storing a photo and committing its report).
//!
//! Every step is idempotent, so several desk processes may run it at once.

use crate::clock::DAY_MS;
use crate::state::AppState;
use crate::store::Due;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Photo objects younger than this are never treated as orphans: their report may still
/// be on its way into the database.
pub const ORPHAN_GRACE_MS: i64 = DAY_MS;
/// Objects looked up per query by the orphan sweep.
const SWEEP_BATCH: usize = 500;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionRun {
    pub reports_erased: u64,
    pub photos_deleted: u64,
    pub keys_forgotten: u64,
    pub orphans_deleted: u64,
}

/// A handle on the scheduled task: run it now and wait for the result (tests, and a
/// future staff button).
#[derive(Clone)]
pub struct Retention {
    trigger: Arc<Notify>,
    runs: watch::Receiver<(u64, RetentionRun)>,
}

impl Retention {
    pub async fn run_now(&self) -> RetentionRun {
        let mut runs = self.runs.clone();
        let before = runs.borrow_and_update().0;
        self.trigger.notify_one();
        let _ = runs.wait_for(|(n, _)| *n > before).await;
        let result = runs.borrow().1;
        result
    }
}

pub fn spawn(state: Arc<AppState>) -> (Retention, JoinHandle<()>) {
    let trigger = Arc::new(Notify::new());
    let (tx, rx) = watch::channel((0u64, RetentionRun::default()));
    let handle = {
        let trigger = trigger.clone();
        tokio::spawn(async move {
            let mut count = 0u64;
            loop {
                tokio::select! {
                    () = tokio::time::sleep(state.config.retention_interval) => {}
                    () = trigger.notified() => {}
                }
                let run = run_once(&state).await;
                state.metrics.retention_done(state.now_ms());
                count += 1;
                let _ = tx.send((count, run));
            }
        })
    };
    (Retention { trigger, runs: rx }, handle)
}

/// One pass. Errors are logged and the pass goes on; the next pass retries what failed.
pub async fn run_once(state: &AppState) -> RetentionRun {
    let now = state.now_ms();
    let mut run = RetentionRun::default();
    let due = Due {
        closed_before: now - i64::from(state.retention_days) * DAY_MS,
        received_before: now - i64::from(state.config.open_report_max_days) * DAY_MS,
    };
    loop {
        let due_now = match state.store.due_for_erasure(due, 100).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "retention: cannot list reports");
                break;
            }
        };
        if due_now.is_empty() {
            break;
        }
        let mut progressed = false;
        for report in due_now {
            // The database first: once a report is marked erased its photos are orphans,
            // and a crash here leaves them for the orphan sweep.
            match state.store.erase_personal_data(&report.id, due, now).await {
                Ok(true) => {
                    progressed = true;
                    run.reports_erased += 1;
                }
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "retention: cannot erase a report");
                    continue;
                }
            }
            for key in &report.photo_keys {
                match state.photos.delete(key).await {
                    Ok(()) => run.photos_deleted += 1,
                    Err(e) => tracing::error!(error = %e, "retention: cannot delete a photo"),
                }
            }
        }
        if !progressed {
            break;
        }
    }
    let keys_before = now - i64::from(state.config.idempotency_days) * DAY_MS;
    match state.store.forget_keys(keys_before).await {
        Ok(n) => run.keys_forgotten = n,
        Err(e) => tracing::error!(error = %e, "retention: cannot forget old keys"),
    }
    run.orphans_deleted = sweep_orphans(state, now).await;
    if run != RetentionRun::default() {
        tracing::info!(
            reports_erased = run.reports_erased,
            photos_deleted = run.photos_deleted,
            keys_forgotten = run.keys_forgotten,
            orphans_deleted = run.orphans_deleted,
            "retention pass"
        );
    }
    run
}

/// Deletes photo objects older than the grace period that no kept photo row refers to.
/// Names say nothing of their report (see `PhotoNames`), so each is looked up by name.
async fn sweep_orphans(state: &AppState, now: i64) -> u64 {
    let objects = match state.photos.list().await {
        Ok(objects) => objects,
        Err(e) => {
            tracing::error!(error = %e, "retention: cannot list photos");
            return 0;
        }
    };
    let old: Vec<String> = objects
        .into_iter()
        .filter(|o| now - o.modified_ms >= ORPHAN_GRACE_MS)
        .map(|o| o.key)
        .collect();
    let mut deleted = 0;
    for batch in old.chunks(SWEEP_BATCH) {
        let kept: HashSet<String> = match state.store.kept_photo_objects(batch).await {
            Ok(keys) => keys.into_iter().collect(),
            Err(e) => {
                tracing::error!(error = %e, "retention: cannot check photos");
                continue;
            }
        };
        for key in batch.iter().filter(|k| !kept.contains(*k)) {
            match state.photos.delete(key).await {
                Ok(()) => deleted += 1,
                Err(e) => tracing::error!(error = %e, "retention: cannot delete an orphan"),
            }
        }
    }
    deleted
}

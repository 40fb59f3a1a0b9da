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
///
/// A report may commit between the look-up and the delete (a replay that rewrote a day-old
/// upload). So an unnamed object is first set aside, the database asked again, and only
/// then deleted, or put back; and `submit` puts back, after its commit, a photo it finds
/// gone. Either the sweep's second look sees the row, or the commit comes after the object
/// was set aside and `submit` sees it missing.
async fn sweep_orphans(state: &AppState, now: i64) -> u64 {
    // What a sweep cut short left set aside.
    let mut deleted = match state.photos.list_set_aside().await {
        Ok(keys) => settle(state, &keys).await,
        Err(e) => {
            tracing::error!(error = %e, "retention: cannot list set-aside photos");
            0
        }
    };
    let objects = match state.photos.list().await {
        Ok(objects) => objects,
        Err(e) => {
            tracing::error!(error = %e, "retention: cannot list photos");
            return deleted;
        }
    };
    let old: Vec<String> = objects
        .into_iter()
        .filter(|o| now - o.modified_ms >= ORPHAN_GRACE_MS)
        .map(|o| o.key)
        .collect();
    for batch in old.chunks(SWEEP_BATCH) {
        let kept = match kept_of(state, batch).await {
            Some(kept) => kept,
            None => continue,
        };
        let mut aside = Vec::new();
        for key in batch.iter().filter(|k| !kept.contains(*k)) {
            match state.photos.set_aside(key).await {
                Ok(true) => aside.push(key.clone()),
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "retention: cannot set an orphan aside"),
            }
        }
        deleted += settle(state, &aside).await;
    }
    deleted
}

/// The keys of `batch` a kept photo row names; `None` (logged) when the database fails.
async fn kept_of(state: &AppState, batch: &[String]) -> Option<HashSet<String>> {
    match state.store.kept_photo_objects(batch).await {
        Ok(keys) => Some(keys.into_iter().collect()),
        Err(e) => {
            tracing::error!(error = %e, "retention: cannot check photos");
            None
        }
    }
}

/// Set-aside objects: back to their name when a row names them now, else deleted.
async fn settle(state: &AppState, keys: &[String]) -> u64 {
    let mut deleted = 0;
    for batch in keys.chunks(SWEEP_BATCH) {
        let Some(kept) = kept_of(state, batch).await else {
            continue; // they stay set aside for the next sweep
        };
        for key in batch {
            let done = if kept.contains(key) {
                state.photos.put_back(key).await
            } else {
                state.photos.discard(key).await.map(|()| deleted += 1)
            };
            if let Err(e) = done {
                tracing::error!(error = %e, "retention: cannot settle a set-aside photo");
            }
        }
    }
    deleted
}

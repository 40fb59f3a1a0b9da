//! After the upgrade that gave each deployment its own storage: the waiting reports an
//! older build of this deployment kept under the names every deployment shared move under
//! this deployment's own, so that none is stranded. At the site's root the names did not
//! change, and nothing moves.

use crate::platform::storage::{self, IdbOutbox, OUTBOX};
use xinjing_core::config::{parse_config, Config};
use xinjing_core::deployment::is_ours;
use xinjing_core::outbox::{parse_entry, OutboxStore};

pub async fn adopt_waiting_reports(config: &Config) {
    if storage::is_root_deployment() {
        return;
    }
    let (rows, legacy_config) = storage::legacy_outbox().await;
    if rows.is_empty() {
        return;
    }
    let legacy_endpoint = legacy_config
        .and_then(|json| parse_config(&json, &[]).ok())
        .map(|c| c.endpoint.key().to_owned());
    let ours = config.endpoint.key();
    for (key, record, body) in rows {
        let Some(entry) = parse_entry(&record) else {
            continue;
        };
        if entry.id != key || !is_ours(entry.endpoint.as_deref(), ours, legacy_endpoint.as_deref())
        {
            continue;
        }
        // Written here first, then taken from there: a failure in between leaves it in both,
        // and the next start finishes the move (same key, so never sent twice over).
        let kept = match (OUTBOX.get(&key).await, body) {
            (Ok(Some(_)), _) => true,
            (Ok(None), Some(body)) => IdbOutbox.put(&key, &record, &body).await.is_ok(),
            // Kept with its body inline: the next pass moves the body out.
            (Ok(None), None) => OUTBOX.put(&key, &record).await.is_ok(),
            (Err(_), _) => false,
        };
        if kept {
            storage::legacy_take(&key).await;
        }
    }
}

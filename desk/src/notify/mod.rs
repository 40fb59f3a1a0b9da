//! Notifications to the committee when a report arrives or is reopened: a WeCom (企业微信)
//! group robot, a DingTalk robot, a Feishu bot, a generic webhook.
//!
//! The notifier never touches the request path. It reads `report_events` of kinds
//! `received` and `reopen` from the database: each pass turns events newer than a
//! watermark into outbox rows (one per event and channel, created idempotently), then,
//! holding a per-channel lease so that one desk alone sends for a channel, sends what is
//! due within the channel's rate limit, the overflow as one digest. A desk killed between
//! a report's commit and its message sends it after restart (the event is still there);
//! a desk killed after the platform took a message but before marking it sent would send
//! that one again: no platform offers an idempotency key to prevent it.
//!
//! All times come from the desk's clock, so tests move through back-off and rate-limit
//! windows without sleeping.

pub mod config;
pub mod ladder;
pub mod message;
pub mod outbox;
pub mod policy;
pub mod send;
pub mod sign;
pub mod weekly;

use crate::clock::Clock;
use crate::config::units::TOWN_CHANNEL;
use crate::store::Result;
use crate::store::Store;
use config::Channel;
use config::NotifyConfig;
use outbox::{Fate, Row};
use policy::{Batch, Outcome};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use outbox::{counts, Counts};

/// A channel lease lasts this long and is renewed before every request (which ends within
/// `send::REQUEST_TIMEOUT`); a desk that dies holding it delays its channel this long.
pub const LEASE_MS: i64 = 30_000;
/// A difference between this desk's clock and the database's worth an error in the log
/// (the watermark's overlap is ten minutes).
const CLOCK_SKEW_WARN_MS: i64 = 60_000;
/// Pending rows looked at per channel and pass.
const DUE_BATCH: i64 = 1_000;

/// What one pass did (for tests and logs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub events: usize,
    pub messages: usize,
    pub digests: usize,
    pub retries: usize,
    pub failed: usize,
    /// Steps of dispatched tasks' escalation ladders taken.
    pub escalations: usize,
}

/// What the notifier takes from the desk, and nothing more.
#[derive(Clone)]
pub struct Deps {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: NotifyConfig,
    /// The address the messages' links point at.
    pub public_url: String,
    /// Whether that address was configured (else a warning: links point at this host).
    pub public_url_set: bool,
    /// Set when the desk stops: no new request is started.
    pub stopping: Arc<AtomicBool>,
    /// The handling units, whose robots admins may change while the desk runs.
    pub units: crate::units::book::UnitBook,
    /// The figures' small-number guard, for the town's weekly digest.
    pub min_count: i64,
}

impl Deps {
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The channels that hear only what is written for them: the town's robot and the
    /// units' robots as they are now.
    pub fn unit_channels(&self) -> Vec<Channel> {
        let town = self.config.units.iter().filter(|c| c.name == TOWN_CHANNEL);
        town.cloned().chain(self.units.channels()).collect()
    }

    /// The time every desk on the database agrees on, for leases and the watermark: a desk
    /// whose clock ran ahead would otherwise take a lease that outlives it, or move the
    /// watermark past other desks' events.
    async fn shared_now_ms(&self) -> Result<i64> {
        if self.clock.shared() {
            return Ok(self.clock.now_ms());
        }
        self.store.db_now_ms().await
    }
}

/// The handle on a desk's notifier task.
pub struct Notifier {
    requests: mpsc::UnboundedSender<oneshot::Sender<Pass>>,
    /// This desk's name on the channel leases.
    pub owner: String,
}

impl Notifier {
    /// Runs a pass now and waits for its result (tests; the task also runs on its own).
    pub async fn run_now(&self) -> Pass {
        let (tx, rx) = oneshot::channel();
        if self.requests.send(tx).is_err() {
            return Pass::default();
        }
        rx.await.unwrap_or_default()
    }
}

/// Starts the notifier when channels are configured. The watermark is set before the desk
/// takes requests, so no report filed after the start can fall before it.
pub async fn spawn(deps: Deps) -> Result<Option<(Notifier, JoinHandle<()>)>> {
    if deps.config.channels.is_empty()
        && deps.unit_channels().is_empty()
        && deps.config.town.is_empty()
    {
        return Ok(None);
    }
    let shared = deps.shared_now_ms().await?;
    let skew_ms = deps.now_ms() - shared;
    if skew_ms.abs() > CLOCK_SKEW_WARN_MS {
        // Events are stamped by each desk's clock and found by the database's: one running
        // well behind files events the watermark may already have passed.
        tracing::error!(
            skew_seconds = skew_ms / 1000,
            "this machine's clock differs from the database's: set up time sync (NTP), or \
             notifications of reports filed here may be late or missed"
        );
    }
    outbox::init_watermark(&deps.store, shared.min(deps.now_ms())).await?;
    let owner = crate::ids::random_uuid();
    if !deps.public_url_set {
        tracing::warn!(links = %deps.public_url, "public_url is not set: the links in notifications point at this address");
    }
    for channel in deps
        .config
        .channels
        .iter()
        .chain(&deps.unit_channels())
        .chain(&deps.config.town)
    {
        tracing::info!(channel = %channel.name, kind = channel.kind.code(), url = %channel.safe_url(), "notifications on");
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<oneshot::Sender<Pass>>();
    let task = {
        let owner = owner.clone();
        tokio::spawn(async move {
            let client = send::client();
            loop {
                // The first pass, too, waits one interval: the desk has just started.
                let reply = tokio::select! {
                    () = tokio::time::sleep(deps.config.poll) => None,
                    request = rx.recv() => match request {
                        Some(tx) => Some(tx),
                        None => return,
                    },
                };
                let pass = run_pass(&deps, &client, &owner).await;
                if let Some(tx) = reply {
                    let _ = tx.send(pass);
                }
            }
        })
    };
    Ok(Some((
        Notifier {
            requests: tx,
            owner,
        },
        task,
    )))
}

/// Takes new events into the outbox, then serves each channel. Errors are logged; the
/// next pass tries again.
pub async fn run_pass(deps: &Deps, client: &reqwest::Client, owner: &str) -> Pass {
    let mut pass = Pass::default();
    let channels = &deps.config.channels;
    // The watermark follows the database's clock (and never passes this desk's own): an
    // event stamped by a desk whose clock ran ahead cannot push it past the others' events.
    let taken = match deps.shared_now_ms().await {
        Ok(shared) => {
            let now = deps.now_ms();
            outbox::enqueue(&deps.store, channels, now, shared.min(now)).await
        }
        Err(e) => Err(e),
    };
    match taken {
        Ok(n) => pass.events = n,
        Err(e) => tracing::error!(error = %e, "notify: cannot read new events"),
    }
    // Robots an admin changed on another desk, too.
    if let Err(e) = deps.units.reload(&deps.store).await {
        tracing::error!(error = %e, "notify: cannot read the units");
    }
    // The units' robots have no events of their own to take: a dispatch writes their row.
    match ladder::climb(deps, deps.now_ms()).await {
        Ok(n) => pass.escalations = n,
        Err(e) => tracing::error!(error = %e, "notify: cannot climb the escalation ladder"),
    }
    if let Err(e) = weekly::enqueue(deps, deps.now_ms()).await {
        tracing::error!(error = %e, "notify: cannot queue the town's weekly digest");
    }
    for channel in channels
        .iter()
        .chain(&deps.unit_channels())
        .chain(&deps.config.town)
    {
        if let Err(e) = serve_channel(deps, client, owner, channel, &mut pass).await {
            tracing::error!(channel = %channel.name, error = %e, "notify: outbox error");
        }
    }
    pass
}

async fn serve_channel(
    deps: &Deps,
    client: &reqwest::Client,
    owner: &str,
    channel: &Channel,
    pass: &mut Pass,
) -> Result<()> {
    let store = &deps.store;
    let now = deps.now_ms();
    // Reads first: a pass with nothing due writes nothing.
    let due = outbox::due(store, &channel.name, now, DUE_BATCH).await?;
    if due.is_empty() {
        return Ok(());
    }
    let shared = deps.shared_now_ms().await?;
    if !outbox::lease(store, &channel.name, owner, shared, LEASE_MS).await? {
        return Ok(());
    }
    // Read again under the lease: a desk that held it until just now (a graceful stop
    // hands it over) may have sent some of what the first read found.
    let due = outbox::due(store, &channel.name, now, DUE_BATCH).await?;
    let limits = channel.limits();
    // The platform counts in real time: every desk's sends on the database's clock.
    let used = outbox::used(store, &channel.name, &limits, shared).await?;
    for batch in policy::plan(due.len(), policy::capacity(&limits, &used)) {
        if deps.stopping.load(Ordering::SeqCst) {
            break;
        }
        let now = deps.now_ms();
        // Renewed before each request: a desk that lost it (paused past the lease) stops.
        let shared = deps.shared_now_ms().await?;
        if !outbox::lease(store, &channel.name, owner, shared, LEASE_MS).await? {
            break;
        }
        let (rows, digest): (Vec<&Row>, bool) = match batch {
            Batch::One(i) => (vec![&due[i]], false),
            Batch::Digest(range) => (due[range].iter().collect(), true),
        };
        let events: Vec<_> = rows.iter().map(|r| r.event.clone()).collect();
        let body = if digest {
            message::digest(channel.kind, &events, &deps.public_url)
        } else if events[0].kind == message::EventKind::Weekly {
            weekly::message(channel.kind, &events[0], &deps.public_url)
        } else {
            message::single(channel.kind, &events[0], &deps.public_url)
        };
        outbox::record_send(store, &channel.name, shared).await?;
        let outcome = send::send(client, channel, body, now).await;
        let tickets: Vec<&str> = events.iter().map(|e| e.ticket.as_str()).collect();
        let now = deps.now_ms();
        match outcome {
            Outcome::Delivered => {
                outbox::settle(store, &channel.name, &rows, now, Fate::Sent { digest }).await?;
                pass.messages += 1;
                pass.digests += usize::from(digest);
                tracing::info!(channel = %channel.name, tickets = ?tickets, digest, "notification sent");
            }
            Outcome::Retry(error) => {
                retry_or_give_up(deps, channel, &rows, now, &error, pass).await?;
                // The channel is failing: the rest wait for the next pass.
                break;
            }
            Outcome::Permanent(error) => {
                outbox::settle(
                    store,
                    &channel.name,
                    &rows,
                    now,
                    Fate::Failed { error: &error },
                )
                .await?;
                pass.failed += rows.len();
                tracing::error!(channel = %channel.name, tickets = ?tickets, error = %error, "notification failed; check the channel's url");
            }
        }
    }
    Ok(())
}

/// Schedules each row's next try, or gives it up once it is older than the configured
/// limit.
async fn retry_or_give_up(
    deps: &Deps,
    channel: &Channel,
    rows: &[&Row],
    now: i64,
    error: &str,
    pass: &mut Pass,
) -> Result<()> {
    let give_up_ms = deps.config.give_up_ms;
    let (expired, retry): (Vec<&Row>, Vec<&Row>) =
        rows.iter().partition(|r| now - r.created_at >= give_up_ms);
    if !expired.is_empty() {
        outbox::settle(
            &deps.store,
            &channel.name,
            &expired,
            now,
            Fate::Failed { error },
        )
        .await?;
        pass.failed += expired.len();
        let tickets: Vec<&str> = expired.iter().map(|r| r.event.ticket.as_str()).collect();
        tracing::error!(channel = %channel.name, tickets = ?tickets, error = %error, "notification failed: gave up after retrying");
    }
    let jitter = {
        let mut bytes = [0u8; 8];
        let _ = getrandom::fill(&mut bytes);
        (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
    };
    // A digest's rows may have failed different numbers of times: each waits its own time.
    let mut waits = Vec::with_capacity(retry.len());
    for row in &retry {
        let wait = policy::backoff_ms(row.attempts as u32 + 1, jitter);
        let fate = Fate::Retry {
            next_at: now + wait,
            error,
        };
        outbox::settle(&deps.store, &channel.name, &[row], now, fate).await?;
        waits.push(wait);
    }
    if !retry.is_empty() {
        pass.retries += retry.len();
        let tickets: Vec<&str> = retry.iter().map(|r| r.event.ticket.as_str()).collect();
        let attempt = retry.iter().map(|r| r.attempts + 1).max().unwrap_or(1);
        let retry_in_ms = waits.iter().min().copied().unwrap_or(0);
        tracing::warn!(channel = %channel.name, tickets = ?tickets, attempt, retry_in_ms, error = %error, "notification not delivered; will retry");
    }
    Ok(())
}

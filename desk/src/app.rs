//! Starting and stopping a desk: the database (migrated), the photo store, the widget, the
//! HTTP server and the retention task. Tests start desks in-process with a fake clock; the
//! binary starts one with the system clock.

use crate::clock::Clock;
use crate::config::Config;
use crate::notify::{self, Notifier};
use crate::photos::{PhotoError, PhotoNames, PhotoStore};
use crate::ratelimit::{Budget, RateLimiter};
use crate::retention::{self, Retention};
use crate::state::AppState;
use crate::store::{Hold, Running, RunningError, Store, StoreError};
use crate::widget::{Widget, WidgetError};
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Why a desk (or a command that opens its storage) could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[source] StoreError),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] StoreError),
    #[error("cannot open the photo store: {0}")]
    Photos(#[from] PhotoError),
    #[error("cannot listen on {addr} (listen / DESK_LISTEN): {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr} (metrics_listen / DESK_METRICS_LISTEN): {source}")]
    MetricsListen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot seed the campaigns: {0}")]
    Campaigns(#[source] StoreError),
    #[error("cannot seed the handling units: {0}")]
    Units(#[source] StoreError),
    #[error("dist: {0}")]
    Widget(#[from] WidgetError),
    #[error("notifications: {0}")]
    Notify(#[source] StoreError),
    #[error(
        "the privacy notice keeps data “{0}”, which is not a period the desk can read: \
         set retention_days (DESK_RETENTION_DAYS) to the days it promises"
    )]
    RetentionUnread(String),
    #[error(
        "public_url (DESK_PUBLIC_URL) is not set: the widget's endpoint, the posters' QR codes \
         and the robots' links would point at {0}. Set it to the address residents reach, \
         or start with `serve --dev` to try the desk out"
    )]
    NoPublicUrl(String),
    #[error(transparent)]
    Running(#[from] RunningError),
    #[error("the desk's keys: {0}")]
    Secrets(#[source] StoreError),
}

/// Opens the database (creating and migrating it) and the photo store.
pub async fn open_storage(config: &Config) -> Result<(Store, PhotoStore), StartError> {
    let store = Store::connect(&config.database, config.db_max_connections, config.fsync)
        .await
        .map_err(StartError::Database)?;
    store.migrate().await.map_err(StartError::Migrate)?;
    set_figure_limits(&store, config);
    let photos = PhotoStore::open(&config.photos, config.fsync)?;
    Ok((store, photos))
}

/// [`open_storage`], holding the database as `hold` says before migrating it: a desk does
/// not migrate a database a restore is replacing, and a restore does not replace one a desk
/// serves.
pub async fn open_storage_held(
    config: &Config,
    hold: Hold,
) -> Result<(Store, PhotoStore, Running), StartError> {
    let store = Store::connect(&config.database, config.db_max_connections, config.fsync)
        .await
        .map_err(StartError::Database)?;
    let running = store.hold(&config.database, hold).await?;
    store.migrate().await.map_err(StartError::Migrate)?;
    set_figure_limits(&store, config);
    let photos = PhotoStore::open(&config.photos, config.fsync)?;
    Ok((store, photos, running))
}

/// The deadlines the town's precomputed figures count with.
fn set_figure_limits(store: &Store, config: &Config) {
    store.set_figure_limits(
        config.first_response.as_millis() as i64,
        config.resolution.as_millis() as i64,
    );
}

/// A running desk.
pub struct Desk {
    pub addr: SocketAddr,
    /// Where `/metrics` is served (`metrics_listen`), if it is.
    pub metrics_addr: Option<SocketAddr>,
    metrics_task: Option<JoinHandle<()>>,
    pub state: Arc<AppState>,
    pub retention: Retention,
    /// `None` when no notification channel is configured.
    pub notifier: Option<Notifier>,
    notifier_task: Option<JoinHandle<()>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    retention_task: JoinHandle<()>,
    /// The shared lock that tells `restore` a desk serves this database.
    _running: Running,
}

/// Binds, then serves until [`Desk::stop`].
pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<Desk, StartError> {
    // rustls (the bucket's https, PostgreSQL's TLS) uses ring; once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.listen,
        source,
    })?;
    // Bound before anything else starts, so a taken port stops the start at once.
    let metrics_listener = match config.metrics_listen {
        Some(at) => {
            let failed = |source| StartError::MetricsListen { addr: at, source };
            let listener = tokio::net::TcpListener::bind(at).await.map_err(failed)?;
            let bound = listener.local_addr().map_err(failed)?;
            Some((listener, bound))
        }
        None => None,
    };
    let public_url = config.public_url_for(addr);
    // The desk always serves posters, and often the widget and notifications: behind a
    // proxy, a guessed address would send residents to the desk's loopback.
    if config.public_url.is_none() && !config.dev {
        return Err(StartError::NoPublicUrl(public_url));
    }
    let (store, photos, running) = open_storage_held(&config, Hold::Serve).await?;
    // A database from before the precomputed figures (or with other deadlines): filled
    // once, before the first page asks.
    if store
        .ensure_figures(clock.now_ms())
        .await
        .map_err(StartError::Database)?
    {
        tracing::info!("the town's figures were filled from the reports");
    }
    let photo_names = PhotoNames::new(&store.photo_names_key().await.map_err(StartError::Secrets)?);
    crate::campaigns::seed(&store, config.dist.as_deref(), clock.now_ms())
        .await
        .map_err(StartError::Campaigns)?;
    let widget = match &config.dist {
        Some(dir) => Some(Widget::load(
            dir,
            &public_url,
            config.communities.as_deref(),
            config.parent_origins.as_deref(),
        )?),
        None => None,
    };
    let communities = config
        .communities
        .clone()
        .or_else(|| widget.as_ref().map(|w| w.communities.clone()))
        .unwrap_or_default();
    let notice_days = widget.as_ref().and_then(|w| w.notice_retention_days);
    let retention_days = match (config.retention_days, notice_days) {
        (Some(days), Some(notice)) if days != notice => {
            tracing::warn!(
                retention_days = days,
                notice_days = notice,
                "retention_days differs from the retention the widget's privacy notice promises"
            );
            days
        }
        (Some(days), _) => days,
        (None, Some(notice)) => notice,
        // Never guess a period the residents were promised in words the desk cannot read.
        (None, None) => match widget
            .as_ref()
            .and_then(|w| w.notice_retention_unread.clone())
        {
            Some(text) => return Err(StartError::RetentionUnread(text)),
            None => 365,
        },
    };
    let limiter = (config.rate_limit_per_minute > 0)
        .then(|| RateLimiter::new(config.rate_limit_per_minute, config.rate_limit_burst));
    let login_limiter = (config.rate_limit_per_minute > 0)
        .then(|| RateLimiter::new(config.rate_limit_per_minute, config.rate_limit_burst));
    let intake = (config.limits.intake_per_minute > 0)
        .then(|| Budget::new(config.limits.intake_per_minute, config.limits.intake_burst));
    let space = crate::disk::SpaceMark::new(&config);
    // The configuration seeds the units; the page's edits, kept in the database, win.
    let units = crate::units::book::UnitBook::configured(&config.units);
    store
        .seed_units(&config.units, clock.now_ms())
        .await
        .map_err(StartError::Units)?;
    units.reload(&store).await.map_err(StartError::Units)?;
    let state = Arc::new(AppState {
        config,
        store,
        photos,
        photo_names,
        clock,
        communities,
        widget,
        limiter,
        login_limiter,
        intake,
        retention_days,
        public_url,
        stopping: Arc::new(AtomicBool::new(false)),
        metrics: Default::default(),
        space,
        units,
    });
    let (metrics_addr, metrics_task) = match metrics_listener {
        Some((listener, at)) => {
            let app = crate::metrics::scrape::routes(state.clone());
            let task = tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::error!(error = %e, "metrics listener stopped");
                }
            });
            (Some(at), Some(task))
        }
        None => (None, None),
    };
    let (retention, retention_task) = retention::spawn(state.clone());
    let (notifier, notifier_task) = notify::spawn(notify::Deps {
        store: state.store.clone(),
        clock: state.clock.clone(),
        config: state.config.notify.clone(),
        public_url: state.public_url.clone(),
        public_url_set: state.config.public_url.is_some(),
        stopping: state.stopping.clone(),
        units: state.units.clone(),
        min_count: state.config.stats_min_count,
    })
    .await
    .map_err(StartError::Notify)?
    .unzip();

    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let app = crate::routes::router(state.clone());
    let limits = crate::serve::ServeLimits {
        header_timeout: state.config.limits.header_timeout,
        max_connections: state.config.limits.max_connections,
        grace: state.config.shutdown_grace,
    };
    let server = tokio::spawn(crate::serve::serve(listener, app, limits, async move {
        let _ = shutdown_rx.await;
    }));
    tracing::info!(
        addr = %addr,
        public_url = %state.public_url,
        database = ?state.store.backend(),
        photos = %state.photos.describe(),
        widget = state.widget.is_some(),
        retention_days = state.retention_days,
        metrics = %metrics_addr.map(|a| a.to_string()).unwrap_or_default(),
        "desk listening"
    );
    Ok(Desk {
        addr,
        metrics_addr,
        metrics_task,
        state,
        retention,
        notifier,
        notifier_task,
        shutdown: Some(shutdown_tx),
        server,
        retention_task,
        _running: running,
    })
}

impl Desk {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, then closes the database.
    pub async fn stop(mut self) {
        self.state
            .stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.server).await;
        if let Some(task) = self.metrics_task.take() {
            task.abort();
        }
        self.retention_task.abort();
        if let Some(mut task) = self.notifier_task.take() {
            // The pass under way finishes the request it is making (so a message the
            // platform took is marked sent), then stops; the task ends when its handle goes.
            let owner = self.notifier.take().map(|n| n.owner);
            let wait = notify::send::REQUEST_TIMEOUT + std::time::Duration::from_secs(5);
            if tokio::time::timeout(wait, &mut task).await.is_err() {
                task.abort();
            }
            if let Some(owner) = owner {
                // Another desk on the database takes the channels over at once.
                if let Err(e) = notify::outbox::release(&self.state.store, &owner).await {
                    tracing::warn!(error = %e, "cannot release the notification leases");
                }
            }
        }
        self.state.store.close().await;
    }

    /// Stops everything at once, as a killed process would: nothing is finished or given
    /// back (tests of what survives a crash).
    #[doc(hidden)]
    pub async fn abort(mut self) {
        self.server.abort();
        if let Some(task) = self.metrics_task.take() {
            task.abort();
        }
        self.retention_task.abort();
        if let Some(task) = self.notifier_task.take() {
            task.abort();
            let _ = task.await;
        }
        self.state.store.close().await;
    }
}

//! `xinjing-desk`: the command line (clap). Errors here are for a person at a shell, so
//! they are `anyhow` chains; the library below has a typed error per layer.

use anyhow::{bail, Context};
use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use xinjing_contract::TicketStatus;
use xinjing_desk::config::{Config, Database};
use xinjing_desk::staff::auth::Role;
use xinjing_desk::store::Resolution;
use xinjing_desk::{app, clock::SystemClock, lifecycle};

mod cli;
use cli::{Cli, Command, StatsCommand, UserCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("xinjing-desk: {e}");
            return ExitCode::from(2);
        }
    };
    lifecycle::init_logs(&config);
    // rustls (the bucket's https, PostgreSQL's TLS) uses ring, for every command.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start")
        .and_then(|runtime| runtime.block_on(run(cli.command, config)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xinjing-desk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { dev } => {
            serve(Config {
                dev: config.dev || dev,
                ..config
            })
            .await
        }
        Command::Migrate => {
            let (store, _) = app::open_storage(&config).await?;
            println!("database ready ({:?})", store.backend());
            Ok(())
        }
        Command::CheckConfig => check(config).await,
        Command::Backup { dir } => {
            let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
            let manifest = xinjing_desk::backup::backup(&config, &dir, now).await?;
            println!(
                "backed up to {}: {} and {} photos ({})",
                dir.display(),
                manifest.database,
                manifest.files.len() - 1,
                xinjing_desk::backup::MANIFEST
            );
            Ok(())
        }
        Command::Restore { dir, force } => {
            let manifest = xinjing_desk::backup::restore(&config, &dir, force).await?;
            println!(
                "restored {} and {} photos from {}",
                manifest.database,
                manifest.files.len() - 1,
                dir.display()
            );
            Ok(())
        }
        Command::SetStatus {
            ticket,
            status,
            note,
            resolution,
            override_reason,
        } => {
            let how = (resolution, override_reason.as_deref());
            set_status(config, &ticket, status, how, note.as_deref()).await
        }
        Command::User(UserCommand::Add {
            name,
            role,
            communities,
            unit,
        }) => user_add(config, name, role, communities, unit).await,
        Command::User(UserCommand::List) => user_list(config).await,
        Command::User(UserCommand::Remove { name }) => user_remove(config, &name).await,
        Command::Stats(StatsCommand::Rebuild) => {
            let (store, _) = app::open_storage(&config).await?;
            let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
            let reports = store.rebuild_figures(now).await?;
            store.close().await;
            println!("the town's figures filled from {reports} reports");
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Listening for the stop signal before the desk listens for requests: a stop sent as
    // soon as it is ready (systemd, a test) is a clean stop, not the signal's default death.
    let stop = lifecycle::shutdown_signal();
    let desk = app::start(config, Arc::new(SystemClock)).await?;
    // Migrated and listening: systemd (Type=notify) starts what waits for the desk now.
    if let Err(e) = xinjing_desk::sd_notify::notify("READY=1") {
        tracing::warn!(error = %e, "could not tell systemd the desk is ready");
    }
    stop.await;
    let _ = xinjing_desk::sd_notify::notify("STOPPING=1");
    tracing::info!("stopping: finishing requests in flight");
    desk.stop().await;
    tracing::info!("stopped");
    Ok(())
}

async fn check(config: Config) -> anyhow::Result<()> {
    println!("listen:    {}", config.listen);
    println!(
        "database:  {}",
        match &config.database {
            Database::Sqlite(url) => url.clone(),
            Database::Postgres(_) => "PostgreSQL (URL not shown)".into(),
        }
    );
    let (store, photos) = app::open_storage(&config).await?;
    store.ping().await?;
    photos.check().await.context("photos")?;
    println!("photos:    {}", photos.describe());
    match &config.dist {
        Some(dir) => println!("widget:    {}", dir.display()),
        None => println!("widget:    not served (set dist / DESK_DIST)"),
    }
    println!("{}", xinjing_desk::notify::config::describe(&config.notify));
    println!("configuration OK");
    Ok(())
}

async fn set_status(
    config: Config,
    ticket: &str,
    status: TicketStatus,
    (resolution, override_reason): (Option<Resolution>, Option<&str>),
    note: Option<&str>,
) -> anyhow::Result<()> {
    let too_long = |text: Option<&str>| {
        text.is_some_and(|n| n.chars().count() > xinjing_contract::ticket::NOTE_MAX)
    };
    if too_long(note) || too_long(override_reason) {
        bail!(
            "the note or the reason is longer than {} characters",
            xinjing_contract::ticket::NOTE_MAX
        );
    }
    let (store, _) = app::open_storage(&config).await?;
    let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
    let how = (resolution, override_reason);
    let changed =
        xinjing_desk::staff::shell::set_status(&store, ticket, status, how, note, now).await;
    store.close().await;
    changed?;
    println!("{ticket}: {}", status.code());
    Ok(())
}

/// `user add NAME --role admin|staff|town|unit [--community AREA]... [--unit UNIT]`, the
/// password on stdin.
async fn user_add(
    config: Config,
    name: String,
    role: Role,
    communities: Vec<String>,
    unit: Option<String>,
) -> anyhow::Result<()> {
    let communities: Vec<String> = communities.iter().map(|c| c.trim().to_owned()).collect();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_whitespace) {
        bail!("the name must be 1 to 64 characters without spaces");
    }
    if communities.iter().any(String::is_empty) {
        bail!("--community needs a residential area's name");
    }
    match role {
        Role::Staff if communities.is_empty() => {
            bail!("a staff account needs at least one --community")
        }
        Role::Admin if !communities.is_empty() => {
            bail!("an admin sees every community: leave out --community")
        }
        Role::Unit if !communities.is_empty() => {
            bail!("a unit account sees its unit's tasks: leave out --community")
        }
        Role::Town if !communities.is_empty() => {
            bail!("a town account reads every community: leave out --community")
        }
        _ => {}
    }
    match (&unit, role) {
        (None, Role::Unit) => bail!("a unit account needs --unit UNIT (a [[unit]] id)"),
        (Some(_), Role::Admin | Role::Staff | Role::Town) => {
            bail!("--unit is for --role unit only")
        }
        _ => {}
    }
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < xinjing_desk::staff::auth::PASSWORD_MIN_CHARS {
        bail!(
            "the password (standard input) needs at least {} characters",
            xinjing_desk::staff::auth::PASSWORD_MIN_CHARS
        );
    }
    let hash = xinjing_desk::staff::auth::hash_password(password)?;
    let (store, _) = app::open_storage(&config).await?;
    let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
    if let Some(id) = &unit {
        // A unit of the configuration file, or one an admin added on the units page.
        let mut known: Vec<String> = config.units.iter().map(|u| u.id.clone()).collect();
        known.extend(store.units().await?.into_iter().map(|u| u.id));
        if !known.contains(id) {
            known.sort();
            known.dedup();
            bail!(
                "no unit {id:?} in the configuration or on the units page (units: {})",
                known.join(", ")
            )
        }
    }
    let existed = store.account(&name).await?.is_some();
    match &unit {
        Some(unit) => store.put_unit_account(&name, &hash, unit, now).await?,
        None => {
            store
                .put_account(&name, role.code(), &hash, &communities, now)
                .await?
        }
    }
    // A new password starts with a clean slate: the guesses at the old one no longer slow
    // or stop anyone.
    store.clear_account_failures(&name).await?;
    let scope = unit.clone().unwrap_or_else(|| communities.join(", "));
    let detail = format!("{name}: {} {scope}", role.code());
    store
        .audit(
            "cli",
            if existed { "user_update" } else { "user_add" },
            None,
            Some(detail.trim()),
            now,
        )
        .await?;
    store.close().await;
    println!(
        "{name}: {} ({}){}",
        role.code(),
        match (&unit, communities.is_empty()) {
            (Some(unit), _) => format!("unit {unit}"),
            (None, true) => "all communities".to_owned(),
            (None, false) => communities.join(", "),
        },
        if existed { ", password reset" } else { "" }
    );
    Ok(())
}

async fn user_list(config: Config) -> anyhow::Result<()> {
    let (store, _) = app::open_storage(&config).await?;
    let accounts = store.accounts().await?;
    store.close().await;
    for (name, role, communities) in accounts {
        println!("{name}\t{role}\t{}", communities.join(", "));
    }
    Ok(())
}

async fn user_remove(config: Config, name: &str) -> anyhow::Result<()> {
    let (store, _) = app::open_storage(&config).await?;
    let removed = store.remove_account(name).await?;
    if removed {
        let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
        store
            .audit("cli", "user_remove", None, Some(name), now)
            .await?;
    }
    store.close().await;
    if removed {
        println!("{name}: removed");
        Ok(())
    } else {
        bail!("no account {name}")
    }
}

//! `xinjing-desk`: serve, migrate, check-config, backup.

use std::process::ExitCode;
use std::sync::Arc;
use xinjing_desk::config::{describe_keys, Config, Database, LogFormat};
use xinjing_desk::staff::auth::Role;
use xinjing_desk::{app, clock::SystemClock};

const USAGE: &str = "\
xinjing-desk: the town's desk for Xinjing safety reports

usage:
  xinjing-desk serve           serve the API (and the widget, with `dist`) until stopped
  xinjing-desk migrate         create or update the database, then exit
  xinjing-desk check-config    check the configuration and the storage it names, then exit
  xinjing-desk backup FILE     SQLite: write a consistent copy of the database to FILE
                               (PostgreSQL: prints the pg_dump command to run)
  xinjing-desk set-status TICKET received|in_progress|resolved|rejected [PUBLIC NOTE]
                               change a ticket's state; the note is shown to the resident
                               (the staff pages at /desk/ do the same, audited)
  xinjing-desk user add NAME --role admin|staff [--community AREA]...
                               create a staff account, or reset its password, role and
                               communities; the password is read from standard input
                               (staff see the communities named; admins see all)
  xinjing-desk user list       the accounts, their roles and communities
  xinjing-desk user remove NAME
                               remove an account (someone who left) and log it out

configuration: a TOML file named by DESK_CONFIG; each key can be overridden by its
environment variable:
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("help");
    if matches!(command, "help" | "-h" | "--help") {
        print!("{USAGE}{}", describe_keys());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("xinjing-desk: {e}");
            return ExitCode::from(2);
        }
    };
    init_logs(&config);
    // rustls (the bucket's https, PostgreSQL's TLS) uses ring, for every command.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("xinjing-desk: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match (command, args.get(1)) {
            ("serve", None) => serve(config).await,
            ("migrate", None) => app::open_storage(&config)
                .await
                .map(|(store, _)| {
                    println!("database ready ({:?})", store.backend());
                })
                .map_err(|e| e.to_string()),
            ("check-config", None) => check(config).await,
            ("backup", Some(file)) if args.len() == 2 => backup(config, file).await,
            ("set-status", Some(ticket)) if (3..=4).contains(&args.len()) => {
                set_status(config, ticket, &args[2], args.get(3).map(String::as_str)).await
            }
            ("user", Some(sub)) if sub == "add" => user_add(config, &args[2..]).await,
            ("user", Some(sub)) if sub == "list" && args.len() == 2 => user_list(config).await,
            ("user", Some(sub)) if sub == "remove" && args.len() == 3 => {
                user_remove(config, &args[2]).await
            }
            _ => Err(format!(
                "unknown command {:?}: try `xinjing-desk help`",
                args.join(" ")
            )),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xinjing-desk: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(config: &Config) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(config.log_level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn serve(config: Config) -> Result<(), String> {
    let desk = app::start(config, Arc::new(SystemClock))
        .await
        .map_err(|e| e.to_string())?;
    shutdown_signal().await;
    tracing::info!("stopping: finishing requests in flight");
    desk.stop().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

async fn check(config: Config) -> Result<(), String> {
    println!("listen:    {}", config.listen);
    println!(
        "database:  {}",
        match &config.database {
            Database::Sqlite(url) => url.clone(),
            Database::Postgres(_) => "PostgreSQL (URL not shown)".into(),
        }
    );
    let (store, photos) = app::open_storage(&config)
        .await
        .map_err(|e| e.to_string())?;
    store.ping().await.map_err(|e| e.to_string())?;
    photos.check().await.map_err(|e| format!("photos: {e}"))?;
    println!("photos:    {}", photos.describe());
    match &config.dist {
        Some(dir) => println!("widget:    {}", dir.display()),
        None => println!("widget:    not served (set dist / DESK_DIST)"),
    }
    println!("{}", xinjing_desk::notify::config::describe(&config.notify));
    println!("configuration OK");
    Ok(())
}

async fn backup(config: Config, file: &str) -> Result<(), String> {
    match &config.database {
        Database::Postgres(_) => {
            println!(
                "PostgreSQL is backed up with its own tools, for example:\n\
                 \n  pg_dump --format=custom --file={file} \"$DATABASE_URL\"\n\
                 \nand restored with pg_restore. Back up the photo bucket with the provider's \
                 replication or `aws s3 sync`."
            );
            Ok(())
        }
        Database::Sqlite(_) => {
            if std::path::Path::new(file).exists() {
                return Err(format!("{file} exists already: choose a new file"));
            }
            let (store, photos) = app::open_storage(&config)
                .await
                .map_err(|e| e.to_string())?;
            store.backup(file).await.map_err(|e| e.to_string())?;
            println!(
                "database copied to {file}; copy the photos ({}) beside it",
                photos.describe()
            );
            Ok(())
        }
    }
}

async fn set_status(
    config: Config,
    ticket: &str,
    status: &str,
    note: Option<&str>,
) -> Result<(), String> {
    let status = xinjing_contract::TicketStatus::from_code(status).ok_or_else(|| {
        format!("unknown state {status:?}: received, in_progress, resolved or rejected")
    })?;
    if note.is_some_and(|n| n.chars().count() > xinjing_contract::ticket::NOTE_MAX) {
        return Err(format!(
            "the note is longer than {} characters",
            xinjing_contract::ticket::NOTE_MAX
        ));
    }
    let (store, _) = app::open_storage(&config)
        .await
        .map_err(|e| e.to_string())?;
    let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
    let changed = xinjing_desk::staff::shell::set_status(&store, ticket, status, note, now).await;
    store.close().await;
    changed.map_err(|e| e.to_string())?;
    println!("{ticket}: {}", status.code());
    Ok(())
}

/// `user add NAME --role admin|staff [--community AREA]...`, the password on stdin.
async fn user_add(config: Config, args: &[String]) -> Result<(), String> {
    let usage = "usage: xinjing-desk user add NAME --role admin|staff [--community AREA]... \
                 (password on standard input)";
    let mut name = None;
    let mut role = None;
    let mut communities = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--role" => role = Some(rest.next().ok_or(usage)?.clone()),
            "--community" => communities.push(rest.next().ok_or(usage)?.trim().to_owned()),
            other if !other.starts_with('-') && name.is_none() => name = Some(other.to_owned()),
            _ => return Err(usage.into()),
        }
    }
    let name = name.ok_or(usage)?;
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_whitespace) {
        return Err("the name must be 1 to 64 characters without spaces".into());
    }
    let role = role
        .as_deref()
        .and_then(Role::from_code)
        .ok_or("--role must be admin or staff")?;
    if communities.iter().any(String::is_empty) {
        return Err("--community needs a residential area's name".into());
    }
    match role {
        Role::Staff if communities.is_empty() => {
            return Err("a staff account needs at least one --community".into())
        }
        Role::Admin if !communities.is_empty() => {
            return Err("an admin sees every community: leave out --community".into())
        }
        _ => {}
    }
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < xinjing_desk::staff::auth::PASSWORD_MIN_CHARS {
        return Err(format!(
            "the password (standard input) needs at least {} characters",
            xinjing_desk::staff::auth::PASSWORD_MIN_CHARS
        ));
    }
    let hash = xinjing_desk::staff::auth::hash_password(password).map_err(|e| e.to_string())?;
    let (store, _) = app::open_storage(&config)
        .await
        .map_err(|e| e.to_string())?;
    let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
    let existed = store
        .account(&name)
        .await
        .map_err(|e| e.to_string())?
        .is_some();
    store
        .put_account(&name, role.code(), &hash, &communities, now)
        .await
        .map_err(|e| e.to_string())?;
    let detail = format!("{name}: {} {}", role.code(), communities.join(", "));
    store
        .audit(
            "cli",
            if existed { "user_update" } else { "user_add" },
            None,
            Some(detail.trim()),
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "{name}: {} ({}){}",
        role.code(),
        if communities.is_empty() {
            "all communities".to_owned()
        } else {
            communities.join(", ")
        },
        if existed { ", password reset" } else { "" }
    );
    Ok(())
}

async fn user_list(config: Config) -> Result<(), String> {
    let (store, _) = app::open_storage(&config)
        .await
        .map_err(|e| e.to_string())?;
    let accounts = store.accounts().await.map_err(|e| e.to_string())?;
    store.close().await;
    for (name, role, communities) in accounts {
        println!("{name}\t{role}\t{}", communities.join(", "));
    }
    Ok(())
}

async fn user_remove(config: Config, name: &str) -> Result<(), String> {
    let (store, _) = app::open_storage(&config)
        .await
        .map_err(|e| e.to_string())?;
    let removed = store
        .remove_account(name)
        .await
        .map_err(|e| e.to_string())?;
    if removed {
        let now = xinjing_desk::clock::Clock::now_ms(&SystemClock);
        store
            .audit("cli", "user_remove", None, Some(name), now)
            .await
            .map_err(|e| e.to_string())?;
    }
    store.close().await;
    if removed {
        println!("{name}: removed");
        Ok(())
    } else {
        Err(format!("no account {name}"))
    }
}

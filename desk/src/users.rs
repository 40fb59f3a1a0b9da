//! `xinjing-desk user add | list | remove`: staff accounts from the shell.

use anyhow::{bail, Context};
use xinjing_desk::app;
use xinjing_desk::clock::SystemClock;
use xinjing_desk::config::Config;
use xinjing_desk::staff::auth::Role;

/// `user add NAME --role admin|staff|town|unit [--community AREA]... [--unit UNIT]`, the
/// password on stdin.
pub async fn add(
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
        (Some(id), _) if config.unit(id).is_none() => {
            let known: Vec<&str> = config.units.iter().map(|u| u.id.as_str()).collect();
            bail!(
                "no unit {id:?} in the configuration (units: {})",
                known.join(", ")
            )
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

pub async fn list(config: Config) -> anyhow::Result<()> {
    let (store, _) = app::open_storage(&config).await?;
    let accounts = store.accounts().await?;
    store.close().await;
    for (name, role, communities) in accounts {
        println!("{name}\t{role}\t{}", communities.join(", "));
    }
    Ok(())
}

pub async fn remove(config: Config, name: &str) -> anyhow::Result<()> {
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

//! The units in force: the `units` table (seeded from the configuration file, edited by
//! admins) over the configured robots. Loaded at start and again after every edit on the
//! page; handlers and the notifier read the same copy.

use crate::config::units::{unit_channel_name, Unit, UnitKind};
use crate::notify::config::{unit_channel, Channel};
use crate::store::{Result, Store, UnitRow};
use std::sync::{Arc, RwLock};

/// One unit as the desk uses it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub unit: Unit,
    /// Offered on dispatch (a deactivated unit keeps its tasks and accounts).
    pub active: bool,
    /// Its robot was set on the page (else it is the configured one, if any).
    pub robot_from_page: bool,
}

/// The shared list of units.
#[derive(Clone, Default)]
pub struct UnitBook {
    inner: Arc<RwLock<Arc<Vec<Entry>>>>,
    /// The configuration file's units, for the robots of rows that keep theirs.
    configured: Arc<Vec<Unit>>,
}

impl UnitBook {
    /// A book of the configured units only (before the database is read, and in tests).
    pub fn configured(units: &[Unit]) -> UnitBook {
        let entries = units
            .iter()
            .map(|unit| Entry {
                unit: unit.clone(),
                active: true,
                robot_from_page: false,
            })
            .collect();
        UnitBook {
            inner: Arc::new(RwLock::new(Arc::new(entries))),
            configured: Arc::new(units.to_vec()),
        }
    }

    /// Reads the table again (after an edit here, and at every notifier pass, so desks
    /// sharing a database follow each other's edits).
    pub async fn reload(&self, store: &Store) -> Result<()> {
        let rows = store.units().await?;
        let entries = rows
            .iter()
            .map(|row| entry(row, &self.configured))
            .collect();
        *self.inner.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(entries);
        Ok(())
    }

    pub fn all(&self) -> Arc<Vec<Entry>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A unit by id, active or not.
    pub fn get(&self, id: &str) -> Option<Unit> {
        self.all()
            .iter()
            .find(|e| e.unit.id == id)
            .map(|e| e.unit.clone())
    }

    /// The active units that serve `community`.
    pub fn serving(&self, community: &str) -> Vec<Unit> {
        self.all()
            .iter()
            .filter(|e| e.active && e.unit.serves(community))
            .map(|e| e.unit.clone())
            .collect()
    }

    /// Every unit's robot (a deactivated unit's too: its queued messages still go).
    pub fn channels(&self) -> Vec<Channel> {
        self.all()
            .iter()
            .filter_map(|e| e.unit.channel.clone())
            .collect()
    }
}

fn entry(row: &UnitRow, configured: &[Unit]) -> Entry {
    let name = unit_channel_name(&row.id);
    let channel = match row.robot_kind.as_deref() {
        None => configured
            .iter()
            .find(|u| u.id == row.id)
            .and_then(|u| u.channel.clone()),
        Some("none") => None,
        Some(kind) => {
            let mut table = toml::Table::new();
            table.insert("kind".into(), kind.into());
            if let Some(url) = &row.robot_url {
                table.insert("url".into(), url.as_str().into());
            }
            if let Some(secret) = &row.robot_secret {
                table.insert("secret".into(), secret.as_str().into());
            }
            // Checked when saved; a row that no longer reads is logged (never its URL).
            match unit_channel(&toml::Value::Table(table), &name, &|_| None) {
                Ok(channel) => Some(channel),
                Err(_) => {
                    tracing::error!(unit = %row.id, "the unit's robot cannot be read: none used");
                    None
                }
            }
        }
    };
    Entry {
        unit: Unit {
            id: row.id.clone(),
            name: row.name.clone(),
            kind: UnitKind::from_code(&row.kind).unwrap_or(UnitKind::Other),
            communities: row
                .communities
                .as_ref()
                .map(|c| c.lines().map(str::to_owned).collect()),
            channel,
        },
        active: row.active != 0,
        robot_from_page: row.robot_kind.is_some(),
    }
}

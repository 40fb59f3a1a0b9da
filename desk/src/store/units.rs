//! The handling units' rows (`units`): seeded from the configuration file at every start,
//! edited by admins on `/desk/units`. Each edit is one transaction with its audit line; the
//! robot's URL and secret are written but never put in the audit log.

use super::events::audit_on;
use super::{Result, Store};
use crate::config::units::Unit;
use sqlx::FromRow;

/// A unit as stored.
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct UnitRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// One per line; `None`: every community.
    pub communities: Option<String>,
    /// `None`: the configured robot; `"none"`: no robot; else the platform.
    pub robot_kind: Option<String>,
    pub robot_url: Option<String>,
    pub robot_secret: Option<String>,
    pub active: i64,
    pub updated_by: String,
}

/// What an admin saves for a unit (new or existing).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitEdit {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub communities: Option<String>,
    /// `None`: leave the robot as it is.
    pub robot: Option<RobotEdit>,
}

/// A new robot for a unit (`kind` "none" removes it; "" keeps the configured one).
#[derive(Clone, Debug, PartialEq)]
pub struct RobotEdit {
    pub kind: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
}

/// What became of a unit edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitApplied {
    Done,
    Unknown,
    /// Deleting a unit that has tasks: deactivate it instead.
    HasTasks,
}

const COLUMNS: &str =
    "id, name, kind, communities, robot_kind, robot_url, robot_secret, active, updated_by";

impl Store {
    /// The configuration's units into the table: new ones added, those nobody edited on the
    /// page brought up to date with the file, and those gone from the file removed unless
    /// edited on the page or with tasks (a task keeps its unit).
    pub async fn seed_units(&self, units: &[Unit], now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let seeded: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM units WHERE updated_by = 'config' \
             AND NOT EXISTS (SELECT 1 FROM dispatch_tasks t WHERE t.unit = units.id)",
        )
        .fetch_all(&mut *tx)
        .await?;
        for gone in seeded
            .iter()
            .filter(|id| !units.iter().any(|u| &u.id == *id))
        {
            sqlx::query("DELETE FROM units WHERE id = $1")
                .bind(gone)
                .execute(&mut *tx)
                .await?;
        }
        for unit in units {
            let communities = unit.communities.as_ref().map(|c| c.join("\n"));
            sqlx::query(
                "INSERT INTO units (id, name, kind, communities, active, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, 1, $5, 'config') ON CONFLICT (id) DO UPDATE SET \
                 name = excluded.name, kind = excluded.kind, communities = excluded.communities \
                 WHERE units.updated_by = 'config'",
            )
            .bind(&unit.id)
            .bind(&unit.name)
            .bind(unit.kind.code())
            .bind(communities)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every unit, by id.
    pub async fn units(&self) -> Result<Vec<UnitRow>> {
        let sql = format!("SELECT {COLUMNS} FROM units ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(UnitRow::from_row(r)?)).collect()
    }

    /// Adds a unit or changes one, audited (`unit_add` / `unit_edit`, with what changed but
    /// never the robot's URL or secret). A `new` unit whose id is taken meanwhile (another
    /// desk on the same database) is refused: `false`, nothing kept.
    pub async fn save_unit(
        &self,
        edit: &UnitEdit,
        new: bool,
        actor: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1")
            .bind(&edit.id)
            .fetch_optional(&mut *tx)
            .await?;
        let on_conflict = if new {
            "DO NOTHING"
        } else {
            "DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             communities = excluded.communities, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by"
        };
        let sql = format!(
            "INSERT INTO units (id, name, kind, communities, active, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (id) {on_conflict}"
        );
        let saved = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&edit.id)
            .bind(&edit.name)
            .bind(&edit.kind)
            .bind(&edit.communities)
            .bind(now)
            .bind(actor)
            .execute(&mut *tx)
            .await?;
        if saved.rows_affected() == 0 {
            return Ok(false);
        }
        let mut detail = format!("{} · {} · {}", edit.id, edit.name, edit.kind);
        if let Some(robot) = &edit.robot {
            sqlx::query(
                "UPDATE units SET robot_kind = $2, robot_url = $3, robot_secret = $4 WHERE id = $1",
            )
            .bind(&edit.id)
            .bind(&robot.kind)
            .bind(&robot.url)
            .bind(&robot.secret)
            .execute(&mut *tx)
            .await?;
            let said = robot.kind.as_deref().unwrap_or("configured");
            detail.push_str(&format!(" · robot {said}"));
        }
        let action = if known.is_some() {
            "unit_edit"
        } else {
            "unit_add"
        };
        audit_on(&mut tx, actor, action, None, Some(&detail), now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deactivates (no longer offered on dispatch) or activates a unit, audited.
    pub async fn set_unit_active(
        &self,
        id: &str,
        active: bool,
        actor: &str,
        now: i64,
    ) -> Result<UnitApplied> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE units SET active = $2, updated_at = $3, updated_by = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(i64::from(active))
        .bind(now)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Ok(UnitApplied::Unknown);
        }
        let action = if active {
            "unit_activate"
        } else {
            "unit_deactivate"
        };
        audit_on(&mut tx, actor, action, None, Some(id), now).await?;
        tx.commit().await?;
        Ok(UnitApplied::Done)
    }

    /// Deletes a unit that never had a task, audited; one with tasks is only deactivated.
    pub async fn delete_unit(&self, id: &str, actor: &str, now: i64) -> Result<UnitApplied> {
        let mut tx = self.begin().await?;
        let tasks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dispatch_tasks WHERE unit = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if tasks > 0 {
            return Ok(UnitApplied::HasTasks);
        }
        let gone = sqlx::query("DELETE FROM units WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() != 1 {
            return Ok(UnitApplied::Unknown);
        }
        audit_on(&mut tx, actor, "unit_delete", None, Some(id), now).await?;
        tx.commit().await?;
        Ok(UnitApplied::Done)
    }
}

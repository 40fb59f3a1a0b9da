//! Staff accounts, sessions, failed logins and the audit log.

use super::rows::RoleCode;
use super::{Result, Store};
use sqlx::FromRow;

/// An account as the desk checks it at login.
#[derive(Clone, PartialEq, FromRow)]
pub struct Account {
    pub name: String,
    #[sqlx(try_from = "RoleCode")]
    pub role: String,
    pub password_hash: String,
    /// The handling unit of a unit account.
    pub unit: Option<String>,
    /// Read by a query of their own.
    #[sqlx(skip)]
    pub communities: Vec<String>,
}

/// An account's name and role.
#[derive(FromRow)]
struct NameRole {
    name: String,
    #[sqlx(try_from = "RoleCode")]
    role: String,
}

/// Without the password hash: a hash in a log can be cracked offline.
impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("password_hash", &"(hidden)")
            .field("communities", &self.communities)
            .field("unit", &self.unit)
            .finish()
    }
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, FromRow)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub ticket: Option<String>,
    pub detail: Option<String>,
}

impl Store {
    /// Creates an account, or replaces its role, password and communities if it exists.
    pub async fn put_account(
        &self,
        name: &str,
        role: &str,
        password_hash: &str,
        communities: &[String],
        now: i64,
    ) -> Result<()> {
        self.put_account_of(name, role, password_hash, communities, None, now)
            .await
    }

    /// Creates a unit account (role `unit`) of handling unit `unit`, or resets one.
    pub async fn put_unit_account(
        &self,
        name: &str,
        password_hash: &str,
        unit: &str,
        now: i64,
    ) -> Result<()> {
        self.put_account_of(name, "unit", password_hash, &[], Some(unit), now)
            .await
    }

    async fn put_account_of(
        &self,
        name: &str,
        role: &str,
        password_hash: &str,
        communities: &[String],
        unit: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO staff_accounts (name, role, password_hash, created_at, password_at, unit) \
             VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (name) DO UPDATE \
             SET role = $2, password_hash = $3, password_at = $4, unit = $5",
        )
        .bind(name)
        .bind(role)
        .bind(password_hash)
        .bind(now)
        .bind(unit)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM staff_communities WHERE account = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        for community in communities {
            sqlx::query(
                "INSERT INTO staff_communities (account, community) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(name)
            .bind(community)
            .execute(&mut *tx)
            .await?;
        }
        // A changed password or role logs the account out everywhere.
        sqlx::query("DELETE FROM staff_sessions WHERE account = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an account, its communities and its sessions (someone who left). Its name
    /// stays in the history and the audit log. `false` if there was none.
    pub async fn remove_account(&self, name: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        for sql in [
            "DELETE FROM staff_sessions WHERE account = $1",
            "DELETE FROM staff_communities WHERE account = $1",
        ] {
            sqlx::query(sql).bind(name).execute(&mut *tx).await?;
        }
        let removed = sqlx::query("DELETE FROM staff_accounts WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed.rows_affected() == 1)
    }

    pub async fn account(&self, name: &str) -> Result<Option<Account>> {
        let row = sqlx::query(
            "SELECT name, role, password_hash, unit FROM staff_accounts WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut account = Account::from_row(&row)?;
        account.communities = self.communities_of(name).await?;
        Ok(Some(account))
    }

    async fn communities_of(&self, name: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT community FROM staff_communities WHERE account = $1 ORDER BY community",
        )
        .bind(name)
        .fetch_all(&self.read)
        .await?)
    }

    /// Every account's name, role and communities (for assignment and the CLI).
    pub async fn accounts(&self) -> Result<Vec<(String, String, Vec<String>)>> {
        let rows = sqlx::query("SELECT name, role FROM staff_accounts ORDER BY name")
            .fetch_all(&self.read)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let NameRole { name, role } = NameRole::from_row(&row)?;
            let communities = self.communities_of(&name).await?;
            out.push((name, role, communities));
        }
        Ok(out)
    }

    /// The unit accounts: (name, unit), by name.
    pub async fn unit_accounts(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT name, unit FROM staff_accounts WHERE role = 'unit' AND unit IS NOT NULL ORDER BY name",
        )
        .fetch_all(&self.read)
        .await?)
    }

    /// Changes a password and ends every other session of the account.
    pub async fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        keep_session: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE staff_accounts SET password_hash = $2, password_at = $3 WHERE name = $1",
        )
        .bind(name)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM staff_sessions WHERE account = $1 AND token_sha256 <> $2")
            .bind(name)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_sha256: &str,
        account: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        // Expired sessions go when a new one starts: no task needed.
        sqlx::query("DELETE FROM staff_sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.write)
            .await?;
        sqlx::query(
            "INSERT INTO staff_sessions (token_sha256, account, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_sha256)
        .bind(account)
        .bind(now)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The account of a live session.
    pub async fn session_account(&self, token_sha256: &str, now: i64) -> Result<Option<Account>> {
        let name: Option<String> = sqlx::query_scalar(
            "SELECT account FROM staff_sessions WHERE token_sha256 = $1 AND expires_at > $2",
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(&self.read)
        .await?;
        match name {
            Some(name) => self.account(&name).await,
            None => Ok(None),
        }
    }

    pub async fn end_session(&self, token_sha256: &str) -> Result<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Failed logins of `subject` since `since`.
    pub async fn login_failures(&self, subject: &str, since: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE subject = $1 AND at >= $2",
        )
        .bind(subject)
        .bind(since)
        .fetch_one(&self.read)
        .await?)
    }

    /// Records a failed login for each subject and forgets failures older than `forget_before`.
    pub async fn add_login_failure(
        &self,
        subjects: &[String],
        now: i64,
        forget_before: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        for subject in subjects {
            sqlx::query("INSERT INTO login_failures (subject, at) VALUES ($1, $2)")
                .bind(subject)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the attempt recorded for `subjects` at `at` (it was the right password).
    pub async fn forget_login_attempt(&self, subjects: &[String], at: i64) -> Result<()> {
        for subject in subjects {
            sqlx::query("DELETE FROM login_failures WHERE subject = $1 AND at = $2")
                .bind(subject)
                .bind(at)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// Forgets an account's failed logins, from every client: `account:NAME` and each
    /// `pair:CLIENT NAME` (names hold no spaces; clients neither).
    pub async fn clear_account_failures(&self, name: &str) -> Result<u64> {
        let suffix = format!(" {name}");
        let done = sqlx::query(
            "DELETE FROM login_failures WHERE subject = $1 \
             OR (substr(subject, 1, 5) = 'pair:' \
                 AND substr(subject, length(subject) - length($2) + 1) = $2)",
        )
        .bind(format!("account:{name}"))
        .bind(suffix)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected())
    }

    /// Forgets a client's failed logins: `ip:CLIENT` and each `pair:CLIENT NAME`.
    pub async fn clear_client_failures(&self, client: &str) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM login_failures WHERE subject = $1 \
             OR substr(subject, 1, length($2)) = $2",
        )
        .bind(format!("ip:{client}"))
        .bind(format!("pair:{client} "))
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected())
    }

    /// Failed logins since `since` by subject (`account:…`, `ip:…`, `pair:…`): how many
    /// and the latest, most recent first.
    pub async fn login_failure_summary(&self, since: i64) -> Result<Vec<FailureCount>> {
        Ok(sqlx::query_as::<_, FailureCount>(
            "SELECT subject, COUNT(*) AS failures, MAX(at) AS latest FROM login_failures \
             WHERE at >= $1 GROUP BY subject ORDER BY MAX(at) DESC LIMIT 500",
        )
        .bind(since)
        .fetch_all(&self.read)
        .await?)
    }

    /// One audit line on its own (a change writes its line in its own transaction instead).
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        ticket: Option<&str>,
        detail: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let mut conn = self.write.acquire().await?;
        super::desk_report::audit_on(&mut conn, actor, action, ticket, detail, now).await
    }

    /// The audit log, newest first, optionally of one ticket.
    pub async fn audit_entries(
        &self,
        ticket: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, ticket, detail FROM audit_log \
             WHERE ($1 IS NULL OR ticket = $1) ORDER BY at DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(ticket)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(AuditEntry::from_row(r)?)).collect()
    }
}

/// Failed logins of one subject over a window.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FailureCount {
    pub subject: String,
    pub failures: i64,
    pub latest: i64,
}

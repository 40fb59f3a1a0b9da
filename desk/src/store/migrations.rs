//! The schema's migrations, compiled into the binary. Each is listed here with its number
//! and description (the file name's suffix), so an upgrade never depends on a folder at run
//! time; each needs its rows in tests/fixtures/upgrade/ (see desk/tests/upgrade.rs).

use std::borrow::Cow;

/// The migrations, compiled in.
pub fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let migration = |version: i64, description: &'static str, sql: &'static str| {
        Migration::new(
            version,
            Cow::Borrowed(description),
            MigrationType::Simple,
            sqlx::SqlSafeStr::into_sql_str(sql),
            false,
        )
    };
    Migrator::with_migrations(vec![
        migration(
            1,
            "reports",
            include_str!("../../migrations/0001_reports.sql"),
        ),
        migration(2, "staff", include_str!("../../migrations/0002_staff.sql")),
        migration(
            3,
            "campaigns",
            include_str!("../../migrations/0003_campaigns.sql"),
        ),
        migration(
            4,
            "notify",
            include_str!("../../migrations/0004_notify.sql"),
        ),
        migration(5, "town", include_str!("../../migrations/0005_town.sql")),
        migration(
            6,
            "dispatch",
            include_str!("../../migrations/0006_dispatch.sql"),
        ),
        migration(
            7,
            "photo_names",
            include_str!("../../migrations/0007_photo_names.sql"),
        ),
        migration(8, "units", include_str!("../../migrations/0008_units.sql")),
        migration(
            9,
            "progress",
            include_str!("../../migrations/0009_progress.sql"),
        ),
        migration(
            10,
            "stats_daily",
            include_str!("../../migrations/0010_stats_daily.sql"),
        ),
    ])
}

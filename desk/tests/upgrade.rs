//! Upgrades that migrate: a desk's data from the first release, carried through every
//! migration since, still there and still readable through the real binary (the API's
//! status route, the staff pages after login, the feed). On SQLite, and on PostgreSQL with
//! `DESK_TEST_PG`.
//!
//! The test applies the migrations one at a time. After migration N it runs
//! `tests/fixtures/upgrade/NNNN_*.sql`: rows written against that schema as it was
//! released (0001: reports with photos, histories, feedback, Idempotency-Keys; later ones:
//! the rows of the tables and columns each adds). The fixtures are never edited to fit a
//! later schema: that is the migrations' job.
//!
//! **Each new migration extends this test**: add its fixture file (rows of what it adds)
//! to `FIXTURES` and check them below. The test fails while a migration has none.

mod common;

use common::staff::{Browser, PASSWORD};
use common::*;
use serde_json::Value;
use sqlx::Row;
use xinjing_desk::sample;

const FIXTURES: &[(i64, &str)] = &[
    (1, include_str!("fixtures/upgrade/0001_reports.sql")),
    (2, include_str!("fixtures/upgrade/0002_staff.sql")),
    (3, include_str!("fixtures/upgrade/0003_campaigns.sql")),
    (4, include_str!("fixtures/upgrade/0004_notify.sql")),
    (5, include_str!("fixtures/upgrade/0005_town.sql")),
    (6, include_str!("fixtures/upgrade/0006_dispatch.sql")),
    (7, include_str!("fixtures/upgrade/0007_photo_names.sql")),
    (8, include_str!("fixtures/upgrade/0008_units.sql")),
    (9, include_str!("fixtures/upgrade/0009_progress.sql")),
    (10, include_str!("fixtures/upgrade/0010_stats_daily.sql")),
];

const R1: (&str, &str) = ("84857ca2-c7a1-4272-9df6-3d80c903c04e", "XJ-20261128-0001");
const R2: (&str, &str) = ("2370eed1-f413-4411-915d-051bd1d29759", "XJ-20261120-0001");
const R3: (&str, &str) = ("cd5b37c1-4200-4b9b-a90f-55e350539e97", "XJ-20261120-0002");

/// The photos of the fixture, as `sample::jpeg` draws them: (report id, position, bytes).
fn photos() -> Vec<(&'static str, usize, Vec<u8>)> {
    vec![
        (R1.0, 0, sample::jpeg(640, 480, 3000, false, 101)),
        (R1.0, 1, sample::jpeg(640, 480, 3000, false, 102)),
        (R3.0, 0, sample::jpeg(800, 600, 4000, false, 301)),
    ]
}

async fn pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = match url.strip_prefix("sqlite://") {
        Some(path) => format!("sqlite://{path}?mode=rwc"),
        None => url.to_owned(),
    };
    sqlx::pool::PoolOptions::<sqlx::Any>::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap()
}

async fn count(pool: &sqlx::AnyPool, table: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"
    )))
    .fetch_one(pool)
    .await
    .unwrap()
    .get::<i64, _>("n")
}

#[tokio::test]
async fn a_first_release_database_migrates_with_all_its_data() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let env = TestEnv::new().await;
    let migrations: Vec<_> = xinjing_desk::store::migrator().iter().cloned().collect();
    assert_eq!(
        migrations.iter().map(|m| m.version).collect::<Vec<_>>(),
        FIXTURES.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
        "each migration needs its rows in tests/fixtures/upgrade/ (see this file's header)"
    );

    // The old releases, one migration at a time, each followed by what it kept.
    let db = pool(&env.database_url).await;
    let hash = xinjing_desk::staff::auth::hash_password(PASSWORD).unwrap();
    for (n, (_, fixture)) in FIXTURES.iter().enumerate() {
        sqlx::migrate::Migrator::with_migrations(migrations[..=n].to_vec())
            .run(&db)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(
            fixture.replace("@PASSWORD_HASH@", &hash),
        ))
        .execute(&db)
        .await
        .unwrap_or_else(|e| panic!("fixture after migration {}: {e}", n + 1));
    }
    db.close().await;
    let store = xinjing_desk::photos::PhotoStore::open(&env.config(&[]).photos, false).unwrap();
    for (id, position, bytes) in photos() {
        // Named as the first releases named photos: by their report's id.
        let key = format!("reports/{id}/{position}.jpg");
        store.put(&key, bytes.into()).await.unwrap();
    }

    // Today's binary on that database. Nothing may expire while the test looks: the
    // fixture's dates stay where they are as the years pass.
    // The handling unit the fixture's unit account and task belong to.
    let units = env.dir.0.join("desk.toml");
    std::fs::write(
        &units,
        "[[unit]]\nid = \"xinkai\"\nname = \"新凯物业\"\nkind = \"property\"\n",
    )
    .unwrap();
    let desk = DeskProcess::spawn(
        &env,
        &[
            ("DESK_IDEMPOTENCY_DAYS", "36500"),
            ("DESK_RETENTION_DAYS", "36500"),
            ("DESK_CONFIG", units.to_str().unwrap()),
        ],
    )
    .await;

    // Every row is still there.
    let db = pool(&env.database_url).await;
    for (table, rows) in [
        ("reports", 3),
        ("report_photos", 3),
        ("report_events", 8),
        ("ticket_days", 2),
        ("idempotency_keys", 3),
        ("staff_accounts", 3),
        ("staff_communities", 1),
        ("login_failures", 1),
        ("audit_log", 5),
        ("campaigns", 1),
        ("campaign_feed", 1),
        ("notify_state", 1),
        ("notify_outbox", 4),
        ("notify_leases", 1),
        ("notify_sends", 1),
        ("dispatch_tasks", 3),
        ("rechecks", 1),
        ("desk_secrets", 1),
        ("units", 1),
        ("stats_state", 1),
    ] {
        assert_eq!(count(&db, table).await, rows, "{table}");
    }
    // The figures were filled again from the three reports, with today's deadlines.
    let (received, limit): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(received) AS BIGINT), \
         (SELECT first_response_ms FROM stats_state) FROM stats_daily",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((received, limit), (3, 24 * 3_600_000));
    let outbox: Vec<(String, String, Option<String>)> = sqlx::query(
        "SELECT ticket, state, last_error FROM notify_outbox WHERE note IS NULL ORDER BY ticket",
    )
    .fetch_all(&db)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("ticket"), r.get("state"), r.get("last_error")))
    .collect();
    assert_eq!(
        outbox,
        [
            (R2.1.into(), "sent".into(), None),
            (
                R3.1.into(),
                "failed".into(),
                Some("HTTP 500 from the robot".into())
            ),
            (R1.1.into(), "pending".into(), Some("timed out".into())),
        ]
    );
    // 0008: a message's note and due time.
    let review: (String, i64) =
        sqlx::query_as("SELECT note, due_at FROM notify_outbox WHERE kind = 'review_fail'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(review, ("旧家具仍在通道内".into(), 1795386400000));
    let shared: (i64, String) = sqlx::query_as(
        "SELECT contact_shared_at, contact_shared_by FROM dispatch_tasks \
         WHERE contact_shared_at IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(shared, (1795250600000, "zhang-admin".into()));
    // 0005: how the resolved report was resolved.
    let resolutions: Vec<(String, Option<String>)> =
        sqlx::query("SELECT ticket, resolution FROM reports ORDER BY ticket")
            .fetch_all(&db)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("ticket"), r.get("resolution")))
            .collect();
    assert_eq!(
        resolutions,
        [
            (R2.1.into(), Some("solved".into())),
            (R3.1.into(), None),
            (R1.1.into(), None),
        ]
    );
    db.close().await;

    // The residents' phones still follow their tickets.
    let http = client();
    let status = |(id, ticket): (&str, &str)| {
        let http = http.clone();
        let url = format!("{}/{ticket}", desk.api());
        let id = id.to_owned();
        async move {
            let answer = Answer::from(
                http.get(url)
                    .header("X-Report-Key", id)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(answer.status, 200, "{}", answer.text);
            answer.json()
        }
    };
    let steps = |body: &Value| -> Vec<String> {
        body["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap().to_owned())
            .collect()
    };
    let r1 = status(R1).await;
    assert_eq!(
        (r1["status"].as_str(), steps(&r1)),
        (Some("received"), vec!["received".into()])
    );
    let r2 = status(R2).await;
    assert_eq!(r2["status"], "resolved");
    assert_eq!(r2["note"], "飞线已拆除 / The cable was removed");
    assert_eq!(steps(&r2), ["received", "in_progress", "resolved"]);
    let r3 = status(R3).await;
    assert_eq!(
        (r3["status"].as_str(), r3["note"].as_str()),
        (Some("in_progress"), Some("已通知物业清理"))
    );
    // An old Idempotency-Key is still honoured: another body under it is refused.
    let reused = post_report(&http, &desk.api(), &sample::report(R1.0)).await;
    assert_eq!(
        (reused.status, reused.error_code()),
        (422, "idempotency_key_reused".to_owned())
    );

    // Staff log in with the accounts of the old release and read everything.
    let mut admin = Browser::at(&desk.url);
    admin.login("zhang-admin").await;
    let list = admin.get("/desk/").await;
    for (_, ticket) in [R1, R2, R3] {
        assert!(list.text.contains(ticket), "{ticket} in the list");
    }
    let page = admin.get(&format!("/desk/reports/{}", R1.1)).await;
    assert_eq!(page.status, 200);
    assert!(page
        .text
        .contains("3 楼楼道停着一辆电动车在充电，晚上一直插着"));
    let page = admin.get(&format!("/desk/reports/{}", R2.1)).await;
    assert!(page.text.contains("已办结（已解决）"), "{}", page.text);
    let page = admin.get(&format!("/desk/reports/{}", R3.1)).await;
    assert!(page.text.contains("消防通道堆满了纸箱和旧家具") && page.text.contains("li-staff"));
    let session = admin
        .cookie(xinjing_desk::staff::auth::SESSION_COOKIE)
        .unwrap()
        .to_owned();
    for (id, position, bytes) in photos() {
        let ticket = [R1, R3].iter().find(|r| r.0 == id).unwrap().1;
        let photo = http
            .get(format!("{}/desk/photos/{ticket}/{position}", desk.url))
            .header(
                "Cookie",
                format!("{}={session}", xinjing_desk::staff::auth::SESSION_COOKIE),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(photo.status().as_u16(), 200, "{ticket} photo {position}");
        assert_eq!(photo.bytes().await.unwrap().as_ref(), bytes.as_slice());
    }
    let audit = admin.get("/desk/audit").await;
    assert_eq!(audit.status, 200);
    assert!(audit.text.contains("查看联系方式") && audit.text.contains(R1.1));
    assert!(audit.text.contains("指派") && audit.text.contains(R3.1));

    // The staff account of one area sees that area only.
    let mut staff = Browser::at(&desk.url);
    staff.login("li-staff").await;
    let list = staff.get("/desk/").await;
    assert!(list.text.contains(R3.1) && !list.text.contains(R1.1));

    // The unit account sees the task dispatched to its unit, and nothing else.
    let mut unit = Browser::at(&desk.url);
    assert_eq!(unit.try_login("wang-xinkai", PASSWORD).await.status, 303);
    let tasks = unit.get("/desk/tasks").await;
    assert!(tasks.text.contains(R3.1) && tasks.text.contains("待整改"));
    assert_eq!(unit.get("/desk/").await.status, 303);
    // 0008: the task given back is listed with its reason.
    assert!(
        tasks.text.contains(R2.1) && tasks.text.contains("已退单"),
        "{}",
        tasks.text
    );
    // The resident of the fixed 飞线充电 report reads who fixed it (the kind of unit), that
    // the committee checked it, and may see the after-photo (0009).
    let status: Value = http
        .get(format!("{}/api/v1/reports/{}", desk.url, R2.1))
        .header("X-Report-Key", R2.0)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let steps: Vec<(&str, &str)> = status["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap(),
                s["step"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("received", ""),
            ("in_progress", "dispatched"),
            ("resolved", "checked")
        ]
    );
    assert_eq!(status["history"][1]["unit_kind"], "property");
    assert_eq!(
        status["after_photo"],
        format!("{}/after-photo", R2.1).as_str()
    );
    // The staff see the dispatch in the report's history.
    let page = admin.get(&format!("/desk/reports/{}", R3.1)).await;
    assert!(page.text.contains("派单整改") && page.text.contains("新凯物业"));
    // 0008: the unit as renamed on the page, not as the file names it.
    let units = admin.get("/desk/units").await;
    assert!(units.text.contains("新凯物业（新泾镇）"), "{}", units.text);

    // The campaign written in the desk is still the feed.
    let feed: Value = http
        .get(format!("{}/campaigns.json", desk.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = feed["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["fixture-winter-heaters"]);

    // A photo filed today is named by the key the database keeps (0007), never by its
    // report's id.
    let id = sample::random_uuid();
    let filed = post_report(
        &http,
        &desk.api(),
        &sample::report_with_photos(&id, 2, 2000, 7),
    )
    .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let db = pool(&env.database_url).await;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT object_key FROM report_photos WHERE report_id = $1 ORDER BY position",
    )
    .bind(&id)
    .fetch_all(&db)
    .await
    .unwrap();
    let kept = xinjing_desk::photos::PhotoNames::new(
        b"f3b1c0a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1",
    );
    assert!(!names.is_empty());
    for (position, name) in names.iter().enumerate() {
        assert_eq!(*name, kept.key(&id, position));
        assert!(!name.contains(&id));
    }
}

//! The reports API over HTTP, on a desk started per test with its own database (SQLite, or
//! PostgreSQL with `DESK_TEST_PG`) and photo store (a folder, or a bucket with
//! `DESK_TEST_S3`).

mod common;

use common::*;
use serde_json::{json, Value};
use xinjing_contract::report::{Field, FieldError};
use xinjing_contract::{ErrorBody, Lang};
use xinjing_desk::jpeg::header_markers;
use xinjing_desk::sample;
use xinjing_desk::store::Backend;

/// A report with a photo and the resident's contact details, as a phone sends it.
fn full_report(id: &str) -> Value {
    let mut report = sample::report(id);
    let jpeg = sample::jpeg(640, 480, 5000, true, 7);
    report["photos"] = json!([sample::photo(640, 480, &jpeg)]);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    report
}

/// Files a report; gives its ticket and its key (the report's id).
async fn filed(desk: &TestDesk) -> (String, String) {
    let id = sample::random_uuid();
    let answer = desk.post(&full_report(&id)).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    (answer.ticket(), id)
}

/// The resident's verdict on a ticket, with `key` as X-Report-Key.
async fn feedback(desk: &TestDesk, ticket: &str, key: Option<&str>, body: Value) -> Answer {
    let mut req = desk
        .http
        .post(format!("{}/{ticket}/feedback", desk.api()))
        .json(&body);
    if let Some(key) = key {
        req = req.header("X-Report-Key", key);
    }
    Answer::from(req.send().await.unwrap()).await
}

fn history(body: &Value) -> Vec<xinjing_contract::StatusChange> {
    serde_json::from_value(body["history"].clone()).unwrap()
}

#[tokio::test]
async fn the_first_report_of_the_day_gets_ticket_0001_as_received() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let answer = desk.post(&full_report(&sample::random_uuid())).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.ticket(), format!("XJ-{}-0001", ticket_day(now_ms())));
    assert_eq!(answer.json()["status"], "received");
    assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    desk.stop().await;
}

#[tokio::test]
async fn a_report_is_stored_whole_its_photo_without_exif_or_comment() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let stored = desk
        .state()
        .store
        .report_by_ticket(&ticket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.id, id);
    assert_eq!(stored.contact_phone.as_deref(), Some("13912345678"));
    assert_eq!(stored.photos.len(), 1);
    let photo = desk
        .state()
        .photos
        .get(&stored.photos[0].object_key)
        .await
        .unwrap();
    assert_eq!(header_markers(&photo), vec![0xE0, 0xDB, 0xC0, 0xDA]);
    assert!(!photo.windows(4).any(|w| w == b"Exif"));
    assert_eq!(stored.photos[0].bytes as usize, photo.len());
    desk.stop().await;
}

#[tokio::test]
async fn the_status_is_read_with_the_reports_key_in_any_case() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let status = desk.status(&ticket, Some(&id)).await;
    assert_eq!(status.status, 200, "{}", status.text);
    let body = status.json();
    assert_eq!(body["ticket"], ticket);
    assert_eq!(body["status"], "received");
    assert!(xinjing_contract::time::is_rfc3339(
        body["updated_at"].as_str().unwrap()
    ));
    // Upper-case keys are the same key.
    assert_eq!(
        desk.status(&ticket, Some(&id.to_uppercase())).await.status,
        200
    );
    desk.stop().await;
}

#[tokio::test]
async fn without_its_key_a_status_is_the_same_404_as_no_ticket() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let unknown = desk.status("XJ-20261130-9999", Some(&id)).await;
    assert_eq!(unknown.status, 404);
    let refused = desk.status(&ticket, Some(&sample::random_uuid())).await;
    assert_eq!(refused.status, 404);
    assert_eq!(refused.error_without_ref(), unknown.error_without_ref());
    // No key at all is refused the same way whether the ticket exists or not.
    let no_key = desk.status("XJ-20261130-9999", None).await;
    assert_eq!(no_key.status, 400);
    for key in [None, Some("not-a-uuid")] {
        let refused = desk.status(&ticket, key).await;
        assert_eq!(refused.status, 400);
        // Nothing tells whether the ticket exists (but the request's own ref).
        assert_eq!(refused.error_without_ref(), no_key.error_without_ref());
    }
    desk.stop().await;
}

#[tokio::test]
async fn a_change_of_state_reaches_the_resident_without_the_internal_note() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let change = xinjing_desk::store::Change::Status {
        status: xinjing_contract::TicketStatus::InProgress,
        resolution: None,
        public_note: "已联系物业".into(),
        internal_note: Some("物业王经理".into()),
        override_reason: Some("测试：社区当场处理".into()),
    };
    desk.change(&ticket, change, now_ms()).await;
    let body = desk.status(&ticket, Some(&id)).await.json();
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["note"], "已联系物业");
    assert!(
        !body.to_string().contains("王经理"),
        "the internal note stays inside"
    );
    let steps: Vec<_> = history(&body)
        .iter()
        .map(|h| (h.status.code(), h.note.clone(), h.reopened))
        .collect();
    assert_eq!(
        steps,
        [
            ("received", None, false),
            ("in_progress", Some("已联系物业".to_owned()), false)
        ]
    );
    desk.stop().await;
}

#[tokio::test]
async fn the_resident_sees_a_resolved_report_reopened() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let now = now_ms();
    desk.set_status(
        &ticket,
        xinjing_contract::TicketStatus::Resolved,
        "已清理",
        now,
    )
    .await;
    let reopen = xinjing_desk::store::Change::Reopen {
        public_note: Some("重办".into()),
        internal_note: None,
    };
    desk.change(&ticket, reopen, now + 1).await;
    let body = desk.status(&ticket, Some(&id)).await.json();
    let reopened: Vec<bool> = history(&body).iter().map(|h| h.reopened).collect();
    assert_eq!(reopened, [false, false, true]);
    desk.stop().await;
}

#[tokio::test]
async fn feedback_without_the_reports_key_is_400_and_with_another_404() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, _) = filed(&desk).await;
    let satisfied = json!({ "satisfied": true });
    let other = sample::random_uuid();
    let no_key = feedback(&desk, &ticket, None, satisfied.clone()).await;
    assert_eq!(no_key.status, 400);
    assert_eq!(no_key.error_code(), "report_key_missing");
    let wrong = feedback(&desk, &ticket, Some(other.as_str()), satisfied).await;
    assert_eq!(wrong.status, 404);
    desk.stop().await;
}

#[tokio::test]
async fn feedback_that_breaks_the_contract_is_400_with_its_code() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let not_bool = feedback(&desk, &ticket, Some(&id), json!({ "satisfied": "yes" })).await;
    assert_eq!(not_bool.status, 400);
    let long = feedback(
        &desk,
        &ticket,
        Some(&id),
        json!({ "satisfied": false, "comment": "长".repeat(501) }),
    )
    .await;
    assert_eq!(
        (long.status, long.error_code().as_str()),
        (400, "too_long:comment")
    );
    desk.stop().await;
}

#[tokio::test]
async fn feedback_is_kept_in_the_history_with_its_verdict_and_comment() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let ok = feedback(
        &desk,
        &ticket,
        Some(&id),
        json!({ "satisfied": false, "comment": "电动车又推回楼道了" }),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let events = desk.state().store.events(&ticket).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["received", "feedback"]);
    assert_eq!(events[1].satisfied, Some(false));
    assert_eq!(events[1].comment.as_deref(), Some("电动车又推回楼道了"));
    desk.stop().await;
}

fn expected(field: Field, error: FieldError, lang: Lang) -> ErrorBody {
    ErrorBody::for_field(field, error, lang)
}

/// Every rule the phone checks, checked again here with the same code, and answered in the
/// report's language.
#[tokio::test]
async fn the_contract_rules_are_checked_again() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[("DESK_COMMUNITIES", "示例一村（演示）,示例二苑（演示）")])
        .await;
    type Edit = Box<dyn Fn(&mut Value)>;
    let big = sample::jpeg(1600, 1200, 420 * 1024, false, 1);
    let wide = sample::jpeg(2000, 1000, 100, false, 2);
    let small = sample::jpeg(64, 48, 100, false, 3);
    let small2 = small.clone();
    let cases: Vec<(&str, Edit, Field, FieldError)> = vec![
        (
            "description too short",
            Box::new(|r| r["description"] = json!("太短")),
            Field::Description,
            FieldError::DescriptionTooShort,
        ),
        (
            "description too long",
            Box::new(|r| r["description"] = json!("长".repeat(1001))),
            Field::Description,
            FieldError::TooLong { max: 1000 },
        ),
        (
            "unknown community",
            Box::new(|r| r["location"]["community"] = json!("别处")),
            Field::Community,
            FieldError::CommunityMissing,
        ),
        (
            "no building or spot",
            Box::new(|r| {
                r["location"]["building"] = json!(" ");
                r["location"]["detail"] = json!("");
            }),
            Field::Building,
            FieldError::WhereMissing,
        ),
        (
            "bad phone",
            Box::new(|r| {
                r["contact"] = json!({"name": "王", "phone": "12345"});
                r["consent"]["contact"] = json!(true);
            }),
            Field::Phone,
            FieldError::PhoneInvalid,
        ),
        (
            "phone not normalised",
            Box::new(|r| {
                r["contact"] = json!({"name": "王", "phone": "139 1234 5678"});
                r["consent"]["contact"] = json!(true);
            }),
            Field::Phone,
            FieldError::PhoneInvalid,
        ),
        (
            "contact without consent",
            Box::new(|r| r["contact"] = json!({"name": "王", "phone": "13912345678"})),
            Field::Envelope,
            FieldError::Malformed,
        ),
        (
            "four photos",
            Box::new(move |r| {
                r["photos"] = json!([
                    sample::photo(64, 48, &small),
                    sample::photo(64, 48, &small),
                    sample::photo(64, 48, &small),
                    sample::photo(64, 48, &small)
                ])
            }),
            Field::Photos,
            FieldError::TooManyPhotos,
        ),
        (
            "not a JPEG",
            Box::new(|r| {
                r["photos"] = json!([{"mime": "image/png", "width": 10, "height": 10, "data": "iVBORw0KGgo="}])
            }),
            Field::Photos,
            FieldError::PhotoUnreadable,
        ),
        (
            "JPEG magic, broken inside",
            Box::new(
                |r| r["photos"] = json!([{"mime": "image/jpeg", "width": 10, "height": 10, "data": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA=="}]),
            ),
            Field::Photos,
            FieldError::PhotoUnreadable,
        ),
        (
            "photo over 400 KB",
            Box::new(move |r| r["photos"] = json!([sample::photo(1600, 1200, &big)])),
            Field::Photos,
            FieldError::PhotoTooLarge,
        ),
        (
            "long edge over 1600 px inside the file",
            Box::new(move |r| r["photos"] = json!([sample::photo(1600, 800, &wide)])),
            Field::Photos,
            FieldError::PhotoTooLarge,
        ),
        (
            "declared size differs from the file",
            Box::new(move |r| r["photos"] = json!([sample::photo(640, 480, &small2)])),
            Field::Photos,
            FieldError::PhotoUnreadable,
        ),
        (
            "unknown schema",
            Box::new(|r| r["schema"] = json!("xinjing.report/9")),
            Field::Envelope,
            FieldError::Malformed,
        ),
        (
            "bad created_at",
            Box::new(|r| r["created_at"] = json!("yesterday")),
            Field::Envelope,
            FieldError::Malformed,
        ),
        (
            "unknown category",
            Box::new(|r| r["category"] = json!("ufo")),
            Field::Envelope,
            FieldError::Malformed,
        ),
        (
            "missing field",
            Box::new(|r| {
                r.as_object_mut().unwrap().remove("consent");
            }),
            Field::Envelope,
            FieldError::Malformed,
        ),
    ];
    for (name, edit, field, error) in cases {
        for lang in [Lang::Zh, Lang::En] {
            let mut report = sample::report(&sample::random_uuid());
            report["locale"] = json!(lang.tag());
            edit(&mut report);
            let answer = desk.post(&report).await;
            assert_eq!(answer.status, 400, "{name}: {}", answer.text);
            let body = answer.error_without_ref();
            assert_eq!(body, expected(field, error, lang), "{name} ({lang:?})");
        }
    }
    // The body's id must be the key.
    let report = sample::report(&sample::random_uuid());
    let answer = post_raw(
        &desk.http,
        &desk.api(),
        &sample::random_uuid(),
        serde_json::to_vec(&report).unwrap(),
    )
    .await;
    assert_eq!(
        (answer.status, answer.error_code()),
        (400, "malformed_report:report".to_owned())
    );
    // No key, a bad key, not JSON, not declared as JSON.
    let body = serde_json::to_vec(&report).unwrap();
    let no_key = desk
        .http
        .post(desk.api())
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        Answer::from(no_key).await.error_code(),
        "idempotency_key_missing"
    );
    assert_eq!(
        post_raw(&desk.http, &desk.api(), "1234", body.clone())
            .await
            .error_code(),
        "idempotency_key_missing"
    );
    let garbage = post_raw(
        &desk.http,
        &desk.api(),
        &sample::random_uuid(),
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(
        (garbage.status, garbage.error_code()),
        (400, "malformed_report:report".to_owned())
    );
    let text = desk
        .http
        .post(desk.api())
        .header("Idempotency-Key", report["id"].as_str().unwrap())
        .header("Content-Type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(text.status().as_u16(), 415);
    // None of these stored anything, nor used a ticket number.
    assert!(desk.state().store.tickets().await.unwrap().is_empty());
    let ok = desk.post(&sample::report(&sample::random_uuid())).await;
    assert_eq!(ok.ticket(), format!("XJ-{}-0001", ticket_day(now_ms())));
    // The documented examples of docs/openapi.json are accepted as they are.
    let openapi: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    let desk2 = env.start(&[]).await;
    for example in openapi["components"]["schemas"]["Report"]["examples"]
        .as_array()
        .unwrap()
    {
        let mut example = example.clone();
        // The documented photo is only the first bytes of a JPEG: send a whole one.
        if !example["photos"].as_array().unwrap().is_empty() {
            example["photos"] = json!([sample::photo(
                1600,
                1200,
                &sample::jpeg(1600, 1200, 1000, true, 9)
            )]);
        }
        let answer = desk2.post(&example).await;
        assert_eq!(answer.status, 201, "{}", answer.text);
    }
    desk.stop().await;
    desk2.stop().await;
}

#[tokio::test]
async fn idempotency_keys_replay_refuse_and_wait() {
    let env = TestEnv::new().await;
    let (desk, clock) = env.start_fake(&[], now_ms()).await;
    let id = sample::random_uuid();
    let report = sample::report_with_photos(&id, 1, 2000, 5);
    let first = desk.post(&report).await;
    let ticket = first.ticket();
    assert_eq!(first.header("idempotent-replayed"), None);

    // The same key and body: the first answer again, and no second report.
    let again = desk.post(&report).await;
    assert_eq!(
        (again.status, again.text.clone()),
        (201, first.text.clone())
    );
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    // The same key with another body: 422, in the report's language.
    let mut changed = report.clone();
    changed["description"] = json!("电动车停在楼道里，挡住了消防通道");
    let reused = desk.post(&changed).await;
    assert_eq!(
        (reused.status, reused.error_code()),
        (422, "idempotency_key_reused".to_owned())
    );
    assert!(reused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("报告"));
    assert_eq!(desk.state().store.tickets().await.unwrap().len(), 1);

    // A key whose first request is still being processed (claimed, no answer): 409.
    let busy = sample::random_uuid();
    let busy_report = sample::report(&busy);
    let body = serde_json::to_vec(&busy_report).unwrap();
    let hash = sha256_hex(&body);
    let store = &desk.state().store;
    assert_eq!(
        store
            .claim_key(&busy, &hash, "another-process", clock.now(), 0)
            .await
            .unwrap(),
        xinjing_desk::store::Claim::Ours
    );
    let conflict = post_raw(&desk.http, &desk.api(), &busy, body.clone()).await;
    assert_eq!(conflict.status, 409, "{}", conflict.text);
    assert_eq!(conflict.header("retry-after").as_deref(), Some("1"));
    // A different body for a key in flight is still a different body.
    let mut other = busy_report.clone();
    other["description"] = json!("另一份不同的描述内容");
    assert_eq!(desk.post(&other).await.status, 422);
    // The process that claimed it died: once the claim is stale, a retry takes over.
    clock.advance_ms(desk.state().claim_stale_ms() + 1);
    let taken_over = post_raw(&desk.http, &desk.api(), &busy, body.clone()).await;
    assert_eq!(taken_over.status, 201, "{}", taken_over.text);

    // Across a restart: the keys are in the database.
    let url = desk.url.clone();
    desk.stop().await;
    let desk = env
        .start_with_clock(&[], std::sync::Arc::new(clock.clone()))
        .await;
    assert_ne!(desk.url, url);
    let replay = desk.post(&report).await;
    assert_eq!(
        (replay.status, replay.text.clone()),
        (201, first.text.clone())
    );
    assert_eq!(desk.post(&changed).await.status, 422);

    // After 30 days the key's record goes; the report stays and still answers for its key.
    clock.advance_days(31);
    let run = desk.desk().retention.run_now().await;
    assert_eq!(run.keys_forgotten, 2);
    assert_eq!(desk.state().store.find_key(&id).await.unwrap(), None);
    let late = desk.post(&report).await;
    assert_eq!((late.status, late.ticket()), (201, ticket));
    assert_eq!(desk.post(&changed).await.status, 422);
    assert_eq!(desk.state().store.tickets().await.unwrap().len(), 2);
    desk.stop().await;
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

trait ClockExt {
    fn now(&self) -> i64;
    fn advance_ms(&self, ms: i64);
}

impl ClockExt for xinjing_desk::clock::FakeClock {
    fn now(&self) -> i64 {
        use xinjing_desk::clock::Clock;
        self.now_ms()
    }
    fn advance_ms(&self, ms: i64) {
        self.set(self.now() + ms);
    }
}

/// 200 reports at once (some with photos, some sent twice): every ticket of the day is
/// given exactly once, 0001 to 0200, none skipped.
#[tokio::test]
async fn tickets_are_unique_and_gapless_under_200_concurrent_posts() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let api = desk.api();
    let reports: Vec<Value> = (0..200)
        .map(|i| {
            let id = sample::random_uuid();
            if i % 10 == 0 {
                sample::report_with_photos(&id, 1 + i % 3, 3000, i as u64)
            } else {
                sample::report(&id)
            }
        })
        .collect();
    let mut tasks = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        let (http, api, report) = (desk.http.clone(), api.clone(), report.clone());
        tasks.push(tokio::spawn(async move {
            let mut answers = vec![post_report(&http, &api, &report).await];
            if i % 7 == 0 {
                // A phone retrying at once: replayed or told to wait, never a second ticket.
                answers.push(post_report(&http, &api, &report).await);
            }
            answers
        }));
    }
    let mut tickets = Vec::new();
    for task in tasks {
        let answers = task.await.unwrap();
        assert_eq!(answers[0].status, 201, "{}", answers[0].text);
        tickets.push(answers[0].ticket());
        if let Some(retry) = answers.get(1) {
            assert!(retry.status == 201 || retry.status == 409, "{}", retry.text);
            if retry.status == 201 {
                assert_eq!(retry.ticket(), answers[0].ticket());
            }
        }
    }
    let mut numbers: Vec<u32> = tickets
        .iter()
        .map(|t| xinjing_contract::ticket::parse_ticket(t).unwrap().1)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=200).collect::<Vec<u32>>());
    let stored = desk.state().store.tickets().await.unwrap();
    assert_eq!(stored.len(), 200);
    desk.stop().await;
}

#[tokio::test]
async fn numbering_restarts_each_shanghai_day() {
    let env = TestEnv::new().await;
    // 2026-11-30 23:59:59.000 in Shanghai is 15:59:59 UTC.
    let before_midnight = 1_796_054_399_000;
    let (desk, clock) = env.start_fake(&[], before_midnight).await;
    let a = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    let b = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    clock.set(before_midnight + 1000);
    let c = desk
        .post(&sample::report(&sample::random_uuid()))
        .await
        .ticket();
    assert_eq!(
        [a.as_str(), b.as_str(), c.as_str()],
        ["XJ-20261130-0001", "XJ-20261130-0002", "XJ-20261201-0001"]
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_before_the_connection_closes() {
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_MAX_BODY_BYTES", "100000")]).await;
    let id = sample::random_uuid();
    let report = sample::report_with_photos(&id, 1, 90_000, 3);
    // With a declared length.
    let declared = post_report(&desk.http, &desk.api(), &report).await;
    assert_eq!(
        (declared.status, declared.error_code()),
        (413, "too_large".to_owned())
    );
    // Streamed without a length: refused once past the limit.
    let body = serde_json::to_vec(&report).unwrap();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(8192).map(|c| Ok(c.to_vec())).collect();
    let streamed = desk
        .http
        .post(desk.api())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &id)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("an answer, not a reset connection");
    assert_eq!(streamed.status().as_u16(), 413);
    // Within the limit, the same desk takes it.
    let fine = desk
        .post(&sample::report_with_photos(
            &sample::random_uuid(),
            1,
            50_000,
            4,
        ))
        .await;
    assert_eq!(fine.status, 201, "{}", fine.text);
    desk.stop().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    // The backend the environment asked for, not a silent fallback.
    let expected = if on_postgres() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(desk.state().store.backend(), expected);
    let get = |path: &str| desk.http.get(format!("{}{path}", desk.url)).send();
    assert_eq!(get("/healthz").await.unwrap().status().as_u16(), 200);
    assert_eq!(
        get("/readyz").await.unwrap().text().await.unwrap(),
        "ready\n"
    );
    // Without a widget build, / says so; unknown API paths answer in the contract's shape.
    assert_eq!(get("/").await.unwrap().status().as_u16(), 404);
    let unknown = Answer::from(get("/api/v1/nothing").await.unwrap()).await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (404, "not_found".to_owned())
    );
    desk.stop().await;
}

/// Reports are committed in groups: when one of a group fails (here, its key was taken over
/// by another request), the others are still stored, and numbering keeps no gap.
#[tokio::test]
async fn a_failing_report_in_a_group_leaves_the_others_stored_and_no_gap() {
    use xinjing_desk::store::{Claim, NewReport};
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let store = desk.state().store.clone();
    let now = now_ms();
    let day = xinjing_contract::time::Date::in_shanghai(now as f64);
    let ids: Vec<String> = (0..3).map(|_| sample::random_uuid()).collect();
    let payloads: Vec<xinjing_contract::ReportPayload> = ids
        .iter()
        .map(|id| serde_json::from_value(sample::report(id)).unwrap())
        .collect();
    for id in &ids {
        assert_eq!(
            store.claim_key(id, "hash", "first", now, 0).await.unwrap(),
            Claim::Ours
        );
    }
    // The middle one's claim is taken over by a later request.
    assert_eq!(
        store
            .claim_key(&ids[1], "hash", "second", now, now + 1)
            .await
            .unwrap(),
        Claim::Ours
    );
    let reports: Vec<NewReport> = ids
        .iter()
        .zip(&payloads)
        .map(|(id, payload)| NewReport {
            id,
            body_sha256: "hash",
            received_at: now,
            day,
            payload,
            photos: &[],
        })
        .collect();
    let answer = |ticket: &str| ticket.to_owned();
    let (a, b, c) = tokio::join!(
        store.commit_report(&reports[0], "first", answer),
        store.commit_report(&reports[1], "first", answer),
        store.commit_report(&reports[2], "first", answer),
    );
    assert!(
        matches!(b, Err(xinjing_desk::store::StoreError::ClaimLost)),
        "{b:?}"
    );
    let mut numbers: Vec<u32> = [a.unwrap(), c.unwrap()]
        .iter()
        .map(|t| xinjing_contract::ticket::parse_ticket(t).unwrap().1)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(store.tickets().await.unwrap().len(), 2);
    desk.stop().await;
}

/// Writes a code the desk does not know straight into the database (an old or a foreign
/// writer), behind the desk's back.
#[tokio::test]
async fn an_unknown_state_in_the_database_is_not_read_as_received() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let id = sample::random_uuid();
    let ticket = desk.post(&sample::report(&id)).await.ticket();
    corrupt(
        &env,
        "UPDATE reports SET status = 'closed' WHERE ticket = $1",
        &ticket,
    )
    .await;
    let answer = desk.status(&ticket, Some(&id)).await;
    assert_eq!(answer.status, 503, "{}", answer.text);
    let read = desk.state().store.report_by_ticket(&ticket).await;
    assert!(
        matches!(&read, Err(xinjing_desk::store::StoreError::UnknownCode { what: "state", code }) if code == "closed"),
        "{read:?}"
    );
    desk.stop().await;
}

#[tokio::test]
async fn an_unknown_role_in_the_database_is_not_read_as_staff() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let store = &desk.state().store;
    store
        .put_account(
            "wang",
            "staff",
            "x",
            &["示例一村（演示）".to_owned()],
            now_ms(),
        )
        .await
        .unwrap();
    corrupt(
        &env,
        "UPDATE staff_accounts SET role = 'boss' WHERE name = $1",
        "wang",
    )
    .await;
    let read = store.account("wang").await;
    assert!(
        matches!(&read, Err(xinjing_desk::store::StoreError::UnknownCode { what: "role", code }) if code == "boss"),
        "{read:?}"
    );
    desk.stop().await;
}

/// What a client generated from `docs/openapi.json` sees: every refusal in the contract's
/// error shape, the document's own paths reach the desk, and what the schema allows is
/// answered.
#[tokio::test]
async fn the_api_answers_as_the_document_says() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let api = desk.api();
    let is_contract_error = |answer: &Answer| {
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{} {}",
            answer.status,
            answer.text
        );
        assert!(
            answer.json()["error"]["code"].is_string()
                && answer.json()["error"]["message"].is_string(),
            "{}",
            answer.text
        );
    };
    let get = |url: String| {
        let req = desk.http.get(url);
        async move { Answer::from(req.send().await.unwrap()).await }
    };
    // An extractor's refusals: a repeated query field, a path that is not UTF-8, a method
    // the route does not take.
    let repeated = get(format!(
        "{api}/similar?community=a&community=b&category=ebike_in_stairwell"
    ))
    .await;
    assert_eq!(repeated.status, 400);
    is_contract_error(&repeated);
    let not_utf8 = get(format!("{api}/XJ-%FF")).await;
    assert!((400..500).contains(&not_utf8.status), "{}", not_utf8.status);
    is_contract_error(&not_utf8);
    let wrong_method = get(api.clone()).await;
    assert_eq!(wrong_method.status, 405);
    is_contract_error(&wrong_method);
    // The schema allows an empty community: nothing there is similar.
    let empty = get(format!(
        "{api}/similar?community=&category=ebike_in_stairwell"
    ))
    .await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.json()["count"], 0);
    // `POST {endpoint}/`, as the document writes the path, files the report.
    let id = sample::random_uuid();
    let filed = post_report(&desk.http, &format!("{api}/"), &sample::report(&id)).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert!(desk.status(&filed.ticket(), Some(&id)).await.status == 200);
    desk.stop().await;
}

#[tokio::test]
async fn similar_still_needs_its_required_fields() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    for query in [
        "category=ebike_in_stairwell",
        "community=a",
        "community=a&category=x",
    ] {
        let answer = Answer::from(
            desk.http
                .get(format!("{}/similar?{query}", desk.api()))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.text);
        assert_eq!(answer.error_code(), "invalid_query");
    }
    desk.stop().await;
}

#[tokio::test]
async fn similar_answers_for_one_building_and_is_rate_limited() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            ("DESK_RATE_LIMIT_PER_MINUTE", "1000"),
            ("DESK_RATE_LIMIT_BURST", "1000"),
        ])
        .await;
    for building in ["1号楼", "2号楼"] {
        let mut report = sample::report(&sample::random_uuid());
        report["location"]["building"] = json!(building);
        assert_eq!(desk.post(&report).await.status, 201);
    }
    let community = "示例一村（演示）";
    let similar = |building: &str| {
        let mut url = reqwest::Url::parse(&format!("{}/similar", desk.api())).unwrap();
        url.query_pairs_mut()
            .append_pair("community", community)
            .append_pair("building", building)
            .append_pair("category", "ebike_in_stairwell");
        let req = desk.http.get(url);
        async move { Answer::from(req.send().await.unwrap()).await }
    };
    // One building's count, without ticket numbers (they carry the day each was filed);
    // never the whole area's.
    let one = similar("1号楼").await;
    assert_eq!(
        (one.json()["count"].clone(), one.json()["tickets"].clone()),
        (json!(1), json!([]))
    );
    let whole_area = similar("").await;
    assert_eq!(
        (
            whole_area.json()["count"].clone(),
            whole_area.json()["tickets"].clone()
        ),
        (json!(0), json!([]))
    );
    // Walking the buildings of an area is slowed down long before the API's own limit.
    let mut answers = Vec::new();
    for n in 0..12 {
        answers.push(similar(&format!("{n}号楼")).await.status);
    }
    assert!(answers.contains(&429), "{answers:?}");
    desk.stop().await;
}

#[tokio::test]
async fn a_verdict_under_a_key_that_is_not_a_uuid_is_refused_uncounted() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, id) = filed(&desk).await;
    let refused = desk
        .http
        .post(format!("{}/{ticket}/feedback", desk.api()))
        .header("X-Report-Key", &id)
        .header("Idempotency-Key", "not-a-uuid")
        .json(&json!({ "satisfied": true }))
        .send()
        .await
        .unwrap();
    let refused = Answer::from(refused).await;
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (400, "idempotency_key_invalid")
    );
    let events = desk.state().store.events(&ticket).await.unwrap();
    assert!(events.iter().all(|e| e.kind != "feedback"), "{events:?}");
    desk.stop().await;
}

#[tokio::test]
async fn a_verdict_resent_under_its_key_is_counted_once() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let id = sample::random_uuid();
    let answer = desk.post(&sample::report(&id)).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let ticket = answer.ticket();
    let send = |key: &str, body: Value| {
        let req = desk
            .http
            .post(format!("{}/{ticket}/feedback", desk.api()))
            .header("X-Report-Key", &id)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { Answer::from(req.send().await.unwrap()).await }
    };
    let key = sample::random_uuid();
    let verdict = json!({ "satisfied": false, "comment": "楼道里还是有电动车" });
    let first = send(&key, verdict.clone()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    // The phone never heard the first answer, and sends the same verdict again.
    let again = send(&key, verdict).await;
    assert_eq!(
        (again.status, again.text.as_str()),
        (200, first.text.as_str())
    );
    let other = send(&key, json!({ "satisfied": true })).await;
    assert_eq!(
        (other.status, other.error_code().as_str()),
        (422, "idempotency_key_reused")
    );
    let events = desk.state().store.events(&ticket).await.unwrap();
    let verdicts = events.iter().filter(|e| e.kind == "feedback").count();
    assert_eq!(verdicts, 1);
    desk.stop().await;
}

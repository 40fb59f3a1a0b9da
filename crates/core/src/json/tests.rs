//! The hand writer and readers against serde_json, for arbitrary values of every type:
//! the writer gives the same bytes (so the desk sees the same report and a resend is the
//! same body); each reader accepts what serde's derive accepts, as the same value, and
//! refuses what it refuses, also after a field is dropped, nulled or of another type.

use super::write::ToJson;
use super::write::{float, string};
use super::Read;
use crate::campaign::CachedFeed;
use crate::my_reports::{PendingVerdict, TicketRecord};
use crate::outbox::OutboxEntry;
use crate::report::{ClientInfo, Consent, Contact, Draft, Location, Photo, ReportPayload};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt::Debug;
use xinjing_contract::ticket::{read_similar, read_status_answer};
use xinjing_contract::{
    Category, Fault, Feedback, Similar, StatusAnswer, StatusChange, TicketStatus,
};

/// Any text, weighted towards what needs escaping: quotes, backslashes, every control
/// character, DEL, `/`, non-ASCII and astral characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        proptest::collection::vec(
            prop_oneof![
                (0u32..0x80).prop_map(|c| char::from_u32(c).unwrap()),
                Just('"'),
                Just('\\'),
                Just('/'),
                Just('\u{2028}'),
                Just('楼'),
                Just('🔥'),
            ],
            0..16
        )
        .prop_map(|chars| chars.into_iter().collect()),
    ]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

/// Milliseconds as the records keep them: whole numbers (the writer rounds fractions).
fn millis() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-4_000_000_000_000i64..4_000_000_000_000).prop_map(|ms| ms as f64),
        Just(0.0),
        Just(-0.0),
        Just(9_007_199_254_740_992.0),
    ]
}

fn category() -> impl Strategy<Value = Category> {
    (0usize..7).prop_map(|i| Category::ALL[i])
}

fn status() -> impl Strategy<Value = TicketStatus> {
    (0usize..4).prop_map(|i| TicketStatus::ALL[i])
}

fn photo() -> impl Strategy<Value = Photo> {
    (text(), any::<u32>(), any::<u32>(), text()).prop_map(|(mime, width, height, data)| Photo {
        mime,
        width,
        height,
        data,
    })
}

fn photos() -> impl Strategy<Value = Vec<Photo>> {
    proptest::collection::vec(photo(), 0..3)
}

prop_compose! {
    fn payload()(
        strings in proptest::collection::vec(text(), 12),
        category in category(),
        campaign_id in opt_text(),
        photos in photos(),
        contact in proptest::option::of((text(), text())),
        consent in any::<bool>(),
    ) -> ReportPayload {
        let s = |i: usize| strings[i].clone();
        ReportPayload {
            schema: s(0),
            id: s(1),
            created_at: s(2),
            category,
            campaign_id,
            location: Location { community: s(3), building: s(4), detail: s(5) },
            description: s(6),
            photos,
            contact: contact.map(|(name, phone)| Contact { name, phone }),
            consent: Consent { contact: consent, notice_version: s(7) },
            locale: s(8),
            client: ClientInfo { version: s(9) },
        }
    }
}

prop_compose! {
    fn entry()(
        id in text(),
        body in text(),
        body_len in any::<u32>(),
        glimpse in proptest::option::of((category(), text())),
        times in proptest::collection::vec(millis(), 6),
        attempts in any::<u32>(),
        not_before in proptest::option::of(millis()),
        last_error in opt_text(),
        fault in proptest::option::of(prop_oneof![Just(Fault::Redirect), Just(Fault::NoTicket), Just(Fault::NoErrorBody)]),
        refused in opt_text(),
        endpoint in opt_text(),
    ) -> OutboxEntry {
        OutboxEntry {
            id,
            body,
            body_len: body_len as usize,
            glimpse,
            queued_at_ms: times[0],
            attempts,
            next_attempt_ms: times[1],
            lease_at_ms: times[2],
            lease_until_ms: times[3],
            attempted_at_ms: times[4],
            not_before_ms: not_before,
            last_error,
            fault,
            refused,
            endpoint,
        }
    }
}

prop_compose! {
    fn change()(
        status in status(),
        at in text(),
        note in opt_text(),
        reopened in any::<bool>(),
        step in opt_text(),
        unit_kind in opt_text(),
        due in opt_text(),
    ) -> StatusChange {
        StatusChange { status, at, note, reopened, step, unit_kind, due }
    }
}

prop_compose! {
    fn record()(
        ticket in opt_text(),
        strings in proptest::collection::vec(text(), 4),
        category in category(),
        status in proptest::option::of(status()),
        updated_at in opt_text(),
        note in opt_text(),
        satisfied in proptest::option::of(any::<bool>()),
        merged_into in opt_text(),
        history in proptest::collection::vec(change(), 0..3),
        endpoint in opt_text(),
        verdict in proptest::option::of((text(), any::<bool>(), opt_text())),
        after_photo in opt_text(),
    ) -> TicketRecord {
        TicketRecord {
            ticket,
            id: strings[0].clone(),
            created_at: strings[1].clone(),
            category,
            community: strings[2].clone(),
            excerpt: strings[3].clone(),
            status,
            updated_at,
            note,
            satisfied,
            merged_into,
            history,
            endpoint,
            pending_verdict: verdict.map(|(key, satisfied, comment)| PendingVerdict { key, satisfied, comment }),
            after_photo,
        }
    }
}

prop_compose! {
    fn draft()(
        category in proptest::option::of(category()),
        campaign_id in opt_text(),
        strings in proptest::collection::vec(text(), 6),
        photos in photos(),
        share_contact in any::<bool>(),
    ) -> Draft {
        Draft {
            category,
            campaign_id,
            community: strings[0].clone(),
            building: strings[1].clone(),
            spot: strings[2].clone(),
            description: strings[3].clone(),
            photos,
            share_contact,
            name: strings[4].clone(),
            phone: strings[5].clone(),
        }
    }
}

prop_compose! {
    fn status_answer()(
        ticket in opt_text(),
        status in status(),
        strings in proptest::collection::vec(opt_text(), 4),
        history in proptest::collection::vec(change(), 0..3),
    ) -> StatusAnswer {
        StatusAnswer {
            ticket,
            status,
            updated_at: strings[0].clone(),
            note: strings[1].clone(),
            merged_into: strings[2].clone(),
            history,
            after_photo: strings[3].clone(),
        }
    }
}

/// One change to a document: the key or element reached by following `path` (indices
/// modulo the length at each level) is dropped or replaced.
#[derive(Clone, Debug)]
struct Mutation {
    path: Vec<usize>,
    replacement: Option<Value>,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let replacement = prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        Just(Some(Value::from(1))),
        Just(Some(Value::from(1.5))),
        Just(Some(Value::from(-1))),
        Just(Some(Value::from("received"))),
        Just(Some(Value::from(true))),
        Just(Some(Value::Array(vec![]))),
        Just(Some(serde_json::json!({}))),
    ];
    (proptest::collection::vec(any::<usize>(), 1..4), replacement)
        .prop_map(|(path, replacement)| Mutation { path, replacement })
}

fn mutate(node: &mut Value, path: &[usize], replacement: &Option<Value>) {
    let Some((&pick, rest)) = path.split_first() else {
        return;
    };
    match node {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(pick % map.len()).unwrap().clone();
            let child = map.get_mut(&key).unwrap();
            if !rest.is_empty() && (child.is_object() || child.is_array()) {
                mutate(child, rest, replacement);
            } else if let Some(value) = replacement {
                *child = value.clone();
            } else {
                map.remove(&key);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let at = pick % items.len();
            if !rest.is_empty() && (items[at].is_object() || items[at].is_array()) {
                mutate(&mut items[at], rest, replacement);
            } else if let Some(value) = replacement {
                items[at] = value.clone();
            } else {
                items.remove(at);
            }
        }
        _ => {}
    }
}

/// `value` written by serde_json reads back as itself, and after `change` the reader
/// agrees with serde's derive on whether it reads and what it reads.
fn reads_as_serde<T>(
    value: &T,
    change: &Mutation,
    read: fn(&Value) -> Read<T>,
) -> Result<(), TestCaseError>
where
    T: serde::Serialize + DeserializeOwned + PartialEq + Debug,
{
    let mut doc = serde_json::to_value(value).unwrap();
    let back = read(&doc).ok();
    prop_assert_eq!(back.as_ref(), Some(value));
    mutate(&mut doc, &change.path, &change.replacement);
    let by_serde = serde_json::from_value::<T>(doc.clone()).ok();
    prop_assert_eq!(read(&doc).ok(), by_serde, "{}", doc);
    Ok(())
}

proptest! {
    #[test]
    fn reports_and_entries_read_as_serde_reads_them(payload in payload(), entry in entry(), change in mutation()) {
        reads_as_serde(&payload, &change, crate::report::json::payload)?;
        reads_as_serde(&entry, &change, crate::outbox::json::entry)?;
    }

    #[test]
    fn tickets_and_answers_read_as_serde_reads_them(record in record(), answer in status_answer(), count in any::<u32>(), tickets in proptest::collection::vec(text(), 0..3), change in mutation()) {
        reads_as_serde(&record, &change, crate::my_reports::json::record)?;
        reads_as_serde(&answer, &change, read_status_answer)?;
        reads_as_serde(&Similar { count, tickets }, &change, read_similar)?;
    }

    #[test]
    fn drafts_and_feeds_read_as_serde_reads_them(draft in draft(), saved_ms in millis(), json in text(), change in mutation()) {
        reads_as_serde(&draft, &change, crate::report::json::draft)?;
        reads_as_serde(&CachedFeed { saved_ms, json }, &change, crate::campaign::read::cached_feed)?;
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does(value in text()) {
        let mut out = String::new();
        string(&mut out, &value);
        prop_assert_eq!(out, serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn whole_milliseconds_are_written_as_serde_json_does(value in millis()) {
        let mut out = String::new();
        float(&mut out, value);
        prop_assert_eq!(out, serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn the_report_is_the_bytes_serde_json_writes(payload in payload()) {
        prop_assert_eq!(ToJson::to_json(&payload), serde_json::to_string(&payload).unwrap());
    }

    #[test]
    fn outbox_entries_are_the_bytes_serde_json_writes(entry in entry()) {
        prop_assert_eq!(ToJson::to_json(&entry), serde_json::to_string(&entry).unwrap());
    }

    #[test]
    fn ticket_records_are_the_bytes_serde_json_writes(records in proptest::collection::vec(record(), 0..3)) {
        prop_assert_eq!(records.as_slice().to_json(), serde_json::to_string(&records).unwrap());
    }

    #[test]
    fn drafts_feeds_and_verdicts_are_the_bytes_serde_json_writes(
        draft in draft(),
        saved_ms in millis(),
        json in text(),
        satisfied in any::<bool>(),
        comment in opt_text(),
    ) {
        prop_assert_eq!(ToJson::to_json(&draft), serde_json::to_string(&draft).unwrap());
        let feed = CachedFeed { saved_ms, json };
        prop_assert_eq!(ToJson::to_json(&feed), serde_json::to_string(&feed).unwrap());
        let feedback = Feedback { satisfied, comment };
        prop_assert_eq!(ToJson::to_json(&feedback), serde_json::to_string(&feedback).unwrap());
    }
}

#[test]
fn fractions_of_a_millisecond_are_rounded_and_what_is_not_finite_is_null() {
    let written = |value: f64| {
        let mut out = String::new();
        float(&mut out, value);
        out
    };
    assert_eq!(written(12_345.4), "12345.0");
    assert_eq!(written(12_345.6), "12346.0");
    assert_eq!(written(f64::NAN), "null");
    assert_eq!(written(f64::INFINITY), "null");
    assert_eq!(written(1e300), "1e16");
}

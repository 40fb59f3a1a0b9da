//! What a notification says, in each platform's message format. Pure: no IO.
//!
//! A message carries the ticket, the category, the place and a link to the desk. It never
//! carries the resident's name or phone number, nor the description: that is free text a
//! resident may write a phone number or a neighbour's name into, and masking cannot find
//! every way of writing one. The place's detail is free text too but short and needed to
//! find the hazard, so it is kept with every run of digits that could be a phone number
//! blanked out, cut to a few words, and stripped of markdown so nothing a resident typed
//! can turn into a link or a heading in the committee's chat.

use super::config::Kind;
use serde_json::{json, Value};
use xinjing_contract::report::Category;
use xinjing_contract::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Received,
    Reopen,
    /// A task for a handling unit, to the unit's own robot.
    Dispatch,
    /// The escalation ladder: a task at 75 % of its time (to the unit), past its due time
    /// (the committee), past it by a further period (the town).
    Remind,
    Overdue,
    Town,
    /// A task given back (退单) that the committee has not acted on in time: its channels,
    /// then the town.
    ReturnedOverdue,
    ReturnedTown,
    /// A review failed: the task is the unit's again, with the reason and a new due time.
    ReviewFail,
    /// The town's weekly digest of its figures.
    Weekly,
}

impl EventKind {
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Received => "received",
            EventKind::Reopen => "reopen",
            EventKind::Dispatch => "dispatch",
            EventKind::Remind => "remind",
            EventKind::Overdue => "overdue",
            EventKind::Town => "town",
            EventKind::ReturnedOverdue => "returned_overdue",
            EventKind::ReturnedTown => "returned_town",
            EventKind::ReviewFail => "review_fail",
            EventKind::Weekly => "weekly",
        }
    }

    pub fn from_code(code: &str) -> Option<EventKind> {
        match code {
            "received" => Some(EventKind::Received),
            "reopen" => Some(EventKind::Reopen),
            "dispatch" => Some(EventKind::Dispatch),
            "remind" => Some(EventKind::Remind),
            "overdue" => Some(EventKind::Overdue),
            "town" => Some(EventKind::Town),
            "returned_overdue" => Some(EventKind::ReturnedOverdue),
            "returned_town" => Some(EventKind::ReturnedTown),
            "review_fail" => Some(EventKind::ReviewFail),
            "weekly" => Some(EventKind::Weekly),
            _ => None,
        }
    }
}

/// One event to tell a channel about (place fields already through [`clean`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub ticket: String,
    pub category: String,
    pub community: String,
    pub building: String,
    pub detail: String,
    pub at_ms: i64,
    /// A failed review's reason (staff wrote it; cleaned like the place) and new due time.
    pub note: Option<String>,
    pub due_at: Option<i64>,
}

/// Longest place detail shown, in characters.
pub const DETAIL_CHARS: usize = 40;
/// Tickets listed one by one in a digest (the rest are counted).
pub const DIGEST_LINES: usize = 20;
/// The listed lines' budget: WeCom takes at most 4096 bytes of markdown, and community
/// and building names (free text, up to 40 characters each) could make 20 lines longer.
pub const DIGEST_BYTES: usize = 3_000;

/// A resident's short text made safe for a chat message: one line, digit groups that could
/// be a phone number (7 or more digits, with or without spaces, dashes or dots between
/// them) and web addresses replaced by `***`, markdown characters dropped, at most `max`
/// characters.
pub fn clean(text: &str, max: usize) -> String {
    const MARKDOWN: &str = "[]()<>*_#`|~\\!{}";
    let keep = |c: char, out: &mut String| {
        if c.is_control() {
            out.push(' ');
        } else if !MARKDOWN.contains(c) {
            out.push(c);
        }
    };
    // A group: digits and the separators between them; masked whole when it has 7 digits.
    let flush = |group: &mut Vec<char>, out: &mut String| {
        let digits = group.iter().filter(|c| is_digit(**c)).count();
        let end = group
            .iter()
            .rposition(|c| is_digit(*c))
            .map_or(0, |i| i + 1);
        if digits >= 7 {
            out.push_str("***");
        } else {
            group[..end].iter().for_each(|c| keep(*c, out));
        }
        group[end..].iter().for_each(|c| keep(*c, out));
        group.clear();
    };
    let mut out = String::new();
    let mut group = Vec::new();
    for c in text.chars() {
        let joins = matches!(c, ' ' | '-' | '.' | '+' | '(' | ')' | '－') && !group.is_empty();
        if is_digit(c) || joins {
            group.push(c);
        } else {
            flush(&mut group, &mut out);
            keep(c, &mut out);
        }
    }
    flush(&mut group, &mut out);
    let out = out
        .split_whitespace()
        .map(strip_link)
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = out.chars();
    let cut: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// A word with a web address in it ("扫码http://…", "www.…") keeps only what comes before
/// the address: a chat or a poster must not carry a link a resident typed.
fn strip_link(word: &str) -> String {
    match link_start(word) {
        Some(start) => format!("{}***", &word[..start]),
        None => word.to_owned(),
    }
}

/// Where a web address starts in `word`, if it holds one.
pub fn link_start(word: &str) -> Option<usize> {
    // ASCII lower case keeps every byte offset, and ASCII letters never sit inside a
    // multi-byte character, so the offsets found are character boundaries of `word`.
    let lower = word.to_ascii_lowercase();
    if let Some(i) = lower.find("://") {
        let bytes = lower.as_bytes();
        let mut start = i;
        while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'+') {
            start -= 1;
        }
        return Some(start);
    }
    lower.find("www.")
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

pub fn category_label(code: &str) -> &str {
    Category::from_code(code).map_or(code, |c| c.name(Lang::Zh))
}

/// `2026-11-30 14:05`, Shanghai time (UTC+8 all year).
pub fn shanghai_time(ms: i64) -> String {
    let date = xinjing_contract::time::Date::in_shanghai(ms as f64);
    let minutes = (ms.div_euclid(60_000) + 8 * 60).rem_euclid(24 * 60);
    format!("{date} {:02}:{:02}", minutes / 60, minutes % 60)
}

pub fn report_url(public_url: &str, ticket: &str) -> String {
    format!("{public_url}/desk/reports/{ticket}")
}

/// Where a message sends its reader: the report's page, or a unit's task list.
pub(super) fn link(event: &Event, public_url: &str) -> String {
    match event.kind {
        EventKind::Dispatch | EventKind::Remind | EventKind::ReviewFail => {
            format!("{public_url}/desk/tasks")
        }
        // The week's figures (the ticket is the week's Monday).
        EventKind::Weekly => format!("{public_url}/desk/stats?period=week&day={}", event.ticket),
        _ => report_url(public_url, &event.ticket),
    }
}

fn title(event: &Event) -> String {
    match event.kind {
        EventKind::Received => format!("新隐患报告 {}", event.ticket),
        EventKind::Reopen => format!("工单重办 {}", event.ticket),
        EventKind::Dispatch => format!("派单整改 {}", event.ticket),
        EventKind::Remind => format!("整改期限将到 {}", event.ticket),
        EventKind::Overdue => format!("整改超时 {}", event.ticket),
        EventKind::Town => format!("整改超时未办结，请督办 {}", event.ticket),
        EventKind::ReturnedOverdue => format!("单位退单，居委会超时未处理 {}", event.ticket),
        EventKind::ReturnedTown => format!("单位退单后超时未处理，请督办 {}", event.ticket),
        EventKind::ReviewFail => format!("复查未通过，请重新整改 {}", event.ticket),
        EventKind::Weekly => format!("上周 12345 指标（{} 起）", event.ticket),
    }
}

/// The lines a failed review adds: why, and by when now.
fn review_lines(event: &Event) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(note) = &event.note {
        lines.push(format!("原因：{}", clean(note, NOTE_CHARS)));
    }
    if let Some(due) = event.due_at {
        lines.push(format!("新期限：{}", shanghai_time(due)));
    }
    lines
}

/// Longest review reason sent, in characters.
pub const NOTE_CHARS: usize = 200;

fn place(event: &Event) -> String {
    // Area and building are typed by residents too: no number or link of theirs goes out.
    [&event.community, &event.building, &event.detail]
        .iter()
        .map(|s| clean(s, usize::MAX))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn digest_title(events: &[Event]) -> String {
    let reopened = events.iter().any(|e| e.kind == EventKind::Reopen);
    let what = if reopened {
        "新报告或重办"
    } else {
        "新报告"
    };
    format!("{} 件{what}待处理", events.len())
}

/// One line per ticket (at most [`DIGEST_LINES`], and within [`DIGEST_BYTES`]), then how
/// many more.
fn digest_lines(events: &[Event]) -> Vec<String> {
    let mut bytes = 0;
    let mut lines: Vec<String> = events
        .iter()
        .take(DIGEST_LINES)
        .map(|e| {
            let reopen = if e.kind == EventKind::Reopen {
                "（重办）"
            } else {
                ""
            };
            format!(
                "{}{reopen} {} · {} {}",
                e.ticket,
                category_label(&e.category),
                e.community,
                e.building
            )
        })
        .take_while(|line| {
            bytes += line.len() + 3;
            bytes <= DIGEST_BYTES
        })
        .collect();
    if events.len() > lines.len() {
        lines.push(format!("……另有 {} 件", events.len() - lines.len()));
    }
    lines
}

const DIGEST_NOTE: &str = "超过机器人每分钟可发条数，合并为一条。";

/// The JSON body for one event (Feishu's signature fields are added when sending).
pub fn single(kind: Kind, event: &Event, public_url: &str) -> Value {
    let url = link(event, public_url);
    let label = category_label(&event.category);
    let when = shanghai_time(event.at_ms);
    let title = title(event);
    let place = place(event);
    let more = review_lines(event);
    let lines =
        |prefix: &str| -> String { more.iter().map(|l| format!("{prefix}{l}\n")).collect() };
    match kind {
        Kind::WeCom => json!({
            "msgtype": "markdown",
            "markdown": { "content": format!(
                "**{title}**\n> 类别：<font color=\"warning\">{label}</font>\n> 地点：{place}\n> 时间：{when}\n{}[打开工作台处理]({url})",
                lines("> ")
            )},
        }),
        Kind::DingTalk => json!({
            "msgtype": "markdown",
            "markdown": {
                "title": title,
                "text": format!("#### {title}\n\n- 类别：{label}\n- 地点：{place}\n- 时间：{when}\n{}\n[打开工作台处理]({url})", lines("- ")),
            },
        }),
        Kind::Feishu => json!({
            "msg_type": "text",
            "content": { "text": format!("{title}\n类别：{label}\n地点：{place}\n时间：{when}\n{}处理：{url}", lines("")) },
        }),
        Kind::Webhook => webhook_event(event, public_url),
    }
}

fn webhook_event(event: &Event, public_url: &str) -> Value {
    let mut body = json!({
        "event": event.kind.code(),
        "ticket": event.ticket,
        "category": event.category,
        "category_label": category_label(&event.category),
        "community": event.community,
        "building": event.building,
        "detail": event.detail,
        "at": event.at_ms,
        "url": link(event, public_url),
    });
    if let Some(note) = &event.note {
        body["note"] = clean(note, NOTE_CHARS).into();
    }
    if let Some(due) = event.due_at {
        body["due_at"] = due.into();
    }
    body
}

/// One message for many events, when a channel's rate limit would not take them one by one.
pub fn digest(kind: Kind, events: &[Event], public_url: &str) -> Value {
    let url = format!("{public_url}/desk/");
    let title = digest_title(events);
    let lines = digest_lines(events);
    match kind {
        Kind::WeCom => json!({
            "msgtype": "markdown",
            "markdown": { "content": format!(
                "**{title}**\n{}\n<font color=\"comment\">{DIGEST_NOTE}</font>\n[打开问题清单]({url})",
                lines.iter().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
            )},
        }),
        Kind::DingTalk => json!({
            "msgtype": "markdown",
            "markdown": {
                "title": title,
                "text": format!(
                    "#### {title}\n\n{}\n\n{DIGEST_NOTE}\n\n[打开问题清单]({url})",
                    lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
                ),
            },
        }),
        Kind::Feishu => json!({
            "msg_type": "text",
            "content": { "text": format!("{title}\n{}\n{DIGEST_NOTE}\n问题清单：{url}", lines.join("\n")) },
        }),
        Kind::Webhook => json!({
            "event": "digest",
            "count": events.len(),
            "events": events.iter().map(|e| webhook_event(e, public_url)).collect::<Vec<_>>(),
            "url": url,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ticket: &str) -> Event {
        Event {
            kind: EventKind::Received,
            ticket: ticket.to_owned(),
            category: "flying_line_charging".to_owned(),
            community: "新泾一村".to_owned(),
            building: "12号楼".to_owned(),
            detail: clean("3 楼楼道", DETAIL_CHARS),
            at_ms: 1_764_482_700_000,
            note: None,
            due_at: None,
        }
    }

    #[test]
    fn cleaning_blanks_phone_numbers_and_markdown() {
        assert_eq!(clean("3 楼楼道", 40), "3 楼楼道");
        assert_eq!(clean("1502室门口", 40), "1502室门口");
        assert_eq!(clean("找王阿姨13912345678", 40), "找王阿姨***");
        assert_eq!(clean("电话 139-1234-5678 楼下", 40), "电话 *** 楼下");
        assert_eq!(clean("电话 139 1234 5678", 40), "电话 ***");
        assert_eq!(clean("１３９１２３４５６７８", 40), "***");
        assert_eq!(clean("[点我](http://x.cn)\n# 标题", 40), "点我*** 标题");
        assert_eq!(clean("5号楼 加群 www.x.cn", 40), "5号楼 加群 ***");
        assert_eq!(clean("扫码 HTTPS://x.cn/a", 40), "扫码 ***");
        assert_eq!(clean("一二三四五六七八九十", 4), "一二三四…");
    }

    #[test]
    fn shanghai_time_is_utc_plus_8() {
        // 2025-11-30T06:05:00Z
        assert_eq!(shanghai_time(1_764_482_700_000), "2025-11-30 14:05");
    }

    #[test]
    fn formats_follow_the_platforms() {
        let e = event("XJ-20251130-0001");
        let url = "https://r.example.cn";
        let w = single(Kind::WeCom, &e, url);
        assert_eq!(w["msgtype"], "markdown");
        let content = w["markdown"]["content"].as_str().unwrap();
        assert!(content.contains("飞线充电") && content.contains("新泾一村 12号楼 3 楼楼道"));
        assert!(content.contains("(https://r.example.cn/desk/reports/XJ-20251130-0001)"));
        let d = single(Kind::DingTalk, &e, url);
        assert_eq!(d["markdown"]["title"], "新隐患报告 XJ-20251130-0001");
        let f = single(Kind::Feishu, &e, url);
        assert_eq!(f["msg_type"], "text");
        let h = single(Kind::Webhook, &e, url);
        assert_eq!(h["event"], "received");
        assert_eq!(h["category_label"], "飞线充电");
    }

    #[test]
    fn a_failed_review_says_why_and_by_when_on_every_platform() {
        let e = Event {
            kind: EventKind::ReviewFail,
            note: Some("插座仍在窗外 **请拆除**".into()),
            due_at: Some(1_764_482_700_000),
            ..event("XJ-20251130-0001")
        };
        let url = "https://r.example.cn";
        let w = single(Kind::WeCom, &e, url).to_string();
        let d = single(Kind::DingTalk, &e, url).to_string();
        let f = single(Kind::Feishu, &e, url).to_string();
        for text in [&w, &d, &f] {
            assert!(
                text.contains("复查未通过，请重新整改 XJ-20251130-0001"),
                "{text}"
            );
            assert!(text.contains("原因：插座仍在窗外 请拆除"), "{text}");
            assert!(text.contains("新期限：2025-11-30 14:05"), "{text}");
            assert!(text.contains("https://r.example.cn/desk/tasks"), "{text}");
        }
        let h = single(Kind::Webhook, &e, url);
        assert_eq!(h["event"], "review_fail");
        assert_eq!(h["note"], "插座仍在窗外 请拆除");
        assert_eq!(h["due_at"], 1_764_482_700_000_i64);
    }

    #[test]
    fn a_digest_lists_twenty_and_counts_the_rest() {
        let events: Vec<Event> = (1..=25)
            .map(|n| event(&format!("XJ-20251130-{n:04}")))
            .collect();
        let d = digest(Kind::DingTalk, &events, "https://r.example.cn");
        let text = d["markdown"]["text"].as_str().unwrap();
        assert!(d["markdown"]["title"]
            .as_str()
            .unwrap()
            .starts_with("25 件新报告"));
        assert!(text.contains("XJ-20251130-0020") && !text.contains("XJ-20251130-0021"));
        assert!(text.contains("另有 5 件"));
        let h = digest(Kind::Webhook, &events, "https://r.example.cn");
        assert_eq!(h["events"].as_array().unwrap().len(), 25);
        // Long place names: fewer lines, still within WeCom's 4096 bytes.
        let long: Vec<Event> = (1..=25)
            .map(|n| Event {
                community: "很长的小区名字"
                    .repeat(6)
                    .chars()
                    .take(DETAIL_CHARS)
                    .collect(),
                building: "很长的楼栋名字"
                    .repeat(6)
                    .chars()
                    .take(DETAIL_CHARS)
                    .collect(),
                ..event(&format!("XJ-20251130-{n:04}"))
            })
            .collect();
        let w = digest(Kind::WeCom, &long, "https://r.example.cn");
        let content = w["markdown"]["content"].as_str().unwrap();
        assert!(content.len() < 4096, "{} bytes", content.len());
        assert!(content.contains("另有"));
    }
}

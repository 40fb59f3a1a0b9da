//! The town's view, as its people use it: how a report was resolved (已解决 / 已解释说明),
//! chosen by staff and kept, audited and shown; the `town` account that reads every
//! community but manages nothing. Same tests on SQLite and PostgreSQL (`DESK_TEST_PG`).

mod common;

use common::staff::*;
use common::*;
use serde_json::json;
use xinjing_desk::sample;
use xinjing_desk::store::Resolution;

const HOME: &str = "示例一村（演示）";
const OTHER: &str = "新泾二村";

/// Files a report at `community` with contact details; gives its ticket and key.
async fn file(desk: &TestDesk, community: &str) -> (String, String) {
    let id = sample::random_uuid();
    let mut report = sample::report(&id);
    report["location"]["community"] = json!(community);
    report["location"]["building"] = json!("3号楼");
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    (desk.post(&report).await.ticket(), id)
}

fn location(answer: &Answer) -> String {
    answer.header("location").unwrap_or_default()
}

async fn resolution_of(desk: &TestDesk, ticket: &str) -> Option<Resolution> {
    let report = desk.state().store.desk_report(ticket).await.unwrap();
    report.unwrap().resolution
}

#[tokio::test]
async fn resolving_asks_how_keeps_it_audits_it_and_a_reopening_clears_it() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (ticket, key) = file(&desk, HOME).await;
    let page = format!("/desk/reports/{ticket}");
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let form = li.get(&page).await.text;
    assert!(
        form.contains("已解决") && form.contains("已解释说明"),
        "{form}"
    );

    // "Resolved" without saying how is refused, and nothing changes.
    let path = format!("{page}/status");
    let bare = li
        .post(&path, &[("status", "resolved"), ("public_note", "已处理")])
        .await;
    assert!(location(&bare).ends_with("error=resolution_required"));
    let shown = li.get(&location(&bare)).await.text;
    assert!(shown.contains("请选择办结类型"), "{shown}");
    assert_eq!(resolution_of(&desk, &ticket).await, None);

    // Explained: kept on the report, shown on its page and in its history, audited.
    let done = li
        .post(
            &path,
            &[
                ("status", "resolved"),
                ("resolution", "explained"),
                ("public_note", "该处为消防通道，已向居民说明规定"),
            ],
        )
        .await;
    assert!(
        location(&done).ends_with("done=status"),
        "{}",
        location(&done)
    );
    assert_eq!(
        resolution_of(&desk, &ticket).await,
        Some(Resolution::Explained)
    );
    let shown = li.get(&page).await.text;
    assert!(shown.contains("已办结（已解释说明）"), "{shown}");
    let english = li.get(&format!("{page}?lang=en")).await.text;
    assert!(english.contains("Resolved (Explained)"), "{english}");
    let audit: Vec<String> = desk
        .state()
        .store
        .audit_entries(Some(&ticket), 10, 0)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.detail)
        .collect();
    assert!(
        audit.iter().any(|d| d.ends_with("→ resolved (explained)")),
        "{audit:?}"
    );
    // The resident sees the state as before (the code is the town's, not theirs).
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(status["status"], "resolved");

    // A resident not satisfied reopens it: no resolution any more.
    let feedback = desk
        .http
        .post(format!("{}/{ticket}/feedback", desk.api()))
        .header("X-Report-Key", &key)
        .json(&json!({ "satisfied": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(feedback.status(), 200);
    assert_eq!(resolution_of(&desk, &ticket).await, None);
    let shown = li.get(&format!("{page}?lang=zh")).await.text;
    assert!(shown.contains("<dt>状态</dt><dd>已受理"), "{shown}");
    assert!(
        shown.contains("状态改为 已办结（已解释说明）"),
        "the history keeps how it was resolved then"
    );

    // Solved this time; a state other than "resolved" ignores a resolution sent with it.
    li.post(
        &path,
        &[
            ("status", "in_progress"),
            ("resolution", "solved"),
            ("public_note", "已派人"),
        ],
    )
    .await;
    assert_eq!(resolution_of(&desk, &ticket).await, None);
    li.get(&page).await;
    li.post(
        &path,
        &[
            ("status", "resolved"),
            ("resolution", "solved"),
            ("public_note", "已清理"),
            ("override_reason", "社区当场清理，无需派单"),
        ],
    )
    .await;
    assert_eq!(
        resolution_of(&desk, &ticket).await,
        Some(Resolution::Solved)
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_merged_report_is_closed_without_a_resolution() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (first, _) = file(&desk, HOME).await;
    let (second, _) = file(&desk, HOME).await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    li.get(&format!("/desk/reports/{second}")).await;
    let merged = li
        .post(
            &format!("/desk/reports/{second}/duplicate"),
            &[("of", &first)],
        )
        .await;
    assert!(location(&merged).ends_with("done=duplicate"));
    let report = desk
        .state()
        .store
        .desk_report(&second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.report.status.code(), "resolved");
    assert_eq!(report.merged_into.as_deref(), Some(first.as_str()));
    assert_eq!(report.resolution, None, "closed, not solved");
    desk.stop().await;
}

/// The desk's command line, on the test's database.
fn cli(env: &TestEnv, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.vars.iter().cloned())
        .output()
        .expect("the desk binary runs")
}

#[tokio::test]
async fn the_shell_resolves_only_when_told_how() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    let (ticket, _) = file(&desk, OTHER).await;
    let without = cli(&env, &["set-status", &ticket, "resolved", "已处理"]);
    assert!(!without.status.success());
    let message = String::from_utf8_lossy(&without.stderr);
    assert!(message.contains("--resolution solved"), "{message}");
    let misplaced = cli(
        &env,
        &[
            "set-status",
            &ticket,
            "in_progress",
            "--resolution",
            "solved",
        ],
    );
    assert!(!misplaced.status.success());
    let unknown = cli(
        &env,
        &["set-status", &ticket, "resolved", "--resolution", "fixed"],
    );
    assert!(!unknown.status.success());
    assert_eq!(resolution_of(&desk, &ticket).await, None);
    // Solved with no passed review: only with an override and its reason.
    let solved = [
        "set-status",
        &ticket,
        "resolved",
        "已移走",
        "--resolution",
        "solved",
    ];
    let unreviewed = cli(&env, &solved);
    assert!(!unreviewed.status.success());
    let message = String::from_utf8_lossy(&unreviewed.stderr);
    assert!(message.contains("--override REASON"), "{message}");
    let blank = cli(&env, &[&solved[..], &["--override", " "]].concat());
    assert!(!blank.status.success());
    assert_eq!(resolution_of(&desk, &ticket).await, None);
    let set = cli(
        &env,
        &[&solved[..], &["--override", "电话确认已移走"]].concat(),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert_eq!(
        resolution_of(&desk, &ticket).await,
        Some(Resolution::Solved)
    );
    let events = desk.state().store.events(&ticket).await.unwrap();
    assert_eq!(events.last().unwrap().resolution.as_deref(), Some("solved"));
    let audit = desk
        .state()
        .store
        .audit_entries(Some(&ticket), 10, 0)
        .await
        .unwrap();
    assert!(
        audit.iter().any(|e| e.action == "status_override"
            && e.actor == "cli"
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("电话确认已移走"))),
        "{audit:?}"
    );
    desk.stop().await;
}

/// The status form with a choice of resolution and the notes typed.
fn resolve_fields<'a>(resolution: &'a str, reason: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("status", "resolved"),
        ("resolution", resolution),
        ("public_note", "窗外飞线已拆除"),
        ("internal_note", "王师傅上门拆除"),
        ("override_reason", reason),
    ]
}

#[tokio::test]
async fn solved_without_a_passed_review_needs_an_override_whose_reason_is_audited() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (ticket, _) = file(&desk, HOME).await;
    let page = format!("/desk/reports/{ticket}");
    let path = format!("{page}/status");
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let form = li.get(&page).await.text;
    assert!(form.contains("name=\"override_reason\""), "{form}");

    // No reason: refused next to the field, in the staff member's language, with all that
    // was typed still in the form.
    for (lang, message) in [
        ("zh", "未经复查通过的“已解决”须填写例外原因"),
        (
            "en",
            "Solved without a passed review needs a reason for the exception",
        ),
    ] {
        li.get(&format!("{page}?lang={lang}")).await;
        let refused = li.post(&path, &resolve_fields("solved", "  ")).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        let text = &refused.text;
        assert!(text.contains(message), "{text}");
        assert!(
            text.contains("aria-describedby=\"override-error\"")
                && text.contains("id=\"override-error\""),
            "{text}"
        );
        assert!(
            text.contains("窗外飞线已拆除") && text.contains("王师傅上门拆除"),
            "{text}"
        );
        assert!(
            text.contains("value=\"solved\" checked"),
            "the choice is kept: {text}"
        );
        assert_eq!(resolution_of(&desk, &ticket).await, None);
    }

    // With a reason: resolved as solved, and the audit log keeps the override and why.
    li.get(&page).await;
    let done = li
        .post(&path, &resolve_fields("solved", "物业当场拆除，未派单"))
        .await;
    assert!(location(&done).ends_with("done=status"), "{}", done.text);
    assert_eq!(
        resolution_of(&desk, &ticket).await,
        Some(Resolution::Solved)
    );
    let audit = desk
        .state()
        .store
        .audit_entries(Some(&ticket), 10, 0)
        .await
        .unwrap();
    let line = audit
        .iter()
        .find(|e| e.action == "status_override")
        .expect("the override is audited");
    assert!(
        line.detail
            .as_deref()
            .is_some_and(|d| d.contains("物业当场拆除，未派单")),
        "{line:?}"
    );
    add_account(&desk, "admin", "admin", &[]).await;
    let mut admin = Browser::new(&desk);
    admin.login("admin").await;
    let shown = admin.get("/desk/audit?lang=zh").await.text;
    assert!(
        shown.contains("例外办结（未经复查）") && shown.contains("物业当场拆除，未派单"),
        "{shown}"
    );
    desk.stop().await;
}

/// The desk's command line with `stdin` as its standard input.
fn cli_with_input(env: &TestEnv, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.vars.iter().cloned())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_town_account_reads_every_community_and_works_or_manages_nothing() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    // Made from the shell as the operator would; a town account names no community.
    let refused = cli_with_input(
        &env,
        &["user", "add", "zhen", "--role", "town", "--community", HOME],
        &format!("{PASSWORD}\n"),
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("leave out --community"));
    let added = cli_with_input(
        &env,
        &["user", "add", "zhen", "--role", "town"],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(String::from_utf8_lossy(&added.stdout).contains("zhen: town (all communities)"));
    add_account(&desk, "li", "staff", &[HOME]).await;
    add_account(&desk, "boss", "admin", &[]).await;
    let (home, _) = file(&desk, HOME).await;
    let (other, _) = file(&desk, OTHER).await;

    let mut zhen = Browser::new(&desk);
    zhen.login("zhen").await;
    let list = zhen.get("/desk/").await.text;
    assert!(list.contains(&home) && list.contains(&other), "{list}");
    let csv = zhen.get("/desk/export.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.contains(&home) && csv.text.contains(&other));
    let overview = zhen.get("/desk/overview").await;
    assert_eq!(overview.status, 200);
    assert!(overview.text.contains(HOME) && overview.text.contains(OTHER));
    assert!(
        list.contains("/desk/overview"),
        "the menu offers the overview"
    );

    // A report reads in full, without the forms that work it or the resident's contact.
    let page = zhen.get(&format!("/desk/reports/{other}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("只读") && !page.text.contains("保存状态"));
    assert!(page.text.contains("您的账号不能查看联系方式"));
    for (action, fields) in [
        (
            "status",
            vec![("status", "in_progress"), ("public_note", "看看")],
        ),
        ("assign", vec![("assignee", "li")]),
        ("duplicate", vec![("of", home.as_str())]),
    ] {
        let post = zhen
            .post(&format!("/desk/reports/{other}/{action}"), &fields)
            .await;
        assert_eq!(post.status, 404, "{action}");
    }
    let contact = zhen
        .post(&format!("/desk/reports/{other}/contact"), &[])
        .await;
    assert!(!contact.text.contains("13912345678"));
    let stored = desk
        .state()
        .store
        .desk_report(&other)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.report.status.code(), "received");
    assert_eq!(stored.assignee, None);
    assert!(desk
        .state()
        .store
        .audit_entries(Some(&other), 10, 0)
        .await
        .unwrap()
        .is_empty());

    // Accounts, campaigns and the audit log are not the town's.
    for path in [
        "/desk/audit",
        "/desk/logins",
        "/desk/campaigns",
        "/desk/campaigns/new",
    ] {
        assert_eq!(zhen.get(path).await.status, 404, "{path}");
    }
    assert!(!list.contains("/desk/audit") && !list.contains("/desk/campaigns\""));

    // Staff still see their own community only, and no overview; admins see it all.
    let mut li = Browser::new(&desk);
    li.login("li").await;
    assert_eq!(li.get(&format!("/desk/reports/{other}")).await.status, 404);
    assert_eq!(li.get("/desk/overview").await.status, 404);
    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    let list = boss.get("/desk/").await.text;
    assert!(list.contains(&home) && list.contains(&other));
    for path in [
        "/desk/overview",
        "/desk/audit",
        "/desk/logins",
        "/desk/campaigns",
    ] {
        assert_eq!(boss.get(path).await.status, 200, "{path}");
    }
    let page = boss.get(&format!("/desk/reports/{other}")).await.text;
    assert!(page.contains("保存状态"));
    desk.stop().await;
}

//! The staff pages over HTTP, as a committee clerk uses them: log in, work the problem list
//! and a report, and the resident's side of the loop (status, "not satisfied", similar).
//! Same tests on SQLite and PostgreSQL (`DESK_TEST_PG`).

mod common;

use common::staff::*;
use common::*;
use serde_json::{json, Value};
use xinjing_desk::sample;

const HOME: &str = "示例一村（演示）";
const OTHER: &str = "新泾二村";

/// Files a report at `community`, with contact details; gives its ticket and key.
async fn file(desk: &TestDesk, community: &str, building: &str) -> (String, String) {
    let id = sample::random_uuid();
    let mut report = sample::report(&id);
    report["location"]["community"] = json!(community);
    report["location"]["building"] = json!(building);
    report["contact"] = json!({ "name": "王阿姨", "phone": "13912345678" });
    report["consent"]["contact"] = json!(true);
    let ticket = desk.post(&report).await.ticket();
    (ticket, id)
}

fn location(answer: &Answer) -> String {
    answer.header("location").unwrap_or_default()
}

/// A fresh desk with the account `li` of the home community.
async fn desk_with_li() -> (TestEnv, TestDesk) {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    (env, desk)
}

#[tokio::test]
async fn a_page_without_login_sends_the_browser_to_the_login_page() {
    let (_env, desk) = desk_with_li().await;
    let list = Browser::new(&desk).get("/desk/").await;
    assert_eq!(list.status, 303);
    assert!(
        location(&list).starts_with("/desk/login"),
        "{}",
        location(&list)
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_a_session() {
    let (_env, desk) = desk_with_li().await;
    let mut browser = Browser::new(&desk);
    let wrong = browser.try_login("li", "not the password").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("账号或密码不正确"), "{}", wrong.text);
    assert!(browser.cookie("xj_desk_session").is_none());
    desk.stop().await;
}

#[tokio::test]
async fn an_unknown_account_fails_like_a_wrong_password() {
    let (_env, desk) = desk_with_li().await;
    let mut browser = Browser::new(&desk);
    let unknown = browser.try_login("nobody", PASSWORD).await;
    assert_eq!(unknown.status, 401);
    assert!(
        unknown.text.contains("账号或密码不正确"),
        "{}",
        unknown.text
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_login_opens_the_list_with_a_strict_session_cookie() {
    let (_env, desk) = desk_with_li().await;
    let mut browser = Browser::new(&desk);
    let ok = browser.try_login("li", PASSWORD).await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    assert_eq!(location(&ok), "/desk/");
    // The session cookie comes first (the login form's own cookie is cleared after it).
    let session = ok.header("set-cookie").unwrap_or_default();
    assert!(session.starts_with("xj_desk_session="), "{session}");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http here: {session}");
    let list = browser.get("/desk/").await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains("问题清单"));
    desk.stop().await;
}

#[tokio::test]
async fn the_database_keeps_a_hash_of_the_session_token_never_the_token() {
    let (_env, desk) = desk_with_li().await;
    let mut browser = Browser::new(&desk);
    browser.login("li").await;
    let token = browser.cookie("xj_desk_session").unwrap().to_owned();
    let store = &desk.state().store;
    let hashed = xinjing_desk::staff::auth::sha256_hex(token.as_bytes());
    assert!(store
        .session_account(&hashed, now_ms())
        .await
        .unwrap()
        .is_some());
    assert!(store
        .session_account(&token, now_ms())
        .await
        .unwrap()
        .is_none());
    desk.stop().await;
}

#[tokio::test]
async fn staff_pages_allow_no_inline_script_or_style() {
    let (_env, desk) = desk_with_li().await;
    let mut browser = Browser::new(&desk);
    browser.login("li").await;
    let list = browser.get("/desk/").await;
    let csp = list.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    desk.stop().await;
}

#[tokio::test]
async fn after_logout_the_old_session_cookie_opens_nothing() {
    let (_env, desk) = desk_with_li().await;
    let mut browser = Browser::new(&desk);
    browser.login("li").await;
    let token = browser.cookie("xj_desk_session").unwrap().to_owned();
    let out = browser.post("/desk/logout", &[]).await;
    assert_eq!(out.status, 303);
    let mut stale = Browser::new(&desk);
    stale.cookies_set("xj_desk_session", &token);
    assert_eq!(stale.get("/desk/").await.status, 303);
    desk.stop().await;
}

#[tokio::test]
async fn after_five_wrong_passwords_from_one_address_even_the_right_one_waits_there() {
    let (_env, desk) = desk_with_li().await;
    let mut browser = Browser::new(&desk);
    // Five wrong passwords for an account from one address: that address's next try
    // waits, even with the right one (another address still logs in: hardening.rs).
    for _ in 0..5 {
        assert_eq!(
            browser.try_login("li", "wrong wrong wrong").await.status,
            401
        );
    }
    let limited = browser.try_login("li", PASSWORD).await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert_eq!(limited.header("retry-after").as_deref(), Some("900"));
    desk.stop().await;
}

#[tokio::test]
async fn a_login_whose_next_page_holds_a_line_break_lands_on_the_list() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let mut browser = Browser::new(&desk);
    browser.get("/desk/login").await;
    let next = "/desk/\r\nSet-Cookie: xj_desk_session=fixed";
    let ok = browser
        .post(
            "/desk/login",
            &[("name", "li"), ("password", PASSWORD), ("next", next)],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    assert_eq!(location(&ok), "/desk/");
    desk.stop().await;
}

#[tokio::test]
async fn wrong_passwords_sent_all_at_once_are_checked_no_more_than_the_limit() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let mut tries = Vec::new();
    for _ in 0..12 {
        let mut browser = Browser::new(&desk);
        browser.get("/desk/login").await;
        tries.push(tokio::spawn(async move {
            let fields = [
                ("name", "li"),
                ("password", "guess guess"),
                ("next", "/desk/"),
            ];
            browser.post("/desk/login", &fields).await.status
        }));
    }
    let mut checked = 0;
    for attempt in tries {
        match attempt.await.unwrap() {
            401 => checked += 1,
            429 => {}
            other => panic!("status {other}"),
        }
    }
    assert!(checked <= 5, "{checked} guesses checked at once");
    desk.stop().await;
}

#[tokio::test]
async fn the_session_cookie_is_secure_under_https() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[("DESK_PUBLIC_URL", "https://report.example.gov.cn")])
        .await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let mut browser = Browser::new(&desk);
    let form = browser.get("/desk/login").await;
    let cookie = form.header("set-cookie").unwrap_or_default();
    assert!(cookie.starts_with("xj_desk_login="), "{cookie}");
    assert!(
        cookie.contains("; Secure"),
        "the login form's token too: {cookie}"
    );
    let ok = browser.try_login("li", PASSWORD).await;
    let cookie = ok.header("set-cookie").unwrap_or_default();
    assert!(cookie.starts_with("xj_desk_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    desk.stop().await;
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (ticket, _) = file(&desk, HOME, "1号楼").await;
    let mut browser = Browser::new(&desk);
    browser.login("li").await;
    let path = format!("/desk/reports/{ticket}/status");
    let fields = [("status", "in_progress"), ("public_note", "已派人")];
    let missing = browser.post_raw(&path, &fields).await;
    assert_eq!(missing.status, 403, "{}", missing.text);
    let mut wrong: Vec<(&str, &str)> = vec![("csrf", "0000")];
    wrong.extend_from_slice(&fields);
    assert_eq!(browser.post_raw(&path, &wrong).await.status, 403);
    // The login form has its own token too.
    let mut fresh = Browser::new(&desk);
    let login = fresh
        .post_raw("/desk/login", &[("name", "li"), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, 403);
    let stored = desk
        .state()
        .store
        .desk_report(&ticket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.report.status.code(), "received", "nothing changed");
    desk.stop().await;
}

#[tokio::test]
async fn staff_of_another_community_get_404_by_url() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "zhao", "staff", &[OTHER]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let id = sample::random_uuid();
    let mut report = sample::report(&id);
    let jpeg = sample::jpeg(640, 480, 5000, false, 3);
    report["photos"] = json!([sample::photo(640, 480, &jpeg)]);
    let ticket = desk.post(&report).await.ticket();
    // The community's own staff see the photo through the desk, logged in.
    let mut li = Browser::new(&desk);
    assert_eq!(
        li.get(&format!("/desk/photos/{ticket}/0")).await.status,
        303
    );
    li.login("li").await;
    let photo = li.get(&format!("/desk/photos/{ticket}/0")).await;
    assert_eq!(photo.status, 200);
    assert_eq!(photo.header("content-type").as_deref(), Some("image/jpeg"));

    let mut browser = Browser::new(&desk);
    browser.login("zhao").await;
    let page = browser.get(&format!("/desk/reports/{ticket}")).await;
    assert_eq!(page.status, 404);
    assert!(!page.text.contains(&ticket));
    assert_eq!(
        browser
            .get(&format!("/desk/photos/{ticket}/0"))
            .await
            .status,
        404
    );
    let post = browser
        .post(
            &format!("/desk/reports/{ticket}/status"),
            &[("status", "rejected"), ("public_note", "x")],
        )
        .await;
    assert_eq!(post.status, 404);
    let list = browser.get("/desk/").await;
    assert!(!list.text.contains(&ticket), "not in their list either");
    // Admin pages do not exist for staff.
    assert_eq!(browser.get("/desk/audit").await.status, 404);
    assert_eq!(browser.get("/desk/overview").await.status, 404);
    desk.stop().await;
}

#[tokio::test]
async fn a_report_of_another_community_is_not_found_in_the_page_language_with_the_menu() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "zhao", "staff", &[OTHER]).await;
    let (ticket, _) = file(&desk, HOME, "5号楼").await;
    let mut browser = Browser::new(&desk);
    browser.login("zhao").await;
    let page = browser
        .get(&format!("/desk/reports/{ticket}?lang=en"))
        .await;
    assert_eq!(page.status, 404);
    assert!(page.text.contains("Page not found"), "{}", page.text);
    assert!(page.text.contains("Log out"), "{}", page.text);
    desk.stop().await;
}

#[tokio::test]
async fn a_report_the_database_cannot_read_is_unavailable_in_the_page_language() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (ticket, _) = file(&desk, HOME, "5号楼").await;
    let mut browser = Browser::new(&desk);
    browser.login("li").await;
    corrupt(
        &env,
        "UPDATE reports SET status = 'closed' WHERE ticket = $1",
        &ticket,
    )
    .await;
    let page = browser
        .get(&format!("/desk/reports/{ticket}?lang=en"))
        .await;
    assert_eq!(page.status, 503);
    assert!(
        page.text
            .contains("The database cannot be reached just now"),
        "{}",
        page.text
    );
    // The language link keeps the page's address.
    assert!(page.text.contains("lang=zh"), "{}", page.text);
    desk.stop().await;
}

#[tokio::test]
async fn each_view_of_contact_details_is_audited() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    add_account(&desk, "boss", "admin", &[]).await;
    let (ticket, _) = file(&desk, HOME, "1号楼").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("13912345678"), "hidden until asked for");
    assert!(page.text.contains("查看联系方式"));
    let shown = li
        .post(&format!("/desk/reports/{ticket}/contact"), &[])
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("13912345678") && shown.text.contains("王阿姨"));
    // The language switch on that page (a GET of the same address) goes back to the report.
    let switched = li
        .get(&format!("/desk/reports/{ticket}/contact?lang=en"))
        .await;
    assert_eq!(location(&switched), format!("/desk/reports/{ticket}"));

    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    let audit = boss.get(&format!("/desk/audit?ticket={ticket}")).await;
    assert_eq!(audit.status, 200);
    assert!(
        audit.text.contains("查看联系方式") && audit.text.contains(">li<"),
        "{}",
        audit.text
    );
    let entries = desk
        .state()
        .store
        .audit_entries(Some(&ticket), 10, 0)
        .await
        .unwrap();
    assert!(entries
        .iter()
        .any(|e| e.actor == "li" && e.action == "view_contact"));
    assert!(
        !audit.text.contains("13912345678"),
        "the log names no phone"
    );
    desk.stop().await;
}

async fn resident_status(desk: &TestDesk, ticket: &str, key: &str) -> Value {
    let answer = desk.status(ticket, Some(key)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

#[tokio::test]
async fn a_change_of_state_reaches_the_resident_with_its_public_note_only() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (ticket, key) = file(&desk, HOME, "1号楼").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    li.get(&format!("/desk/reports/{ticket}")).await;
    let path = format!("/desk/reports/{ticket}/status");
    let empty = li
        .post(&path, &[("status", "rejected"), ("public_note", " ")])
        .await;
    assert!(
        location(&empty).ends_with("error=note_required"),
        "a rejection needs a reason"
    );
    let done = li
        .post(
            &path,
            &[
                ("status", "in_progress"),
                ("public_note", "已派人查看"),
                ("internal_note", "物业老张"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    let status = resident_status(&desk, &ticket, &key).await;
    assert_eq!(status["status"], "in_progress");
    assert_eq!(status["note"], "已派人查看");
    assert_eq!(status["history"][1]["note"], "已派人查看");
    assert!(
        !status.to_string().contains("物业老张"),
        "internal notes stay in the desk"
    );

    // A template fills an empty note, in the resident's language.
    li.get(&format!("/desk/reports/{ticket}")).await;
    li.post(
        &path,
        &[
            ("status", "resolved"),
            ("resolution", "solved"),
            ("override_reason", "社区当场清理"),
            ("template", "cleared"),
            ("public_note", ""),
        ],
    )
    .await;
    let status = resident_status(&desk, &ticket, &key).await;
    assert_eq!(status["status"], "resolved");
    assert_eq!(status["note"], "已清理完毕，隐患已消除，感谢您的反映。");
    desk.stop().await;
}

#[tokio::test]
async fn not_satisfied_reopens_the_ticket_at_the_top_of_the_list() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (first, key) = file(&desk, HOME, "1号楼").await;
    let (second, _) = file(&desk, HOME, "2号楼").await;
    let store = &desk.state().store;
    let now = now_ms();
    let change = xinjing_desk::store::Change::Status {
        status: xinjing_contract::TicketStatus::Resolved,
        resolution: Some(xinjing_desk::store::Resolution::Solved),
        public_note: "已清理".into(),
        internal_note: None,
        override_reason: Some("测试：社区当场处理".into()),
    };
    assert_eq!(
        store
            .apply_change(&first, &change, "li", None, now)
            .await
            .unwrap(),
        xinjing_desk::store::Applied::Done
    );

    let feedback = desk
        .http
        .post(format!("{}/{first}/feedback", desk.api()))
        .header("X-Report-Key", &key)
        .json(&json!({ "satisfied": false, "comment": "车又停回来了" }))
        .send()
        .await
        .unwrap();
    assert_eq!(feedback.status(), 200);
    let status = resident_status(&desk, &first, &key).await;
    assert_eq!(status["status"], "received");
    let steps = status["history"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["reopened"], true, "{status}");
    assert_eq!(steps.last().unwrap()["status"], "received");

    let mut li = Browser::new(&desk);
    li.login("li").await;
    let list = li.get("/desk/").await.text;
    let (at_first, at_second) = (list.find(&first).unwrap(), list.find(&second).unwrap());
    assert!(at_first < at_second, "the reopened ticket is on top");
    assert!(list.contains("重办"));
    let page = li.get(&format!("/desk/reports/{first}")).await.text;
    assert!(
        page.contains("车又停回来了"),
        "the resident's comment is shown"
    );
    let events = store.events(&first).await.unwrap();
    let reopen = events.iter().find(|e| e.kind == "reopen").unwrap();
    assert_eq!(reopen.actor.as_deref(), Some("resident"));
    assert_eq!(reopen.status.as_deref(), Some("received"));
    desk.stop().await;
}

#[tokio::test]
async fn a_duplicate_shows_the_resident_where_it_was_merged() {
    let env = TestEnv::new().await;
    let desk = env.start(&[]).await;
    add_account(&desk, "li", "staff", &[HOME]).await;
    let (main, _) = file(&desk, HOME, "1号楼").await;
    let (dup, key) = file(&desk, HOME, "1号楼").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    li.get(&format!("/desk/reports/{dup}")).await;
    let done = li
        .post(&format!("/desk/reports/{dup}/duplicate"), &[("of", &main)])
        .await;
    assert!(
        location(&done).ends_with("done=duplicate"),
        "{}",
        location(&done)
    );
    let status = resident_status(&desk, &dup, &key).await;
    assert_eq!(status["merged_into"], main.as_str());
    assert_eq!(status["status"], "resolved");
    desk.stop().await;
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin() {
    use std::io::Write;
    let env = TestEnv::new().await;
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
            .args(args)
            .env_clear()
            .envs(env.vars.iter().cloned())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let added = run(
        &[
            "user",
            "add",
            "wang",
            "--role",
            "staff",
            "--community",
            HOME,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let short = run(
        &["user", "add", "x", "--role", "staff", "--community", HOME],
        "short\n",
    );
    assert!(!short.status.success());
    let no_area = run(
        &["user", "add", "y", "--role", "staff"],
        &format!("{PASSWORD}\n"),
    );
    assert!(!no_area.status.success());
    let list = run(&["user", "list"], "");
    assert!(String::from_utf8_lossy(&list.stdout).contains(&format!("wang\tstaff\t{HOME}")));

    let desk = env.start(&[]).await;
    let mut browser = Browser::new(&desk);
    browser.login("wang").await;
    let account = desk.state().store.account("wang").await.unwrap().unwrap();
    assert!(
        account.password_hash.starts_with("$argon2id$"),
        "{}",
        account.password_hash
    );
    // Someone who leaves: removed, and logged out at once.
    let removed = run(&["user", "remove", "wang"], "");
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    assert_eq!(browser.get("/desk/").await.status, 303);
    assert!(!run(&["user", "remove", "wang"], "").status.success());
    desk.stop().await;
}

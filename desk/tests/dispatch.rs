//! Dispatch and rectification (派单 · 整改): handling units from the configuration file,
//! unit accounts made with the binary, and a report dispatched from its page to a unit,
//! whose robot hears of it once. A desk on port 0 with a fresh database (SQLite, or
//! PostgreSQL with DESK_TEST_PG), fake robots on port 0, the desk's fake clock.

mod common;
#[path = "notify_support/mod.rs"]
mod support;

use common::staff::{add_account, Browser, PASSWORD};
use common::*;
use support::robots::Robot;
use support::*;
use xinjing_desk::sample;

const AREA: &str = "示例一村（演示）";
const OTHER_AREA: &str = "示例二苑（演示）";

/// Two units for the sample reports' area (one with a robot of its own), one for another.
fn units_toml() -> String {
    units_toml_with("")
}

/// The same, with more top-level keys.
fn units_toml_with(top: &str) -> String {
    format!(
        r#"
communities = ["{AREA}", "{OTHER_AREA}"]
{top}

[[unit]]
id = "xinkai"
name = "新凯物业"
kind = "property"
communities = ["{AREA}"]
robot = {{ kind = "wecom" }}

[[unit]]
id = "zhifa"
name = "新泾镇综合行政执法队"
kind = "enforcement"

[[unit]]
id = "erwuye"
name = "二苑物业"
kind = "property"
communities = ["{OTHER_AREA}"]
"#
    )
}

/// The unit robot's URL, from the environment as a town would give it.
fn robot_var(robot: &Robot) -> (String, String) {
    ("DESK_NOTIFY_UNIT_XINKAI_URL".into(), robot.url.clone())
}

/// `xinjing-desk user add NAME ARGS…` with the test's configuration file, the password on
/// stdin; its exit status and standard error.
fn user_add(
    env: &TestEnv,
    extra: &[(String, String)],
    name: &str,
    args: &[&str],
) -> (bool, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xinjing-desk"))
        .args(["user", "add", name])
        .args(args)
        .env_clear()
        .envs(env.vars.iter().cloned())
        .envs(extra.iter().cloned())
        .env("DESK_CONFIG", env.config_path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A unit's login: it lands on its task list.
async fn unit_login(desk: &TestDesk, name: &str) -> Browser {
    let mut browser = Browser::new(desk);
    let answer = browser.try_login(name, PASSWORD).await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let landing = browser.get("/desk/").await;
    assert_eq!(landing.status, 303, "{}", landing.text);
    assert_eq!(landing.header("location").as_deref(), Some("/desk/tasks"));
    browser
}

/// A report of the sample's area, in a category, with the resident's name and phone.
async fn file_report(desk: &TestDesk, category: &str) -> String {
    let mut report = personal_report(&sample::random_uuid());
    report["category"] = category.into();
    desk.post(&report).await.ticket()
}

#[tokio::test]
async fn the_units_are_listed_for_admins_only() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), now_ms())
        .await;
    add_account(&desk, "boss", "admin", &[]).await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    desk.state()
        .store
        .put_unit_account(
            "wang",
            &xinjing_desk::staff::auth::hash_password(PASSWORD).unwrap(),
            "xinkai",
            0,
        )
        .await
        .unwrap();

    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    let list = boss.get("/desk/").await;
    assert!(
        list.text.contains("href=\"/desk/units\""),
        "the menu links it"
    );
    let page = boss.get("/desk/units").await;
    assert_eq!(page.status, 200, "{}", page.text);
    for shown in [
        "新凯物业",
        "物业公司",
        "新泾镇综合行政执法队",
        "综合行政执法队",
        "二苑物业",
        OTHER_AREA,
        "wecom",
        "wang",
    ] {
        assert!(page.text.contains(shown), "{shown} on the page");
    }
    // The robot's key is never shown.
    assert!(!page.text.contains("wecom-test-key"));
    let en = boss.get("/desk/units?lang=en").await;
    assert!(en.text.contains("Handling units") && en.text.contains("enforcement team"));

    let mut li = Browser::new(&desk);
    li.login("li").await;
    assert_eq!(li.get("/desk/units").await.status, 404);
    desk.stop().await;
}

#[tokio::test]
async fn a_unit_account_made_in_the_shell_sees_its_units_tasks_only() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), now_ms())
        .await;

    // The shell: a unit account needs a unit the configuration knows.
    let (ok, error) = user_add(&env, &owned, "wang", &["--role", "unit"]);
    assert!(!ok && error.contains("--unit"), "{error}");
    let (ok, error) = user_add(
        &env,
        &owned,
        "wang",
        &["--role", "unit", "--unit", "nosuch"],
    );
    assert!(
        !ok && error.contains("nosuch") && error.contains("xinkai"),
        "{error}"
    );
    let (ok, error) = user_add(
        &env,
        &owned,
        "li",
        &["--role", "staff", "--community", AREA, "--unit", "xinkai"],
    );
    assert!(!ok && error.contains("--unit"), "{error}");
    for (name, unit) in [("wang", "xinkai"), ("zhao", "zhifa")] {
        let (ok, error) = user_add(&env, &owned, name, &["--role", "unit", "--unit", unit]);
        assert!(ok, "{error}");
    }
    add_account(&desk, "li", "staff", &[AREA]).await;

    // Two reports, one dispatched to each unit (by the one path every change takes).
    let mine = file_report(&desk, "flying_line_charging").await;
    let theirs = file_report(&desk, "private_rewiring").await;
    let at = now_ms();
    for (ticket, unit, instruction) in [
        (&mine, "xinkai", "拆除窗外飞线，清理充电插座"),
        (&theirs, "zhifa", "查处私拉电线"),
    ] {
        let change = xinjing_desk::store::Change::Dispatch {
            dispatch: xinjing_desk::store::Dispatch {
                task: sample::random_uuid(),
                unit: unit.into(),
                due_at: at + 86_400_000,
                instruction: instruction.into(),
                channel: None,
            },
            public_note: "已转交处理".into(),
            internal_note: unit.into(),
        };
        desk.change(ticket, change, at).await;
    }
    let task_of = |ticket: &str| {
        let store = desk.state().store.clone();
        let ticket = ticket.to_owned();
        async move { store.tasks_of_report(&ticket).await.unwrap()[0].id.clone() }
    };
    let (my_task, their_task) = (task_of(&mine).await, task_of(&theirs).await);

    // The unit logs in where a phone would, and lands on its own list.
    let mut wang = unit_login(&desk, "wang").await;
    let list = wang.get("/desk/tasks").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains(&mine) && !list.text.contains(&theirs));
    assert!(list.text.contains("飞线充电") && list.text.contains("还剩"));
    assert!(list.text.contains("width=device-width"), "made for a phone");
    assert!(
        list.text.contains("href=\"/desk/tasks\"") && !list.text.contains("href=\"/desk/posters\"")
    );
    let task = wang.get(&format!("/desk/tasks/{my_task}")).await;
    assert_eq!(task.status, 200, "{}", task.text);
    assert!(task.text.contains("拆除窗外飞线，清理充电插座") && task.text.contains("2号楼1单元"));
    // Never the resident's name, phone number or own words.
    for personal in PERSONAL {
        assert!(
            !task.text.contains(personal),
            "{personal} on the unit's page"
        );
    }
    // Another unit's task does not exist for it; nor does anything of the staff's.
    assert_eq!(
        wang.get(&format!("/desk/tasks/{their_task}")).await.status,
        404
    );
    for closed in [
        format!("/desk/reports/{mine}"),
        "/desk/export.csv".into(),
        "/desk/overview".into(),
        "/desk/units".into(),
        "/desk/posters".into(),
        format!("/desk/photos/{mine}/0"),
    ] {
        let answer = wang.get(&closed).await;
        assert_eq!(answer.status, 404, "{closed}: {}", answer.text);
    }
    let contact = wang
        .post(&format!("/desk/reports/{mine}/contact"), &[])
        .await;
    assert_eq!(contact.status, 404);
    assert!(!contact.text.contains("13912345678"));
    // Its password is its own to change.
    assert_eq!(wang.get("/desk/password").await.status, 200);

    // The other unit sees the other task; staff have no task list.
    let mut zhao = unit_login(&desk, "zhao").await;
    let list = zhao.get("/desk/tasks").await;
    assert!(list.text.contains(&theirs) && !list.text.contains(&mine));
    let mut li = Browser::new(&desk);
    li.login("li").await;
    assert_eq!(li.get("/desk/tasks").await.status, 404);
    // Staff of the area open the task's page (the notice's QR code leads there).
    assert_eq!(li.get(&format!("/desk/tasks/{my_task}")).await.status, 200);
    assert_eq!(
        li.get(&format!("/desk/tasks/{their_task}")).await.status,
        200
    );
    desk.stop().await;
}

/// The value of a form field on a page (`name="NAME" value="…"`, in either order).
fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let value = tag.split("value=\"").nth(1)?;
    Some(value.split('"').next()?.to_owned())
}

#[tokio::test]
async fn staff_dispatch_a_report_from_its_page_and_the_units_robot_hears_once() {
    let env = TestEnv::new().await;
    let (unit_robot, committee_robot) = (Robot::wecom().await, Robot::dingtalk().await);
    let mut owned = vec![robot_var(&unit_robot)];
    owned.extend(dingtalk_vars(&committee_robot));
    let start = now_ms();
    let (desk, clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    let ticket = file_report(&desk, "flying_line_charging").await;
    // The committee hears of the new report; the unit does not.
    run_now(&desk).await;
    assert_eq!((committee_robot.count(), unit_robot.count()), (1, 0));

    let mut li = Browser::new(&desk);
    li.login("li").await;
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(page.text.contains("派单整改"), "{}", page.text);
    // Only the units that serve the area; the due time is the category's: 24 h for a cable.
    assert!(page.text.contains("新凯物业") && page.text.contains("新泾镇综合行政执法队"));
    assert!(!page.text.contains("二苑物业"));
    let due = field_value(&page.text, "due").unwrap();
    assert_eq!(
        due,
        xinjing_desk::units::due::to_input(start + 24 * 3_600_000)
    );
    let seen = field_value(&page.text, "seen").unwrap();
    let path = format!("/desk/reports/{ticket}/dispatch");
    let form = |unit: &'static str, due: String, instruction: &'static str| {
        vec![
            ("seen", seen.clone()),
            ("unit", unit.to_owned()),
            ("due", due),
            ("instruction", instruction.to_owned()),
        ]
    };
    let instruction = "拆除窗外飞线，清理充电插座";

    // Without the CSRF token: refused, nothing kept.
    let fields = form("xinkai", due.clone(), instruction);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(li.post_raw(&path, &pairs).await.status, 403);
    // A unit that does not serve the area, a time gone by, no instruction: the page says so.
    for (fields, error) in [
        (form("erwuye", due.clone(), instruction), "bad_unit"),
        (
            form(
                "xinkai",
                xinjing_desk::units::due::to_input(start - 60_000),
                instruction,
            ),
            "bad_due",
        ),
        (form("xinkai", due.clone(), "  "), "instruction_required"),
    ] {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = li.post(&path, &pairs).await;
        assert_eq!(
            answer.header("location"),
            Some(format!("/desk/reports/{ticket}?error={error}"))
        );
    }
    assert!(desk
        .state()
        .store
        .tasks_of_report(&ticket)
        .await
        .unwrap()
        .is_empty());

    let fields = form("xinkai", due.clone(), instruction);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = li.post(&path, &pairs).await;
    assert_eq!(
        answer.header("location"),
        Some(format!("/desk/reports/{ticket}?done=dispatch"))
    );
    let tasks = desk.state().store.tasks_of_report(&ticket).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        (
            tasks[0].unit.as_str(),
            tasks[0].instruction.as_str(),
            tasks[0].due_at
        ),
        (
            "xinkai",
            instruction,
            xinjing_desk::units::due::from_input(&due).unwrap()
        )
    );
    let page = li
        .get(&format!("/desk/reports/{ticket}?done=dispatch"))
        .await;
    assert!(page.text.contains("已派单") && page.text.contains("待整改"));
    // The rectification notice: one A4 page whose QR code opens the unit's task.
    let notice_path = format!("/desk/reports/{ticket}/tasks/{}/notice", tasks[0].id);
    assert!(page.text.contains(&notice_path));
    let notice = li.get(&notice_path).await;
    assert_eq!(notice.status, 200, "{}", notice.text);
    for shown in [
        "整改通知书",
        "新凯物业",
        ticket.as_str(),
        instruction,
        "飞线充电",
    ] {
        assert!(notice.text.contains(shown), "{shown} on the notice");
    }
    let due_shown = xinjing_contract::time::display_shanghai(tasks[0].due_at as f64);
    assert!(notice.text.contains(&due_shown), "{due_shown}");
    assert_eq!(
        common::qr::decode_qr(&notice.text),
        format!("{}/desk/tasks/{}", desk.url, tasks[0].id)
    );
    for personal in PERSONAL {
        assert!(!notice.text.contains(personal), "{personal} on the notice");
    }
    // One live task at a time: no second form, and a second post changes nothing.
    assert!(!page.text.contains(&format!("action=\"{path}\"")));
    let seen_now = field_value(&page.text, "seen").unwrap();
    let mut again = form("zhifa", due.clone(), "再派一次");
    again[0].1 = seen_now;
    let pairs: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = li.post(&path, &pairs).await;
    assert_eq!(
        answer.header("location"),
        Some(format!("/desk/reports/{ticket}?error=bad_status"))
    );
    assert_eq!(
        desk.state()
            .store
            .tasks_of_report(&ticket)
            .await
            .unwrap()
            .len(),
        1
    );

    // The resident reads that it went to the property company, and by when; no name.
    let key = desk
        .state()
        .store
        .report_by_ticket(&ticket)
        .await
        .unwrap()
        .unwrap()
        .id;
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(status["status"], "in_progress");
    let note = status["note"].as_str().unwrap();
    assert!(
        note.contains("物业公司") && !note.contains("新凯") && !note.contains("li"),
        "{note}"
    );
    // Audited.
    let audit = desk
        .state()
        .store
        .audit_entries(Some(&ticket), 10, 0)
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.action == "dispatch"
        && a.actor == "li"
        && a.detail.as_deref() == Some("xinkai")));

    // The unit's robot: one message, with the place and a link to the unit's tasks, and
    // nothing personal; the committee's robot hears nothing more.
    clock.set(start + 1_000);
    run_now(&desk).await;
    run_now(&desk).await;
    assert_eq!((unit_robot.count(), committee_robot.count()), (1, 1));
    let message = unit_robot.requests()[0].json();
    let content = message["markdown"]["content"].as_str().unwrap();
    assert!(
        content.contains(&ticket) && content.contains("派单整改"),
        "{content}"
    );
    assert!(
        content.contains(&format!("{}/desk/tasks", desk.url)),
        "{content}"
    );
    assert_nothing_personal(&unit_robot.requests()[0].text());
    desk.stop().await;

    // A desk started again sends nothing twice.
    let (again, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start + 2_000)
        .await;
    run_now(&again).await;
    assert_eq!((unit_robot.count(), committee_robot.count()), (1, 1));
    again.stop().await;
}

/// A unit account made directly in the store (the shell has its own test above).
async fn add_unit_account(desk: &TestDesk, name: &str, unit: &str) {
    let hash = xinjing_desk::staff::auth::hash_password(PASSWORD).unwrap();
    desk.state()
        .store
        .put_unit_account(name, &hash, unit, 0)
        .await
        .unwrap();
}

/// Posts a form with a file as a browser does (`multipart/form-data`), with the browser's
/// session; `csrf` adds the token of the last page it read.
async fn post_with_photo(
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    photo: Option<&[u8]>,
    csrf: bool,
) -> Answer {
    let boundary = "----xinjing-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    let token = browser.csrf.clone().unwrap();
    if csrf {
        all.insert(0, ("csrf", &token));
    }
    for (name, value) in all {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some(photo) = photo {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"after.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(photo);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let session = browser
        .cookie(xinjing_desk::staff::auth::SESSION_COOKIE)
        .unwrap();
    let response = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}{path}", browser.base))
        .header(
            "Cookie",
            format!("{}={session}", xinjing_desk::staff::auth::SESSION_COOKIE),
        )
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    Answer::from(response).await
}

/// Dispatches `ticket` from its page to `unit`, with the form's default due time.
async fn dispatch_from_page(staff: &mut Browser, ticket: &str, unit: &str, instruction: &str) {
    let page = staff.get(&format!("/desk/reports/{ticket}")).await;
    let (seen, due) = (
        field_value(&page.text, "seen").unwrap(),
        field_value(&page.text, "due").unwrap(),
    );
    let answer = staff
        .post(
            &format!("/desk/reports/{ticket}/dispatch"),
            &[
                ("seen", &seen),
                ("unit", unit),
                ("due", &due),
                ("instruction", instruction),
            ],
        )
        .await;
    assert_eq!(
        answer.header("location"),
        Some(format!("/desk/reports/{ticket}?done=dispatch"))
    );
}

fn location(answer: &Answer) -> String {
    answer.header("location").unwrap_or_default()
}

#[tokio::test]
async fn a_phone_cameras_photo_is_shrunk_on_the_desk() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), now_ms())
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    let ticket = file_report(&desk, "flying_line_charging").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除窗外飞线").await;
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let task_path = format!("/desk/tasks/{}", task.id);
    let done = format!("{task_path}/done");
    let mut wang = unit_login(&desk, "wang").await;
    wang.get(&task_path).await;

    // Over the configured bound (15 MB): refused, and the page says so.
    let huge = vec![0xAB; 15 * 1024 * 1024 + 1];
    let answer = post_with_photo(&wang, &done, &[("note", "已拆除")], Some(&huge), true).await;
    assert_eq!(
        location(&answer),
        format!("{task_path}?error=photo_too_large")
    );
    let page = wang
        .get(&format!("{task_path}?error=photo_too_large"))
        .await;
    assert!(page.text.contains("照片太大"), "{}", page.text);

    // A 12-megapixel camera photo with its GPS position, megabytes long.
    let camera = sample::camera_jpeg(4000, 3000, 5);
    assert!(camera.len() > 1024 * 1024, "{}", camera.len());
    assert!(camera.windows(11).any(|w| w == b"GPSLatitude"));
    let answer =
        post_with_photo(&wang, &done, &[("note", "飞线已拆除")], Some(&camera), true).await;
    assert_eq!(location(&answer), format!("{task_path}?done=done"));
    let answered = desk.state().store.task(&task.id).await.unwrap().unwrap();
    let stored = desk
        .state()
        .photos
        .get(answered.photo_key.as_deref().unwrap())
        .await
        .unwrap();
    // Kept as the API keeps photos: 1600 px on the long edge, ≤ 400 KB, no metadata.
    let kept = xinjing_desk::jpeg::clean(&stored).unwrap();
    assert_eq!((kept.width, kept.height), (1600, 1200));
    assert!(stored.len() <= 400 * 1024, "{}", stored.len());
    assert_eq!(kept.dropped, 0);
    assert!(!stored.windows(11).any(|w| w == b"GPSLatitude"));
    // Staff see it on the review.
    li.get(&format!("/desk/reports/{ticket}")).await;
    let after = li.get(&format!("{task_path}/photo")).await;
    assert_eq!(after.status, 200);
    desk.stop().await;
}

#[tokio::test]
async fn the_unit_answers_with_an_after_photo_and_staff_fail_then_pass_the_review() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let start = now_ms();
    let (desk, clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    add_unit_account(&desk, "zhao", "zhifa").await;
    // A resident's 飞线充电 report with a photo of the cable.
    let id = sample::random_uuid();
    let mut report = sample::report_with_photos(&id, 1, 3000, 7);
    report["category"] = "flying_line_charging".into();
    let ticket = desk.post(&report).await.ticket();

    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除窗外飞线").await;
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let task_path = format!("/desk/tasks/{}", task.id);

    // The unit, on its phone.
    let mut wang = unit_login(&desk, "wang").await;
    let page = wang.get(&task_path).await;
    assert!(page.text.contains("enctype=\"multipart/form-data\"") && page.text.contains("退单"));
    let done = format!("{task_path}/done");
    // Without the CSRF token: refused, nothing kept.
    let with_exif = sample::jpeg(800, 600, 3000, true, 11);
    let refused =
        post_with_photo(&wang, &done, &[("note", "已拆除")], Some(&with_exif), false).await;
    assert_eq!(refused.status, 403);
    // No photo, a photo that is not a JPEG, one declaring more pixels than the desk
    // decodes: the page says which.
    for (photo, error) in [
        (None, "photo_required"),
        (Some(b"not a jpeg at all".as_slice()), "photo_unreadable"),
        (
            Some(&sample::jpeg(10_000, 8_000, 3000, false, 3)[..]),
            "photo_too_large",
        ),
    ] {
        let answer = post_with_photo(&wang, &done, &[("note", "已拆除")], photo, true).await;
        assert_eq!(location(&answer), format!("{task_path}?error={error}"));
    }
    let answer = post_with_photo(
        &wang,
        &done,
        &[("note", "飞线已拆除，插座已封")],
        Some(&with_exif),
        true,
    )
    .await;
    assert_eq!(location(&answer), format!("{task_path}?done=done"));
    let page = wang.get(&format!("{task_path}?done=done")).await;
    assert!(page.text.contains("已整改，待复查") && !page.text.contains("enctype="));
    // The after-photo is kept without its EXIF (and its GPS position).
    let answered = desk.state().store.task(&task.id).await.unwrap().unwrap();
    let stored = desk
        .state()
        .photos
        .get(answered.photo_key.as_deref().unwrap())
        .await
        .unwrap();
    assert!(!stored.windows(11).any(|w| w == b"GPSLatitude"));
    assert!(!xinjing_desk::jpeg::header_markers(&stored).contains(&0xE1));
    // Its name does not give the report id away, and the orphan sweep a day on keeps it.
    let after_key = answered.photo_key.clone().unwrap();
    assert!(!after_key.contains(&answered.report_id), "{after_key}");
    clock.set(start + 2 * 86_400_000);
    desk.desk().retention.run_now().await;
    assert_eq!(desk.state().photos.get(&after_key).await.unwrap(), stored);
    clock.set(start);
    // Another unit cannot answer it, nor can staff answer for the unit.
    let mut zhao = unit_login(&desk, "zhao").await;
    zhao.get("/desk/tasks").await;
    assert_eq!(zhao.get(&task_path).await.status, 404);
    let not_theirs = post_with_photo(&zhao, &done, &[("note", "x")], Some(&with_exif), true).await;
    assert_eq!(not_theirs.status, 404);

    // Review: the before photo and the after photo on the report's page.
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(page.text.contains(&format!("/desk/photos/{ticket}/0")));
    assert!(page.text.contains(&format!("{task_path}/photo")));
    let after = li.get(&format!("{task_path}/photo")).await;
    assert_eq!(after.status, 200);
    // The unit cannot review its own work.
    let review = format!("/desk/reports/{ticket}/tasks/{}/review", task.id);
    wang.get(&task_path).await;
    let own = wang
        .post(&review, &[("decision", "pass"), ("note", "ok")])
        .await;
    assert_eq!(own.status, 404);

    // Fail, with the reason and a new due time: back to the unit.
    clock.set(start + 3_600_000);
    let new_due = xinjing_desk::units::due::to_input(start + 30 * 3_600_000);
    li.get(&format!("/desk/reports/{ticket}")).await;
    let answer = li
        .post(
            &review,
            &[
                ("decision", "fail"),
                ("note", "插座仍在窗外，请一并拆除"),
                ("due", &new_due),
            ],
        )
        .await;
    assert_eq!(
        location(&answer),
        format!("/desk/reports/{ticket}?done=review_fail")
    );
    let page = wang.get(&task_path).await;
    assert!(page.text.contains("插座仍在窗外，请一并拆除") && page.text.contains("待整改"));
    let reopened = desk.state().store.task(&task.id).await.unwrap().unwrap();
    assert_eq!(
        Some(reopened.due_at),
        xinjing_desk::units::due::from_input(&new_due)
    );
    // The unit's robot hears of it once: the ticket, the reason, the new due time, a link.
    run_now(&desk).await;
    run_now(&desk).await;
    let failed: Vec<String> = robot
        .requests()
        .iter()
        .map(|r| r.json()["markdown"]["content"].as_str().unwrap().to_owned())
        .filter(|c| c.contains("复查未通过"))
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let content = &failed[0];
    let due_said = new_due.replace('T', " ");
    for said in [
        "复查未通过",
        ticket.as_str(),
        "插座仍在窗外，请一并拆除",
        due_said.as_str(),
        &format!("{}/desk/tasks", desk.url),
    ] {
        assert!(content.contains(said), "{said} in {content}");
    }

    // The unit answers again; staff pass it with a note the resident reads.
    let again = sample::jpeg(800, 600, 3000, false, 12);
    let answer = post_with_photo(&wang, &done, &[("note", "插座已拆除")], Some(&again), true).await;
    assert_eq!(location(&answer), format!("{task_path}?done=done"));
    li.get(&format!("/desk/reports/{ticket}")).await;
    let answer = li
        .post(
            &review,
            &[("decision", "pass"), ("note", "飞线和插座已拆除，复查合格")],
        )
        .await;
    assert_eq!(
        location(&answer),
        format!("/desk/reports/{ticket}?done=review_pass")
    );
    let passed = desk.state().store.task(&task.id).await.unwrap().unwrap();
    assert_eq!(passed.state, xinjing_desk::store::TaskState::Passed);
    let status = desk.status(&ticket, Some(&id)).await.json();
    assert_eq!(status["status"], "resolved");
    assert_eq!(status["note"], "飞线和插座已拆除，复查合格");
    let steps: Vec<&str> = status["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["received", "in_progress", "resolved"]);
    let audit = desk
        .state()
        .store
        .audit_entries(Some(&ticket), 50, 0)
        .await
        .unwrap();
    // (Steps at the same moment have no order among them: compared as a set.)
    let mut actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "dispatch",
            "review_fail",
            "review_pass",
            "task_done",
            "task_done"
        ]
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_unit_asks_for_more_time_once_and_gives_a_task_back() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let start = now_ms();
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "zhao", "zhifa").await;
    let ticket = file_report(&desk, "private_rewiring").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "zhifa", "查处私拉电线").await;
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let task_path = format!("/desk/tasks/{}", task.id);
    let more = format!("{task_path}/more-time");

    let mut zhao = unit_login(&desk, "zhao").await;
    zhao.get(&task_path).await;
    // Without a token: refused.
    let refused = zhao
        .post_raw(
            &more,
            &[
                ("reason", "需要协调供电公司"),
                ("until", "2099-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    // Not later than the due time: refused with the reason.
    let earlier = xinjing_desk::units::due::to_input(task.due_at - 3_600_000);
    let answer = zhao
        .post(
            &more,
            &[("reason", "需要协调供电公司"), ("until", &earlier)],
        )
        .await;
    assert_eq!(location(&answer), format!("{task_path}?error=bad_time"));
    let later = xinjing_desk::units::due::to_input(task.due_at + 48 * 3_600_000);
    let answer = zhao
        .post(&more, &[("reason", "需要协调供电公司"), ("until", &later)])
        .await;
    assert_eq!(location(&answer), format!("{task_path}?done=more_time"));
    // Once only.
    let page = zhao.get(&task_path).await;
    assert!(!page.text.contains(&format!("action=\"{more}\"")));
    let answer = zhao
        .post(&more, &[("reason", "再延一次"), ("until", &later)])
        .await;
    assert_eq!(location(&answer), format!("{task_path}?error=changed"));

    // Staff grant it: the due time moves.
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(page.text.contains("需要协调供电公司"));
    let decide = format!("/desk/reports/{ticket}/tasks/{}/more-time", task.id);
    let answer = li.post(&decide, &[("decision", "grant")]).await;
    assert_eq!(
        location(&answer),
        format!("/desk/reports/{ticket}?done=task_more_time_granted")
    );
    let granted = desk.state().store.task(&task.id).await.unwrap().unwrap();
    assert_eq!(
        Some(granted.due_at),
        xinjing_desk::units::due::from_input(&later)
    );

    // The unit gives it back: the committee can dispatch it again.
    zhao.get(&task_path).await;
    let answer = zhao
        .post(
            &format!("{task_path}/return"),
            &[("reason", "属物业管理范围，非执法事项")],
        )
        .await;
    assert_eq!(location(&answer), format!("{task_path}?done=returned"));
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(page.text.contains("已退单") && page.text.contains("属物业管理范围，非执法事项"));
    assert!(page
        .text
        .contains(&format!("action=\"/desk/reports/{ticket}/dispatch\"")));
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除私拉电线").await;
    assert_eq!(
        desk.state()
            .store
            .tasks_of_report(&ticket)
            .await
            .unwrap()
            .len(),
        2
    );
    desk.stop().await;
}

#[tokio::test]
async fn the_escalation_ladder_fires_each_step_once_at_its_time_across_a_restart() {
    let env = TestEnv::new().await;
    let (unit_robot, committee_robot, town_robot) = (
        Robot::wecom().await,
        Robot::dingtalk().await,
        Robot::webhook().await,
    );
    let mut owned = vec![
        robot_var(&unit_robot),
        ("DESK_NOTIFY_TOWN_URL".into(), town_robot.url.clone()),
        ("DESK_NOTIFY_TOWN_SECRET".into(), HOOK_SECRET.into()),
    ];
    owned.extend(dingtalk_vars(&committee_robot));
    let toml = units_toml_with("town_robot = { kind = \"webhook\" }\nescalate_town_hours = 24");
    let start = now_ms();
    let (desk, clock) = env
        .start_fake_with_file(&toml, &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    let ticket = file_report(&desk, "flying_line_charging").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除窗外飞线").await;
    run_now(&desk).await;
    // The new report to the committee, the task to the unit.
    let counts = || {
        (
            unit_robot.count(),
            committee_robot.count(),
            town_robot.count(),
        )
    };
    assert_eq!(counts(), (1, 1, 0));
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let (from, due) = (task.dispatched_at, task.due_at);
    let reminder = from + (due - from) * 3 / 4;
    let town = due + 24 * 3_600_000;

    // Each step at its time, once.
    for (at, expected, says) in [
        (reminder - 1, (1, 1, 0), None),
        (reminder, (2, 1, 0), Some("整改期限将到")),
        (reminder + 60_000, (2, 1, 0), None),
        (due - 1, (2, 1, 0), None),
        (due, (2, 2, 0), Some("整改超时")),
    ] {
        clock.set(at);
        run_now(&desk).await;
        run_now(&desk).await;
        assert_eq!(counts(), expected, "at {}", at - from);
        if let Some(says) = says {
            let last = [&unit_robot, &committee_robot]
                .iter()
                .flat_map(|r| r.requests())
                .map(|r| r.text())
                .find(|t| t.contains(says));
            assert!(last.is_some_and(|t| t.contains(&ticket)), "{says}");
        }
    }
    // (A day on, the morning's session has ended.)
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let list = li.get("/desk/").await;
    assert!(
        list.text.contains("超时 ") && list.text.contains("已报居委会"),
        "{}",
        list.text
    );
    desk.stop().await;

    // A desk started again sends none of them twice, and the town's step comes at its time.
    let (desk, clock) = env
        .start_fake_with_file(&toml, &vars(&owned, &[NO_POLL]), due + 60_000)
        .await;
    run_now(&desk).await;
    assert_eq!(counts(), (2, 2, 0));
    clock.set(town - 1);
    run_now(&desk).await;
    assert_eq!(counts(), (2, 2, 0));
    clock.set(town);
    run_now(&desk).await;
    run_now(&desk).await;
    assert_eq!(counts(), (2, 2, 1));
    let message = town_robot.requests()[0].json();
    assert_eq!(
        (message["event"].as_str(), message["ticket"].as_str()),
        (Some("town"), Some(ticket.as_str()))
    );
    assert_nothing_personal(&town_robot.requests()[0].text());
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let list = li.get("/desk/").await;
    assert!(list.text.contains("已报镇"), "{}", list.text);
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert_eq!(page.text.matches("超时升级").count(), 3);
    desk.stop().await;
}

#[tokio::test]
async fn a_resolved_cable_comes_back_in_thirty_days_and_a_failed_check_opens_a_linked_report() {
    use xinjing_contract::TicketStatus::Resolved;
    let env = TestEnv::new().await;
    let start = now_ms();
    let (desk, clock) = env.start_fake(&[], start).await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    let cable = file_report(&desk, "flying_line_charging").await;
    let bike = file_report(&desk, "ebike_in_stairwell").await;
    let escape = file_report(&desk, "blocked_fire_escape").await;
    for ticket in [&cable, &bike, &escape] {
        desk.set_status(ticket, Resolved, "已处理", start).await;
    }
    let month = 30 * 86_400_000;

    clock.set(start + month - 1);
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let page = li.get("/desk/rechecks").await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains(&cable) && !page.text.contains(&bike));
    clock.set(start + month);
    let page = li.get("/desk/rechecks").await;
    assert!(page.text.contains(&cable) && page.text.contains(&bike));
    assert!(
        !page.text.contains(&escape),
        "only cables and e-bikes come back"
    );

    // Still fixed: off the list.
    let answer = li
        .post(
            &format!("/desk/reports/{bike}/recheck"),
            &[("outcome", "fixed")],
        )
        .await;
    assert_eq!(
        location(&answer),
        format!("/desk/reports/{bike}?done=recheck")
    );
    // Back again: a note is needed, then a new report linked to the original.
    let path = format!("/desk/reports/{cable}/recheck");
    let answer = li.post(&path, &[("outcome", "relapse")]).await;
    assert_eq!(
        location(&answer),
        format!("/desk/reports/{cable}?error=note_required")
    );
    let answer = li
        .post(
            &path,
            &[("outcome", "relapse"), ("note", "南侧窗外又拉出飞线")],
        )
        .await;
    let target = location(&answer);
    let relapse = target
        .strip_prefix("/desk/reports/")
        .and_then(|t| t.strip_suffix("?done=recheck"))
        .unwrap()
        .to_owned();
    assert_ne!(relapse, cable);
    let page = li.get(&format!("/desk/reports/{relapse}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("复发自")
            && page
                .text
                .contains(&format!("href=\"/desk/reports/{cable}\""))
    );
    assert!(page.text.contains("南侧窗外又拉出飞线") && page.text.contains("已受理"));
    let original = li.get(&format!("/desk/reports/{cable}")).await;
    assert!(original.text.contains(&relapse) && original.text.contains("回头看"));
    let page = li.get("/desk/rechecks").await;
    assert!(!page.text.contains(&cable) && !page.text.contains(&bike));
    // Once: a second check of the same report changes nothing.
    let again = li
        .post(&path, &[("outcome", "relapse"), ("note", "再开一张")])
        .await;
    assert_eq!(
        location(&again),
        format!("/desk/reports/{cable}?error=bad_status")
    );
    let list = li.get("/desk/").await;
    assert_eq!(
        list.text.matches("南侧窗外").count(),
        0,
        "the list shows no free text"
    );
    assert!(list.text.contains(&relapse));
    desk.stop().await;
}

#[tokio::test]
async fn a_task_given_back_waits_for_the_committee_then_its_channels_then_the_town() {
    let env = TestEnv::new().await;
    let (unit_robot, committee_robot, town_robot) = (
        Robot::wecom().await,
        Robot::dingtalk().await,
        Robot::webhook().await,
    );
    let mut owned = vec![
        robot_var(&unit_robot),
        ("DESK_NOTIFY_TOWN_URL".into(), town_robot.url.clone()),
        ("DESK_NOTIFY_TOWN_SECRET".into(), HOOK_SECRET.into()),
    ];
    owned.extend(dingtalk_vars(&committee_robot));
    let toml = units_toml_with(
        "town_robot = { kind = \"webhook\" }\nescalate_town_hours = 24\nreturn_hours = 6",
    );
    let start = now_ms();
    let (desk, clock) = env
        .start_fake_with_file(&toml, &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let mut wang = unit_login(&desk, "wang").await;
    // Two reports given back: the committee acts on the second in time, not on the first.
    let mut given_back = Vec::new();
    for category in ["flying_line_charging", "private_rewiring"] {
        let ticket = file_report(&desk, category).await;
        dispatch_from_page(&mut li, &ticket, "xinkai", "请处理").await;
        let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
        let path = format!("/desk/tasks/{}", task.id);
        wang.get(&path).await;
        let answer = wang
            .post(
                &format!("{path}/return"),
                &[("reason", "不属本物业管理范围")],
            )
            .await;
        assert_eq!(location(&answer), format!("{path}?done=returned"));
        given_back.push(ticket);
    }
    let (late, acted) = (&given_back[0], &given_back[1]);
    run_now(&desk).await;
    run_now(&desk).await;
    let counts = || {
        (
            unit_robot.count(),
            committee_robot.count(),
            town_robot.count(),
        )
    };
    // Two dispatches to the unit, two new reports to the committee.
    assert_eq!(counts(), (2, 2, 0));
    let deadline = start + 6 * 3_600_000;
    let town = deadline + 24 * 3_600_000;

    // The problem list: waiting for the committee, with the time left.
    let list = li.get("/desk/").await;
    assert!(
        list.text
            .contains("退单 · 待居委会处理 · 还剩 6 小时 0 分钟"),
        "{}",
        list.text
    );
    li.cookies_set(xinjing_desk::staff::i18n::LANG_COOKIE, "en");
    let list = li.get("/desk/").await;
    assert!(list.text.contains("Given back · committee to act · left: "));
    li.cookies_set(xinjing_desk::staff::i18n::LANG_COOKIE, "zh");
    // The committee dispatches the second again in time.
    clock.set(start + 3_600_000);
    dispatch_from_page(&mut li, acted, "zhifa", "请执法队查处").await;

    for (at, expected) in [
        (deadline - 1, (2, 2, 0)),
        (deadline, (2, 3, 0)),
        (deadline + 60_000, (2, 3, 0)),
    ] {
        clock.set(at);
        run_now(&desk).await;
        run_now(&desk).await;
        assert_eq!(counts(), expected, "at {}", at - start);
    }
    let told = committee_robot.requests().last().unwrap().text();
    assert!(
        told.contains("单位退单，居委会超时未处理") && told.contains(late.as_str()),
        "{told}"
    );
    assert!(!told.contains(acted.as_str()));
    assert_nothing_personal(&told);
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let list = li.get("/desk/").await;
    assert!(
        list.text.contains("退单未处理 · 超时 1 分钟 · 已报居委会"),
        "{}",
        list.text
    );
    desk.stop().await;

    // Restarted: nothing twice; the town at its time, once.
    let (desk, clock) = env
        .start_fake_with_file(&toml, &vars(&owned, &[NO_POLL]), deadline + 120_000)
        .await;
    run_now(&desk).await;
    assert_eq!(counts(), (2, 3, 0));
    clock.set(town - 1);
    run_now(&desk).await;
    assert_eq!(counts(), (2, 3, 0));
    clock.set(town);
    run_now(&desk).await;
    run_now(&desk).await;
    assert_eq!(counts(), (2, 3, 1));
    let message = town_robot.requests()[0].json();
    assert_eq!(
        (message["event"].as_str(), message["ticket"].as_str()),
        (Some("returned_town"), Some(late.as_str()))
    );
    clock.set(town + 60_000);
    run_now(&desk).await;
    assert_eq!(counts(), (2, 3, 1));
    // Both steps are in the report's history.
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let page = li.get(&format!("/desk/reports/{late}")).await;
    assert!(page.text.contains("退单后超时未处理，已报居委会") && page.text.contains("已报镇"));
    desk.stop().await;
}

#[tokio::test]
async fn staff_share_the_contact_with_the_unit_for_one_task_only() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let start = now_ms();
    let (desk, clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    add_unit_account(&desk, "zhao", "zhifa").await;
    let ticket = file_report(&desk, "flying_line_charging").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除窗外飞线").await;
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let task_path = format!("/desk/tasks/{}", task.id);
    let mut wang = unit_login(&desk, "wang").await;
    let shows_contact = |text: &str| text.contains("王阿姨") || text.contains("13912345678");

    // Not shared: the unit's page has no name and no phone.
    let page = wang.get(&task_path).await;
    assert!(!shows_contact(&page.text), "{}", page.text);
    // Staff share it from the report's page; without the token, refused.
    let share = format!("/desk/reports/{ticket}/tasks/{}/share-contact", task.id);
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(page.text.contains(&format!("action=\"{share}\"")));
    assert_eq!(li.post_raw(&share, &[]).await.status, 403);
    assert!(!shows_contact(&wang.get(&task_path).await.text));
    // A unit cannot share it for itself.
    assert_eq!(wang.post(&share, &[]).await.status, 404);
    let answer = li.post(&share, &[]).await;
    assert_eq!(
        location(&answer),
        format!("/desk/reports/{ticket}?done=task_share_contact")
    );
    let page = li
        .get(&format!("/desk/reports/{ticket}?done=task_share_contact"))
        .await;
    assert!(page.text.contains("已向单位提供居民联系方式"));
    assert!(!page.text.contains(&format!("action=\"{share}\"")));
    let audit = desk
        .state()
        .store
        .audit_entries(Some(&ticket), 20, 0)
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "task_share_contact" && a.actor == "li"));

    // Now the unit's page shows them; another unit's account still gets 404.
    let page = wang.get(&task_path).await;
    assert!(
        page.text.contains("王阿姨") && page.text.contains("tel:13912345678"),
        "{}",
        page.text
    );
    let mut zhao = unit_login(&desk, "zhao").await;
    assert_eq!(zhao.get(&task_path).await.status, 404);

    // Retention erasure of a report left open still erases them from the unit's page.
    clock.set(start + 731 * 86_400_000);
    desk.desk().retention.run_now().await;
    // (Two years on, the morning's session has ended.)
    let mut wang = unit_login(&desk, "wang").await;
    let page = wang.get(&task_path).await;
    assert_eq!(page.status, 200);
    assert!(!shows_contact(&page.text), "{}", page.text);
    desk.stop().await;

    // A second report: shared, then the task ends (given back): hidden again.
    let (desk, clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    clock.set(start + 1_000);
    let ticket = file_report(&desk, "flying_line_charging").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除窗外飞线").await;
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let task_path = format!("/desk/tasks/{}", task.id);
    li.get(&format!("/desk/reports/{ticket}")).await;
    let share = format!("/desk/reports/{ticket}/tasks/{}/share-contact", task.id);
    li.post(&share, &[]).await;
    let mut wang = unit_login(&desk, "wang").await;
    assert!(shows_contact(&wang.get(&task_path).await.text));
    let answer = wang
        .post(&format!("{task_path}/return"), &[("reason", "不属本物业")])
        .await;
    assert_eq!(location(&answer), format!("{task_path}?done=returned"));
    let page = wang.get(&task_path).await;
    assert!(page.text.contains("已退单") && !shows_contact(&page.text));
    desk.stop().await;
}

#[tokio::test]
async fn closing_a_report_ends_its_live_task_and_hides_the_shared_contact() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let start = now_ms();
    let (desk, clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    let ticket = file_report(&desk, "flying_line_charging").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除窗外飞线").await;
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let task_path = format!("/desk/tasks/{}", task.id);
    li.get(&format!("/desk/reports/{ticket}")).await;
    let share = format!("/desk/reports/{ticket}/tasks/{}/share-contact", task.id);
    li.post(&share, &[]).await;
    let mut wang = unit_login(&desk, "wang").await;
    assert!(wang.get(&task_path).await.text.contains("13912345678"));

    // Staff resolve it on their own word: the unit's task ends with the report.
    li.get(&format!("/desk/reports/{ticket}")).await;
    let fields = [
        ("status", "resolved"),
        ("resolution", "solved"),
        ("override_reason", "社区当场清理"),
        ("public_note", "已处理"),
    ];
    li.post(&format!("/desk/reports/{ticket}/status"), &fields)
        .await;
    let report = desk
        .state()
        .store
        .desk_report(&ticket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        report.report.status,
        xinjing_contract::TicketStatus::Resolved
    );
    let tasks = desk.state().store.tasks_of_report(&ticket).await.unwrap();
    assert!(!tasks[0].state.is_live(), "{:?}", tasks[0].state);
    let page = wang.get(&task_path).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains("王阿姨") && !page.text.contains("13912345678"),
        "{}",
        page.text
    );
    // Past its due time, the ladder warns nobody about the closed report.
    clock.set(task.due_at + 86_400_000);
    assert!(desk
        .state()
        .store
        .climbing(task.due_at + 86_400_000)
        .await
        .unwrap()
        .is_empty());
    desk.stop().await;
}

#[tokio::test]
async fn a_town_account_reads_a_task_but_neither_shares_the_contact_nor_reviews() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), now_ms())
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_account(&desk, "zhen", "town", &[]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let mut wang = unit_login(&desk, "wang").await;
    wang.get("/desk/tasks").await;
    let (_, ticket, task) = answered_task(&desk, &mut li, &wang).await;
    let share = format!("/desk/reports/{ticket}/tasks/{}/share-contact", task.id);
    let review = format!("/desk/reports/{ticket}/tasks/{}/review", task.id);

    let mut zhen = Browser::new(&desk);
    zhen.login("zhen").await;
    let page = zhen.get(&format!("/desk/reports/{ticket}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains(&format!("action=\"{share}\"")));
    assert!(!page.text.contains(&format!("action=\"{review}\"")));
    assert_eq!(zhen.post(&share, &[]).await.status, 404);
    let pass = zhen
        .post(&review, &[("decision", "pass"), ("note", "复查合格")])
        .await;
    assert_eq!(pass.status, 404);
    // Nothing was kept: the task still waits for the committee, its contact unshared.
    let kept = desk.state().store.task(&task.id).await.unwrap().unwrap();
    assert_eq!(kept.state, xinjing_desk::store::TaskState::Answered);
    assert_eq!(kept.contact_shared_at, None);
    desk.stop().await;
}

#[tokio::test]
async fn a_review_passed_before_a_reopen_no_longer_waives_the_override() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), now_ms())
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let mut wang = unit_login(&desk, "wang").await;
    wang.get("/desk/tasks").await;
    let (_, ticket, task) = answered_task(&desk, &mut li, &wang).await;
    let page = format!("/desk/reports/{ticket}");
    let review = format!("{page}/tasks/{}/review", task.id);
    li.get(&page).await;
    li.post(&review, &[("decision", "pass"), ("note", "复查合格")])
        .await;
    li.get(&page).await;
    let reopen = li
        .post(
            &format!("{page}/reopen"),
            &[("public_note", "又有飞线"), ("internal_note", "")],
        )
        .await;
    assert!(location(&reopen).ends_with("done=reopen"));

    // Solved again on staff's word: the old pass does not count, a reason is needed.
    li.get(&page).await;
    let fields = [
        ("status", "resolved"),
        ("resolution", "solved"),
        ("public_note", "已处理"),
    ];
    let refused = li.post(&format!("{page}/status"), &fields).await;
    assert!(
        refused
            .text
            .contains("未经复查通过的“已解决”须填写例外原因"),
        "{}",
        refused.text
    );
    let report = desk
        .state()
        .store
        .desk_report(&ticket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        report.report.status,
        xinjing_contract::TicketStatus::Received
    );
    desk.stop().await;
}

#[tokio::test]
async fn the_resident_reads_the_kind_of_a_unit_added_on_the_page() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), now_ms())
        .await;
    add_account(&desk, "boss", "admin", &[]).await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    boss.get("/desk/units").await;
    let add = [
        ("id", "gongdian"),
        ("name", "新泾供电所"),
        ("kind", "power"),
        ("communities", AREA),
        ("robot", "none"),
    ];
    let answer = boss.post("/desk/units", &add).await;
    assert_eq!(location(&answer), "/desk/units?done=saved");

    let id = sample::random_uuid();
    let mut report = sample::report_with_photos(&id, 1, 3000, 7);
    report["category"] = "flying_line_charging".into();
    let ticket = desk.post(&report).await.ticket();
    let mut li = Browser::new(&desk);
    li.login("li").await;
    dispatch_from_page(&mut li, &ticket, "gongdian", "检查线路").await;
    let status = desk.status(&ticket, Some(&id)).await.json();
    assert_eq!(status["history"][1]["unit_kind"], "power", "{status}");
    desk.stop().await;
}

#[tokio::test]
async fn a_unit_another_desk_added_meanwhile_is_not_overwritten_by_an_add() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), now_ms())
        .await;
    add_account(&desk, "boss", "admin", &[]).await;
    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    boss.get("/desk/units").await;
    // Another desk on the same database added the id since this one last read its units.
    on_database(
        &env,
        &[
            "INSERT INTO units (id, name, kind, communities, active, updated_at, updated_by) \
           VALUES ('gongdian', '新泾供电所', 'power', NULL, 1, 1, 'other-admin')",
        ],
    )
    .await;
    let add = [
        ("id", "gongdian"),
        ("name", "供电抢修队"),
        ("kind", "power"),
        ("communities", AREA),
        ("robot", "none"),
        ("new", "1"),
    ];
    let answer = boss.post("/desk/units", &add).await;
    assert_eq!(location(&answer), "/desk/units?error=id_taken");
    let page = boss.get("/desk/units?error=id_taken").await;
    assert!(page.text.contains("新泾供电所") && !page.text.contains("供电抢修队"));
    desk.stop().await;
}

#[tokio::test]
async fn admins_edit_the_units_on_a_page_and_the_page_wins_over_the_file() {
    let env = TestEnv::new().await;
    let (old_robot, new_robot) = (Robot::wecom().await, Robot::wecom().await);
    let owned = [robot_var(&old_robot)];
    let start = now_ms();
    let (desk, clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "boss", "admin", &[]).await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    let page = boss.get("/desk/units").await;
    assert!(page.text.contains("新凯物业") && page.text.contains("配置文件"));

    // Staff cannot edit units; a form without its token is refused.
    assert_eq!(li.get("/desk/units").await.status, 404);
    let add = [
        ("id", "gongdian"),
        ("name", "新泾供电所"),
        ("kind", "power"),
        ("communities", AREA),
        ("robot", "none"),
    ];
    assert_eq!(li.post("/desk/units", &add).await.status, 404);
    assert_eq!(boss.post_raw("/desk/units", &add).await.status, 403);

    // Add a unit; rename another and give it a new robot; a robot that is no address is
    // refused.
    let answer = boss.post("/desk/units", &add).await;
    assert_eq!(location(&answer), "/desk/units?done=saved");
    // The add form does not overwrite a unit that has the id already.
    boss.get("/desk/units").await;
    let mut again = add.to_vec();
    again.push(("new", "1"));
    let answer = boss.post("/desk/units", &again).await;
    assert_eq!(location(&answer), "/desk/units?error=id_taken");
    boss.get("/desk/units").await;
    let bad = [
        ("id", "xinkai"),
        ("name", "新凯物业（新泾）"),
        ("kind", "property"),
        ("communities", AREA),
        ("robot", "wecom"),
        ("robot_url", "ftp://robot.example"),
    ];
    let answer = boss.post("/desk/units", &bad).await;
    assert_eq!(location(&answer), "/desk/units?error=bad_robot");
    let mut edit = bad;
    edit[5].1 = &new_robot.url;
    boss.get("/desk/units").await;
    let answer = boss.post("/desk/units", &edit).await;
    assert_eq!(location(&answer), "/desk/units?done=saved");
    let page = boss.get("/desk/units?done=saved").await;
    assert!(page.text.contains("新泾供电所") && page.text.contains("新凯物业（新泾）"));
    assert!(page.text.contains("本页设置"), "{}", page.text);
    // The robot's address is shown by its host only.
    assert!(!page.text.contains(&new_robot.url), "{}", page.text);
    // Deactivate the enforcement team.
    let answer = boss
        .post("/desk/units/zhifa/active", &[("active", "0")])
        .await;
    assert_eq!(location(&answer), "/desk/units?done=deactivated");

    // The dispatch form offers the units as edited; the renamed unit's new robot hears.
    let ticket = file_report(&desk, "flying_line_charging").await;
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(page.text.contains("新凯物业（新泾）") && page.text.contains("value=\"gongdian\""));
    assert!(!page.text.contains("value=\"zhifa\""));
    dispatch_from_page(&mut li, &ticket, "xinkai", "拆除窗外飞线").await;
    clock.set(start + 1_000);
    run_now(&desk).await;
    run_now(&desk).await;
    assert_eq!((old_robot.count(), new_robot.count()), (0, 1));

    // A unit with tasks cannot be deleted; one without can.
    boss.get("/desk/units").await;
    let answer = boss.post("/desk/units/xinkai/delete", &[]).await;
    assert_eq!(location(&answer), "/desk/units?error=has_tasks");
    let answer = boss.post("/desk/units/gongdian/delete", &[]).await;
    assert_eq!(location(&answer), "/desk/units?done=deleted");
    // Audited, never with the robot's address.
    let audit = desk.state().store.audit_entries(None, 50, 0).await.unwrap();
    for action in ["unit_add", "unit_edit", "unit_deactivate", "unit_delete"] {
        assert!(
            audit
                .iter()
                .any(|a| a.action == action && a.actor == "boss"),
            "{action}"
        );
    }
    assert!(audit
        .iter()
        .all(|a| !a.detail.as_deref().unwrap_or("").contains("127.0.0.1")));
    desk.stop().await;

    // Started again with the file, less a unit nobody edited and no task names: the page's
    // edits win, and the unit gone from the file is gone.
    let toml = units_toml();
    let without_erwuye = toml.split("[[unit]]\nid = \"erwuye\"").next().unwrap();
    assert!(toml.contains("二苑物业") && !without_erwuye.contains("二苑物业"));
    let (desk, _clock) = env
        .start_fake_with_file(without_erwuye, &vars(&owned, &[NO_POLL]), start + 2_000)
        .await;
    let mut boss = Browser::new(&desk);
    boss.login("boss").await;
    let page = boss.get("/desk/units").await;
    assert!(page.text.contains("新凯物业（新泾）") && !page.text.contains("新泾供电所"));
    assert!(page.text.contains("已停用") && !page.text.contains("二苑物业"));
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let ticket = file_report(&desk, "private_rewiring").await;
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(!page.text.contains("value=\"zhifa\""));
    desk.stop().await;
}

#[tokio::test]
async fn a_robot_set_on_the_units_page_is_never_logged_nor_shown_in_full() {
    let env = TestEnv::new().await;
    std::fs::write(
        env.config_path(),
        format!(
            "communities = [\"{AREA}\"]\n\n[[unit]]\nid = \"xinkai\"\nname = \"新凯物业\"\nkind = \"property\"\n"
        ),
    )
    .unwrap();
    let (ok, error) = user_add(&env, &[], "boss", &["--role", "admin"]);
    assert!(ok, "{error}");
    let config = env.config_path();
    // At debug level, the most the desk says (every page request is logged).
    let extra = [
        ("DESK_CONFIG", config.to_str().unwrap()),
        ("DESK_LOG", "debug"),
    ];
    let mut desk = DeskProcess::spawn(&env, &extra).await;
    let mut boss = Browser::at(&desk.url);
    boss.login("boss").await;
    boss.get("/desk/units").await;
    let (token, secret) = ("tok-7f3a9c2e", "s3cr3t-b81d44");
    let url = format!("http://127.0.0.1:9/hook?token={token}");
    let answer = boss
        .post(
            "/desk/units",
            &[
                ("id", "xinkai"),
                ("name", "新凯物业"),
                ("kind", "property"),
                ("robot", "webhook"),
                ("robot_url", &url),
                ("robot_secret", secret),
            ],
        )
        .await;
    assert_eq!(location(&answer), "/desk/units?done=saved");
    let page = boss.get("/desk/units").await;
    assert!(page.text.contains("http://127.0.0.1:9/…"), "{}", page.text);
    assert!(!page.text.contains(token) && !page.text.contains(secret));
    // The desk's log has the request (its path) and never the robot's token or secret.
    let said = |desk: &DeskProcess| {
        desk.log
            .lock()
            .unwrap()
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !said(&desk).contains("\"POST\"") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let log = said(&desk);
    assert!(
        log.contains("\"POST\"") && log.contains("/desk/units"),
        "{log}"
    );
    assert!(!log.contains(token) && !log.contains(secret), "{log}");
    desk.terminate().await;
}

/// Runs DDL on the desk's database behind its back (a fault no release would cause).
async fn on_database(env: &TestEnv, statements: &[&str]) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&env.database_url).await.unwrap();
    for sql in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

/// From now on, recording a pass on a task fails, as if the desk died right there.
async fn break_task_pass(env: &TestEnv) {
    if on_postgres() {
        on_database(
            env,
            &[
                "CREATE FUNCTION crash_on_pass() RETURNS trigger AS $$ BEGIN \
                 RAISE EXCEPTION 'crash'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER crash_on_pass BEFORE UPDATE ON dispatch_tasks FOR EACH ROW \
                 WHEN (NEW.state = 'passed') EXECUTE FUNCTION crash_on_pass()",
            ],
        )
        .await;
    } else {
        on_database(
            env,
            &[
                "CREATE TRIGGER crash_on_pass BEFORE UPDATE ON dispatch_tasks \
               WHEN NEW.state = 'passed' BEGIN SELECT RAISE(ABORT, 'crash'); END",
            ],
        )
        .await;
    }
}

async fn mend_task_pass(env: &TestEnv) {
    let drop = if on_postgres() {
        "DROP TRIGGER crash_on_pass ON dispatch_tasks"
    } else {
        "DROP TRIGGER crash_on_pass"
    };
    on_database(env, &[drop]).await;
}

/// A unit's task for a resident's 飞线充电 report with a photo, answered "done" with an
/// after-photo: (the report's key, its ticket, the task).
async fn answered_task(
    desk: &TestDesk,
    li: &mut Browser,
    wang: &Browser,
) -> (String, String, xinjing_desk::store::Task) {
    let id = sample::random_uuid();
    let mut report = sample::report_with_photos(&id, 1, 3000, 7);
    report["category"] = "flying_line_charging".into();
    let ticket = desk.post(&report).await.ticket();
    dispatch_from_page(li, &ticket, "xinkai", "拆除窗外飞线").await;
    let task = desk.state().store.tasks_of_report(&ticket).await.unwrap()[0].clone();
    let done = format!("/desk/tasks/{}/done", task.id);
    let photo = sample::jpeg(800, 600, 3000, true, 21);
    let answer = post_with_photo(wang, &done, &[("note", "已拆除")], Some(&photo), true).await;
    assert_eq!(
        location(&answer),
        format!("/desk/tasks/{}?done=done", task.id)
    );
    (id, ticket, task)
}

#[tokio::test]
async fn a_review_pass_cut_short_leaves_the_report_open_and_the_task_answered() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let start = now_ms();
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let mut wang = unit_login(&desk, "wang").await;
    wang.get("/desk/tasks").await;
    let (key, ticket, task) = answered_task(&desk, &mut li, &wang).await;
    let review = format!("/desk/reports/{ticket}/tasks/{}/review", task.id);

    break_task_pass(&env).await;
    li.get(&format!("/desk/reports/{ticket}")).await;
    let cut = li
        .post(&review, &[("decision", "pass"), ("note", "复查合格")])
        .await;
    assert_eq!(cut.status, 503, "{}", cut.text);
    // Neither half was kept: the resident still reads "being handled", the task waits.
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(status["status"], "in_progress");
    let kept = desk.state().store.task(&task.id).await.unwrap().unwrap();
    assert_eq!(kept.state, xinjing_desk::store::TaskState::Answered);

    // Once the fault is gone, the same pass goes through whole.
    mend_task_pass(&env).await;
    li.get(&format!("/desk/reports/{ticket}")).await;
    let answer = li
        .post(&review, &[("decision", "pass"), ("note", "复查合格")])
        .await;
    assert_eq!(
        location(&answer),
        format!("/desk/reports/{ticket}?done=review_pass")
    );
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(status["status"], "resolved");
    let kept = desk.state().store.task(&task.id).await.unwrap().unwrap();
    assert_eq!(kept.state, xinjing_desk::store::TaskState::Passed);
    desk.stop().await;
}

/// `GET {endpoint}/{ticket}/after-photo` with the report's key, if any.
async fn after_photo(desk: &TestDesk, ticket: &str, key: Option<&str>) -> (u16, Vec<u8>) {
    let mut request = desk
        .http
        .get(format!("{}/{ticket}/after-photo", desk.api()));
    if let Some(key) = key {
        request = request.header("X-Report-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Each step of the status answer: (state, step).
fn steps(status: &serde_json::Value) -> Vec<(String, String)> {
    status["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().unwrap_or("").to_owned();
            (text("status"), text("step"))
        })
        .collect()
}

#[tokio::test]
async fn the_resident_reads_each_step_and_sees_the_after_photo_only_once_public() {
    let env = TestEnv::new().await;
    let robot = Robot::wecom().await;
    let owned = [robot_var(&robot)];
    let start = now_ms();
    let (desk, _clock) = env
        .start_fake_with_file(&units_toml(), &vars(&owned, &[NO_POLL]), start)
        .await;
    add_account(&desk, "li", "staff", &[AREA]).await;
    add_unit_account(&desk, "wang", "xinkai").await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let mut wang = unit_login(&desk, "wang").await;
    wang.get("/desk/tasks").await;

    // Dispatched: the resident reads "passed to the property company, due …", no names.
    let (key, ticket, task) = answered_task(&desk, &mut li, &wang).await;
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(
        steps(&status),
        [
            ("received".to_owned(), String::new()),
            ("in_progress".to_owned(), "dispatched".to_owned())
        ]
    );
    let dispatched = &status["history"][1];
    assert_eq!(dispatched["unit_kind"], "property");
    assert_eq!(
        dispatched["due"].as_str(),
        Some(xinjing_contract::time::rfc3339_shanghai(task.due_at as f64).as_str())
    );
    let text = status.to_string();
    for private in ["新凯物业", "wang", "拆除窗外飞线", "已拆除"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    assert!(status.get("after_photo").is_none());
    assert_eq!(after_photo(&desk, &ticket, Some(&key)).await.0, 404);

    // Passed with the box left unticked (the default): fixed and checked, photo not shown.
    let page = li.get(&format!("/desk/reports/{ticket}")).await;
    assert!(page.text.contains("通过时向居民公开整改后照片"));
    assert!(!page
        .text
        .contains("name=\"photo_public\" value=\"on\" checked"));
    let review = format!("/desk/reports/{ticket}/tasks/{}/review", task.id);
    li.post(&review, &[("decision", "pass"), ("note", "复查合格")])
        .await;
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(
        steps(&status)[2],
        ("resolved".to_owned(), "checked".to_owned())
    );
    assert!(status.get("after_photo").is_none());
    assert_eq!(after_photo(&desk, &ticket, Some(&key)).await.0, 404);

    // Another report passed with the box ticked: the photo, to the report's key only.
    let (key, ticket, task) = answered_task(&desk, &mut li, &wang).await;
    li.get(&format!("/desk/reports/{ticket}")).await;
    let review = format!("/desk/reports/{ticket}/tasks/{}/review", task.id);
    li.post(
        &review,
        &[
            ("decision", "pass"),
            ("note", "复查合格"),
            ("photo_public", "on"),
        ],
    )
    .await;
    let status = desk.status(&ticket, Some(&key)).await.json();
    assert_eq!(
        status["after_photo"].as_str(),
        Some(format!("{ticket}/after-photo").as_str())
    );
    let (code, served) = after_photo(&desk, &ticket, Some(&key)).await;
    assert_eq!(code, 200);
    let passed = desk.state().store.task(&task.id).await.unwrap().unwrap();
    let kept = desk
        .state()
        .photos
        .get(passed.photo_key.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(served, kept.to_vec());
    assert!(!xinjing_desk::jpeg::header_markers(&served).contains(&0xE1));
    // Without the key, with another report's key: nothing.
    assert_eq!(after_photo(&desk, &ticket, None).await.0, 400);
    let other = sample::random_uuid();
    assert_eq!(after_photo(&desk, &ticket, Some(&other)).await.0, 404);
    desk.stop().await;
}

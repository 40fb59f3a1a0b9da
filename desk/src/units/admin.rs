//! `/desk/units`: the handling units, edited by admins. The configuration file's `[[unit]]`
//! tables seed them; what an admin adds or changes here is kept in the database and wins.
//! A robot's URL and secret are written, never shown back in full (the host only) and
//! never logged or audited. A unit that has tasks cannot be deleted, only deactivated.

use super::book::Entry;
use crate::config::units::UnitKind;
use crate::notify::config::{unit_channel, Kind};
use crate::staff::auth::{Admin, Staff};
use crate::staff::csrf::CsrfForm;
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::{tr, Lang};
use crate::staff::layout::{csrf_input, page};
use crate::state::AppState;
use crate::store::{RobotEdit, UnitApplied, UnitEdit};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Longest unit name, and list of communities.
const NAME_MAX: usize = 60;
const COMMUNITIES_MAX: usize = 4000;

/// The name of a unit's kind in the page's language.
pub fn kind_name(kind: UnitKind, lang: Lang) -> &'static str {
    tr(lang, kind.name_zh(), kind.name_en())
}

fn message(lang: Lang, code: &str) -> &'static str {
    match code {
        "saved" => tr(lang, "已保存", "Saved"),
        "deactivated" => tr(
            lang,
            "已停用：不再用于派单",
            "Deactivated: no longer offered on dispatch",
        ),
        "activated" => tr(lang, "已启用", "Activated"),
        "deleted" => tr(lang, "已删除", "Deleted"),
        "has_tasks" => tr(
            lang,
            "该单位有任务记录，不能删除，只能停用",
            "The unit has tasks: it cannot be deleted, only deactivated",
        ),
        "bad_id" => tr(
            lang,
            "编号只能用小写字母、数字和连字符（最多 32 个）",
            "The id takes lower-case letters, digits and '-' (32 at most)",
        ),
        "id_taken" => tr(lang, "该编号已被使用", "That id is taken"),
        "bad_name" => tr(
            lang,
            "请填写名称（最多 60 字）",
            "Write a name (60 characters at most)",
        ),
        "bad_kind" => tr(lang, "请选择类型", "Choose a kind"),
        "bad_community" => tr(
            lang,
            "服务小区须为本镇的小区，每行一个",
            "Communities must be the town's, one a line",
        ),
        _ => tr(
            lang,
            "机器人设置无效：请检查类型、地址（https）和密钥",
            "The robot is not valid: check its kind, address (https) and secret",
        ),
    }
}

fn back(key: &str, value: &str) -> Response {
    Redirect::to(&format!("/desk/units?{key}={value}")).into_response()
}

#[derive(Deserialize)]
pub struct UnitsQuery {
    done: Option<String>,
    error: Option<String>,
}

/// What the page says of a unit's robot: the platform and host, never the key or secret.
fn robot_said(entry: &Entry, lang: Lang) -> String {
    let t = |zh, en| tr(lang, zh, en);
    match &entry.unit.channel {
        None => t("无", "None").to_owned(),
        Some(c) => {
            let from = if entry.robot_from_page {
                t("本页设置", "set here")
            } else {
                t("配置文件", "configuration file")
            };
            format!("{} · {} · {from}", c.kind.code(), c.safe_url())
        }
    }
}

/// The fields a unit's form shares (add and edit).
fn fields(lang: Lang, prefix: &str, entry: Option<&Entry>) -> Markup {
    let t = |zh, en| tr(lang, zh, en);
    let unit = entry.map(|e| &e.unit);
    let communities = unit
        .and_then(|u| u.communities.as_ref())
        .map(|c| c.join("\n"))
        .unwrap_or_default();
    html! {
        label for={ (prefix) "-name" } { (t("名称", "Name")) }
        input id={ (prefix) "-name" } name="name" required maxlength=(NAME_MAX) value=[unit.map(|u| u.name.as_str())];
        label for={ (prefix) "-kind" } { (t("类型", "Kind")) }
        select id={ (prefix) "-kind" } name="kind" {
            @for kind in UnitKind::ALL {
                option value=(kind.code()) selected[unit.is_some_and(|u| u.kind == kind)] { (kind_name(kind, lang)) }
            }
        }
        label for={ (prefix) "-communities" } { (t("服务小区（每行一个；留空为全部）", "Communities (one a line; empty: all)")) }
        textarea id={ (prefix) "-communities" } name="communities" maxlength=(COMMUNITIES_MAX) { (communities) }
        label for={ (prefix) "-robot" } { (t("单位机器人", "Robot")) }
        select id={ (prefix) "-robot" } name="robot" {
            @if entry.is_some() {
                option value="keep" selected { (t("不变", "Keep as it is")) }
            }
            option value="config" selected[entry.is_none()] { (t("按配置文件", "As in the configuration file")) }
            option value="none" { (t("无", "None")) }
            @for kind in Kind::ALL {
                option value=(kind.code()) { (kind.code()) }
            }
        }
        label for={ (prefix) "-url" } { (t("机器人地址（仅在更换时填写）", "Robot address (only when changing it)")) }
        input id={ (prefix) "-url" } name="robot_url" type="url" autocomplete="off";
        label for={ (prefix) "-secret" } { (t("机器人密钥（仅在更换时填写）", "Robot secret (only when changing it)")) }
        input id={ (prefix) "-secret" } name="robot_secret" type="password" autocomplete="new-password";
    }
}

fn unit_card(staff: &Staff, entry: &Entry, accounts: &[(String, String)]) -> Markup {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let unit = &entry.unit;
    let names: Vec<&str> = accounts
        .iter()
        .filter(|(_, u)| *u == unit.id)
        .map(|(n, _)| n.as_str())
        .collect();
    let prefix = format!("u-{}", unit.id);
    html! {
        section.card aria-labelledby={ "h-" (prefix) } {
            h2 id={ "h-" (prefix) } {
                (unit.name) " " span.badge { (unit.id) }
                @if !entry.active { " " span.badge.overdue { (t("已停用", "Deactivated")) } }
            }
            dl.fields {
                dt { (t("类型", "Kind")) } dd { (kind_name(unit.kind, lang)) }
                dt { (t("服务小区", "Communities")) }
                dd { (unit.communities.as_ref().map_or_else(|| t("全部", "All").to_owned(), |c| c.join("、"))) }
                dt { (t("单位机器人", "Robot")) } dd { (robot_said(entry, lang)) }
                dt { (t("账号", "Accounts")) }
                dd { (if names.is_empty() { "—".to_owned() } else { names.join("、") }) }
            }
            details {
                summary { (t("修改", "Edit")) " " (unit.name) }
                form method="post" action="/desk/units" {
                    (csrf_input(staff))
                    input type="hidden" name="id" value=(unit.id);
                    (fields(lang, &prefix, Some(entry)))
                    button type="submit" { (t("保存", "Save")) }
                }
            }
            form.inline method="post" action={ "/desk/units/" (unit.id) "/active" } {
                (csrf_input(staff))
                input type="hidden" name="active" value=(if entry.active { "0" } else { "1" });
                button type="submit" class="secondary" {
                    (if entry.active { t("停用", "Deactivate") } else { t("启用", "Activate") }) " " (unit.name)
                }
            }
            form.inline method="post" action={ "/desk/units/" (unit.id) "/delete" } {
                (csrf_input(staff))
                button type="submit" class="danger" { (t("删除", "Delete")) " " (unit.name) }
            }
        }
    }
}

/// `GET /desk/units`
pub async fn units_page(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Query(q): Query<UnitsQuery>,
) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let accounts = state.store.unit_accounts().await?;
    // Another desk on the database may have changed them.
    reload(&state).await?;
    let units = state.units.all();
    let body = html! {
        @if let Some(done) = &q.done { p.ok role="status" { (message(lang, done)) } }
        @if let Some(error) = &q.error { p.error role="alert" { (message(lang, error)) } }
        p.hint { (t("配置文件的 [[unit]] 为初始设置；本页的修改保存在数据库中并优先。单位账号用 xinjing-desk user add 名称 --role unit --unit 单位编号 创建。",
                    "The configuration file's [[unit]] tables are the seed; edits made here are kept in the database and win. Unit accounts: xinjing-desk user add NAME --role unit --unit UNIT.")) }
        @if units.is_empty() {
            p.card { (t("尚未配置处置单位。", "No handling units are configured.")) }
        }
        @for entry in units.iter() {
            (unit_card(&staff, entry, &accounts))
        }
        section.card aria-labelledby="h-add" {
            h2 #h-add { (t("添加处置单位", "Add a unit")) }
            form method="post" action="/desk/units" {
                (csrf_input(&staff))
                input type="hidden" name="new" value="1";
                label for="n-id" { (t("编号（小写字母、数字、连字符）", "Id (lower-case letters, digits, '-')")) }
                input #n-id name="id" required maxlength="32" pattern="[a-z0-9-]+";
                (fields(lang, "n", None))
                button type="submit" { (t("添加", "Add")) }
            }
        }
    };
    Ok(page(Some(&staff), lang, t("处置单位", "Handling units"), body).into_response())
}

#[derive(Deserialize)]
pub struct UnitForm {
    /// Set by the add form: the id must be a new one.
    new: Option<String>,
    id: String,
    name: Option<String>,
    kind: Option<String>,
    communities: Option<String>,
    robot: Option<String>,
    robot_url: Option<String>,
    robot_secret: Option<String>,
}

fn filled(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The form as an edit, or the error code to show.
fn read_form(state: &AppState, form: &UnitForm) -> Result<UnitEdit, &'static str> {
    let id = form.id.trim();
    let valid_id = (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid_id {
        return Err("bad_id");
    }
    let name = filled(form.name.as_deref())
        .filter(|n| n.chars().count() <= NAME_MAX)
        .ok_or("bad_name")?;
    let kind = form
        .kind
        .as_deref()
        .and_then(UnitKind::from_code)
        .ok_or("bad_kind")?;
    let communities: Vec<String> = form
        .communities
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let known = &state.communities;
    if !known.is_empty() && communities.iter().any(|c| !known.contains(c)) {
        return Err("bad_community");
    }
    let robot = match form.robot.as_deref().unwrap_or("keep") {
        "keep" => None,
        "config" => Some(RobotEdit {
            kind: None,
            url: None,
            secret: None,
        }),
        "none" => Some(RobotEdit {
            kind: Some("none".into()),
            url: None,
            secret: None,
        }),
        kind => {
            let url = filled(form.robot_url.as_deref()).ok_or("bad_robot")?;
            let secret = filled(form.robot_secret.as_deref());
            let mut table = toml::Table::new();
            table.insert("kind".into(), kind.into());
            table.insert("url".into(), url.as_str().into());
            if let Some(secret) = &secret {
                table.insert("secret".into(), secret.as_str().into());
            }
            let name = crate::config::units::unit_channel_name(id);
            unit_channel(&toml::Value::Table(table), &name, &|_| None).map_err(|_| "bad_robot")?;
            Some(RobotEdit {
                kind: Some(kind.to_owned()),
                url: Some(url),
                secret,
            })
        }
    };
    Ok(UnitEdit {
        id: id.to_owned(),
        name,
        kind: kind.code().to_owned(),
        communities: (!communities.is_empty()).then(|| communities.join("\n")),
        robot,
    })
}

async fn reload(state: &AppState) -> Result<(), PageError> {
    state.units.reload(&state.store).await?;
    Ok(())
}

/// `POST /desk/units`: adds a unit, or saves one's changes.
pub async fn save(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> PageResult {
    let edit = match read_form(&state, &form) {
        Ok(edit) => edit,
        Err(code) => return Ok(back("error", code)),
    };
    if form.new.is_some() && state.units.get(&edit.id).is_some() {
        return Ok(back("error", "id_taken"));
    }
    // The cache above answers at once; the database decides when two desks add at once.
    let new = form.new.is_some();
    if !state
        .store
        .save_unit(&edit, new, &staff.name, state.now_ms())
        .await?
    {
        reload(&state).await?;
        return Ok(back("error", "id_taken"));
    }
    reload(&state).await?;
    Ok(back("done", "saved"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

/// `POST /desk/units/{id}/active`: deactivates or activates a unit.
pub async fn set_active(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> PageResult {
    let active = form.active == "1";
    let applied = state
        .store
        .set_unit_active(&id, active, &staff.name, state.now_ms())
        .await?;
    reload(&state).await?;
    match applied {
        UnitApplied::Done if active => Ok(back("done", "activated")),
        UnitApplied::Done => Ok(back("done", "deactivated")),
        _ => Err(PageError::not_found(&staff)),
    }
}

#[derive(Deserialize)]
pub struct NoFields {}

/// `POST /desk/units/{id}/delete`: only a unit that never had a task.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let applied = state
        .store
        .delete_unit(&id, &staff.name, state.now_ms())
        .await?;
    reload(&state).await?;
    match applied {
        UnitApplied::Done => Ok(back("done", "deleted")),
        UnitApplied::HasTasks => Ok(back("error", "has_tasks")),
        UnitApplied::Unknown => Err(PageError::not_found(&staff)),
    }
}

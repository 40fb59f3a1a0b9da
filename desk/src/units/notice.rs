//! The rectification notice (整改通知书): one A4 page staff print for a task and hand to
//! the unit (or post at the place): ticket, place, what to fix, the deadline, and a QR code
//! to the unit's task page, where the unit answers. Printed from the browser like the
//! stairwell posters, with their stylesheet.

use super::admin::kind_name;
use super::tasks::place;
use crate::posters::page::CSS_PATH;
use crate::posters::qr;
use crate::staff::access::visible_report;
use crate::staff::auth::Staff;
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::tr;
use crate::staff::layout::head;
use crate::staff::list::category_name;
use crate::staff::rules::local_time;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use maud::{html, DOCTYPE};
use std::sync::Arc;

/// The address the notice's QR code holds.
pub fn task_url(public_url: &str, id: &str) -> String {
    format!("{public_url}/desk/tasks/{id}")
}

/// `GET /desk/reports/{ticket}/tasks/{id}/notice`
pub async fn notice(
    State(state): State<Arc<AppState>>,
    staff: Staff,
    Path((ticket, id)): Path<(String, String)>,
) -> PageResult {
    let report = visible_report(&state, &staff, &ticket).await?;
    let task = match state.store.task(&id).await? {
        Some(task) if task.ticket == report.report.ticket => task,
        _ => return Err(PageError::not_found(&staff)),
    };
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let unit = state.units.get(&task.unit);
    let unit_name = unit
        .as_ref()
        .map_or(task.unit.as_str(), |u| u.name.as_str());
    let url = task_url(&state.public_url, &task.id);
    let code = qr::svg(&url, t("扫码打开整改任务", "Scan to open the task"));
    let back = format!("/desk/reports/{ticket}");
    let page = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            (head(html! { (t("整改通知书", "Rectification notice")) " · " (task.ticket) }, CSS_PATH))
            body {
                nav.toolbar aria-label=(t("通知书工具栏", "Notice toolbar")) {
                    a href=(back) { (t("返回工单", "Back to the report")) }
                    p { (t("用浏览器的“打印”（Ctrl+P）打印，纸张 A4。", "Print with the browser's Print (Ctrl+P) on A4.")) }
                }
                main {
                    section.sheet.notice {
                        h1.headline { (t("消防安全隐患整改通知书", "Fire hazard rectification notice")) }
                        p.place {
                            (unit_name)
                            @if let Some(unit) = unit { "（" (kind_name(unit.kind, lang)) "）" }
                            (t("：", ":"))
                        }
                        p { (t("经居民反映并核实，下列地点存在消防安全隐患，请按要求限期整改，整改后拍照回复。",
                               "Residents reported, and the committee confirmed, a fire hazard at the place below. Fix it by the deadline and answer with a photo.")) }
                        dl.notice-fields {
                            dt { (t("工单号", "Ticket")) } dd { (task.ticket) }
                            dt { (t("隐患类别", "Hazard")) } dd { (category_name(&task.category, lang)) }
                            dt { (t("地点", "Place")) } dd { (place(&task)) }
                            dt { (t("整改要求", "What to fix")) } dd { (task.instruction) }
                            dt { (t("整改期限", "Deadline")) } dd.deadline { (local_time(Some(task.due_at))) }
                        }
                        div.scan {
                            @if let Some(code) = code { figure.code { (code) } }
                            div.how {
                                p.big { (t("扫码回复整改结果", "Scan to answer")) }
                                p { (t("用单位账号登录后，上传整改后照片；不属本单位职责可退单，需要更多时间可申请延期一次。",
                                       "Log in with the unit's account, then send a photo of the fixed place; give it back if it is not yours, or ask once for more time.")) }
                                p.url { (url) }
                            }
                        }
                        p.signatures {
                            span { (t("签发：居委会（盖章）", "Issued by the committee (seal)")) }
                            span { (t("签收人：__________", "Received by: __________")) }
                        }
                        footer { (t("签发日期 ", "Issued ")) (local_time(Some(task.dispatched_at))) }
                    }
                }
            }
        }
    };
    Ok(page.into_response())
}

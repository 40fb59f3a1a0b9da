//! `/desk/units`: the handling units as configured, with their accounts (admins only;
//! the units are edited in the configuration file).

use crate::staff::auth::Admin;
use crate::staff::error::PageResult;
use crate::staff::i18n::{tr, Lang};
use crate::staff::layout::page;
use crate::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use maud::html;
use std::sync::Arc;

/// The name of a unit's kind in the page's language.
pub fn kind_name(kind: crate::config::units::UnitKind, lang: Lang) -> &'static str {
    tr(lang, kind.name_zh(), kind.name_en())
}

/// `GET /desk/units`
pub async fn units_page(State(state): State<Arc<AppState>>, Admin(staff): Admin) -> PageResult {
    let lang = staff.lang;
    let t = |zh, en| tr(lang, zh, en);
    let accounts = state.store.unit_accounts().await?;
    let units = &state.config.units;
    let body = html! {
        p.hint { (t("处置单位在配置文件的 [[unit]] 中定义；单位账号用 xinjing-desk user add 名称 --role unit --unit 单位编号 创建。",
                    "Units are defined by [[unit]] tables in the configuration file; their accounts by xinjing-desk user add NAME --role unit --unit UNIT.")) }
        @if units.is_empty() {
            p.card { (t("尚未配置处置单位。", "No handling units are configured.")) }
        } @else {
            table.list {
                caption.sr-only { (t("处置单位", "Handling units")) }
                thead { tr {
                    th scope="col" { (t("编号", "Id")) }
                    th scope="col" { (t("名称", "Name")) }
                    th scope="col" { (t("类型", "Kind")) }
                    th scope="col" { (t("服务小区", "Communities")) }
                    th scope="col" { (t("单位机器人", "Robot")) }
                    th scope="col" { (t("账号", "Accounts")) }
                } }
                tbody {
                    @for unit in units {
                        tr {
                            td data-label=(t("编号", "Id")) { (unit.id) }
                            td data-label=(t("名称", "Name")) { (unit.name) }
                            td data-label=(t("类型", "Kind")) { (kind_name(unit.kind, lang)) }
                            td data-label=(t("服务小区", "Communities")) {
                                (unit.communities.as_ref().map_or_else(|| t("全部", "All").to_owned(), |c| c.join("、")))
                            }
                            td data-label=(t("单位机器人", "Robot")) {
                                (unit.channel.as_ref().map_or_else(|| t("无", "None").to_owned(), |c| c.kind.code().to_owned()))
                            }
                            td data-label=(t("账号", "Accounts")) {
                                @let names: Vec<&str> = accounts.iter().filter(|(_, u)| *u == unit.id).map(|(n, _)| n.as_str()).collect();
                                (if names.is_empty() { "—".to_owned() } else { names.join("、") })
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Some(&staff), lang, t("处置单位", "Handling units"), body).into_response())
}

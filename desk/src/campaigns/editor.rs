//! The admins' campaign editor at `/desk/campaigns` (behind `Admin`; every POST through
//! `CsrfForm`). Each change is audited in its own transaction (see `store::campaigns`).

use super::form::CampaignForm;
use super::pages;
use crate::staff::auth::{encode_component, Admin};
use crate::staff::csrf::CsrfForm;
use crate::staff::error::{PageError, PageResult};
use crate::staff::i18n::tr;
use crate::staff::layout::page;
use crate::state::AppState;
use crate::store::CampaignChange;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;
use xinjing_contract::time::Date;

type Pairs = Vec<(String, String)>;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk/campaigns", get(list).post(create))
        .route("/desk/campaigns/new", get(new))
        .route("/desk/campaigns/{id}", get(edit).post(save))
        .route("/desk/campaigns/{id}/end", post(end))
}

fn today(state: &AppState) -> Date {
    Date::in_shanghai(state.now_ms() as f64)
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

async fn list(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Query(query): Query<Saved>,
) -> PageResult {
    let lang = staff.lang;
    let rows = state.store.campaigns().await?;
    let saved = query.saved.filter(|id| rows.iter().any(|r| &r.id == id));
    let body = pages::list(lang, &staff.csrf, &rows, today(&state), saved.as_deref());
    Ok(page(Some(&staff), lang, tr(lang, "宣传活动", "Campaigns"), body).into_response())
}

fn editor_page(
    staff: &crate::staff::auth::Staff,
    form: &CampaignForm,
    problems: &[super::form::Problem],
    id: Option<&str>,
) -> Response {
    let lang = staff.lang;
    let title = match id {
        Some(_) => tr(lang, "编辑宣传活动", "Edit campaign"),
        None => tr(lang, "新建宣传活动", "New campaign"),
    };
    let body = pages::editor(lang, &staff.csrf, form, problems, id);
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, page(Some(staff), lang, title, body)).into_response()
}

async fn new(State(state): State<Arc<AppState>>, Admin(staff): Admin) -> Response {
    let mut form = CampaignForm::default();
    form.fields.insert("priority".into(), "0".into());
    form.fields
        .insert("start".into(), today(&state).to_string());
    editor_page(&staff, &form, &[], None)
}

async fn edit(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Path(id): Path<String>,
) -> PageResult {
    match state.store.campaign(&id).await? {
        Some(row) => Ok(editor_page(
            &staff,
            &CampaignForm::from_entry(&row.entry),
            &[],
            Some(&id),
        )),
        None => Err(PageError::not_found(&staff)),
    }
}

fn saved(id: &str) -> Response {
    Redirect::to(&format!("/desk/campaigns?saved={}", encode_component(id))).into_response()
}

async fn create(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let form = CampaignForm::from_pairs(&pairs);
    let id = form.get("id").trim().to_owned();
    let mut problems = match form.check(&id) {
        Ok(entry) => match state
            .store
            .create_campaign(&entry, &staff.name, state.now_ms())
            .await?
        {
            CampaignChange::Done => return Ok(saved(&id)),
            _ => Vec::new(),
        },
        Err(problems) => problems,
    };
    if problems.is_empty() {
        problems.push(super::form::Problem {
            field: "id".into(),
            zh: "已有这个编号的宣传活动，请换一个".into(),
            en: "A campaign with this id exists already: choose another".into(),
        });
    }
    Ok(editor_page(&staff, &form, &problems, None))
}

async fn save(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let form = CampaignForm::from_pairs(&pairs);
    match form.check(&id) {
        Ok(entry) => match state
            .store
            .update_campaign(&id, &entry, &staff.name, state.now_ms())
            .await?
        {
            CampaignChange::Done => Ok(saved(&id)),
            _ => Err(PageError::not_found(&staff)),
        },
        Err(problems) => Ok(editor_page(&staff, &form, &problems, Some(&id))),
    }
}

#[derive(Deserialize)]
pub struct EndForm {
    ended: String,
}

async fn end(
    State(state): State<Arc<AppState>>,
    Admin(staff): Admin,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<EndForm>,
) -> PageResult {
    let ended = form.ended != "0";
    match state
        .store
        .end_campaign(&id, ended, &staff.name, state.now_ms())
        .await?
    {
        CampaignChange::Done => Ok(saved(&id)),
        _ => Err(PageError::not_found(&staff)),
    }
}

//! One ticket in "my reports": status, the committee's public note, "merged into", the
//! history, and the satisfaction question ("not satisfied" takes an optional comment).
//! Everything shown comes from the record kept on the phone, so it reads the same offline.

use super::after_photo::AfterPhoto;
use super::context::use_settings;
use super::tickets::use_ticket_desk;
use super::Shown;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinjing_contract::ticket::COMMENT_MAX;
use xinjing_core::follow_up::{check_comment, history_lines, latest_progress, shanghai_time};
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::my_reports::{StatusChange, TicketRecord};
use xinjing_core::report::{char_count, FieldError};

#[component]
pub fn TicketCardBody(record: TicketRecord) -> impl IntoView {
    let settings = use_settings();
    let status = record.status;
    let reopened = record.is_reopened();
    let updated = record.updated_at.as_deref().map(shanghai_time);
    let can_answer = record.can_give_feedback();
    // Where a dispatched report stands (passed to a unit, fixed and checked), worded in
    // the phone's language from the steps' data.
    let progress = latest_progress(&record.history, settings.lang.get_untracked()).is_some();
    let history = StoredValue::new(record.history.clone());
    view! {
        <article class="xj-item">
            <p class="xj-item-title">{move || record.category.name(settings.lang.get())}</p>
            {record.ticket.clone().map(|t| view! { <p class="xj-ticket-small">{settings.tr(Msg::TicketLabel)} " " <strong>{t}</strong></p> })}
            <p class="xj-muted">{record.created_at.get(..16).unwrap_or_default().replace('T', " ")} " · " {record.excerpt.clone()}</p>
            <p class="xj-status">
                <span class="xj-badge">{move || status.map(|s| s.name(settings.lang.get())).unwrap_or_else(|| settings.t(Msg::StatusUnknown))}</span>
                {reopened.then(|| view! { " " <span class="xj-badge xj-reopened">{settings.tr(Msg::Reopened)}</span> })}
                {updated.map(|u| view! { " " <span class="xj-muted">{move || fill(settings.t(Msg::UpdatedAt), &[("time", &u)])}</span> })}
            </p>
            {progress.then(|| view! { <p class="xj-progress">{move || latest_progress(&history.read_value(), settings.lang.get())}</p> })}
            {record.note.clone().map(|n| view! { <p class="xj-public-note"><span class="xj-muted">{settings.tr(Msg::PublicNote)}</span>{n}</p> })}
            {record.after_photo.is_some().then(|| view! { <AfterPhoto record=record.clone()/> })}
            {record.merged_into.clone().map(|t| view! { <p>{Signal::derive(move || fill(settings.t(Msg::MergedInto), &[("ticket", &t)]))}</p> })}
            <History history=record.history.clone()/>
            {can_answer.then(|| view! { <Verdict id=record.id.clone()/> })}
            {record.satisfied.map(|v| view! {
                <p class="xj-ok" role="status">{move || fill(settings.t(Msg::FeedbackThanks), &[("answer", settings.t(if v { Msg::Satisfied } else { Msg::NotSatisfied }))])}</p>
            })}
        </article>
    }
}

/// Each step with its Shanghai time, public note and the reopened ones marked; folded
/// behind a button so a card stays short on a phone.
#[component]
fn History(history: Vec<StatusChange>) -> impl IntoView {
    let settings = use_settings();
    let open = RwSignal::new(false);
    let history = StoredValue::new(history);
    (!history.with_value(Vec::is_empty)).then(move || {
        view! {
            <button type="button" class="xj-button" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {settings.tr(Msg::History)}
            </button>
            <Shown when=move || open.get()>
                <ol class="xj-history" aria-label=settings.tr(Msg::History)>
                    {move || history.with_value(|h| history_lines(h, settings.lang.get())).into_iter().map(|line| view! {
                        <li class:xj-reopened-step=line.reopened>
                            <span class="xj-muted">{line.when}</span> " " {line.what}
                            {line.note.map(|n| view! { <br/>{n} })}
                        </li>
                    }).collect_view()}
                </ol>
            </Shown>
        }
    })
}

/// "Were you satisfied?": satisfied is one tap; "not satisfied" opens an optional comment.
#[component]
fn Verdict(id: String) -> impl IntoView {
    let settings = use_settings();
    let desk = use_ticket_desk();
    let failed = RwSignal::new(false);
    let commenting = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FieldError>);
    let sending = RwSignal::new(false);
    let field_id = format!("xj-comment-{id}");
    let (count_id, error_id) = (format!("{field_id}-count"), format!("{field_id}-error"));
    let id = StoredValue::new(id);
    let send = move |satisfied: bool, text: Option<String>| {
        sending.set(true);
        spawn_local(async move {
            let ok = desk.send_feedback(id.get_value(), satisfied, text).await;
            sending.set(false);
            failed.set(!ok);
        });
    };
    let send_comment = move |_| match check_comment(&comment.get_untracked()) {
        // The text stays in the field, with the reason beside it.
        Err(problem) => error.set(Some(problem)),
        Ok(text) => {
            error.set(None);
            send(false, text);
        }
    };
    // Texts as `Signal<String>`: one renderer for them all (see `Settings::tr`).
    let count = Signal::derive(move || {
        let n = comment.with(|c| char_count(c)).to_string();
        fill(
            settings.t(Msg::CommentCount),
            &[("n", &n), ("max", &COMMENT_MAX.to_string())],
        )
    });
    let message = Signal::derive(move || {
        error
            .get()
            .map(|e| e.message(settings.lang.get()))
            .unwrap_or_default()
    });
    let described = {
        let (count_id, error_id) = (count_id.clone(), error_id.clone());
        move || match error.get() {
            Some(_) => format!("{count_id} {error_id}"),
            None => count_id.clone(),
        }
    };
    view! {
        <fieldset class="xj-feedback">
            <legend>{settings.tr(Msg::SatisfiedQuestion)}</legend>
            <div class="xj-actions">
                <button type="button" class="xj-button xj-primary" disabled=move || sending.get() on:click=move |_| send(true, None)>{settings.tr(Msg::Satisfied)}</button>
                <button type="button" class="xj-button" aria-expanded=move || commenting.get().to_string() on:click=move |_| commenting.set(true)>{settings.tr(Msg::NotSatisfied)}</button>
            </div>
            <Shown when=move || commenting.get()>
                <div class="xj-field">
                    <label for=field_id.clone()>{settings.tr(Msg::FieldComment)}</label>
                    <textarea id=field_id.clone() rows="3"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                        aria-invalid=move || error.get().map(|_| "true")
                        aria-describedby=described.clone()
                    ></textarea>
                    <p class="xj-count" class:xj-over=move || comment.with(|c| char_count(c) > COMMENT_MAX) id=count_id.clone()>{count}</p>
                    <p class="xj-error" id=error_id.clone()>{message}</p>
                    <button type="button" class="xj-button xj-primary" disabled=move || sending.get() on:click=send_comment>{settings.tr(Msg::SendFeedback)}</button>
                </div>
            </Shown>
            <Shown when=move || failed.get()>
                <p class="xj-error" role="alert">{settings.tr(Msg::FeedbackFailed)}</p>
            </Shown>
        </fieldset>
    }
}

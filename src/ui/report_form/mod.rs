//! The hazard report form. Validation and the payload come from `xinjing_core::report` (and
//! so from the contract crate); sending is one call to the outbox. This module binds inputs
//! to the draft and shows what those say:
//!
//! - `mod.rs` (here): the form, the category choice and what happens on "send";
//! - `fields.rs`: text fields, their hints and errors;
//! - `photos.rs`: the photo slots;
//! - `contact.rs`: optional contact details and the privacy notice;
//! - `similar.rs`: the hint that similar reports are already being handled.

mod contact;
mod fields;
mod photos;
mod similar;

use super::context::{use_form, use_outbox, use_settings, PhotoSlot, Screen};
use super::copy::CopyReport;
use super::draft;
use super::emergency::DangerCard;
use super::outbox::{use_sender, SubmitOutcome};
use super::Shown;
use crate::platform::clock::{now_ms, random_bytes};
use contact::ContactFields;
use contact::PrivacyNotice;
use fields::{input_id, text_field, Binding, FormErrors};
use leptos::prelude::*;
use leptos::task::spawn_local;
use photos::PhotoSlots;
use similar::SimilarHint;
use wasm_bindgen::JsCast;
use xinjing_contract::ids::uuid_v4;
use xinjing_contract::time::rfc3339_shanghai;
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::report::{
    build_payload, char_count, validate, Category, Envelope, Field, FieldError, DESCRIPTION_MAX,
};

const DANGER_VALUE: &str = "danger";

fn focus(id: &str) {
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[component]
pub fn ReportForm() -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    let outbox = use_outbox();
    let sender = use_sender();
    let errors = RwSignal::new(Vec::<(Field, FieldError)>::new());
    let attempted = RwSignal::new(false);
    let danger = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let not_kept = RwSignal::new(None::<String>);
    let server_error = RwSignal::new(None::<String>);

    let communities = Memo::new(move |_| {
        settings
            .ready_config()
            .map(|c| c.communities.clone())
            .unwrap_or_default()
    });
    // Keep what is typed; re-check as the resident corrects things once they tried to send.
    Effect::new(move |_| {
        let draft = form.draft.get();
        draft::persist(&draft);
        if attempted.get_untracked() {
            errors.set(validate(&draft, &communities.get_untracked()));
        }
    });

    let errs = FormErrors { errors, settings };
    let photo_working = move || form.photos.with(|s| s.contains(&PhotoSlot::Working));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(config) = settings.config_now() else {
            return;
        };
        if saving.get_untracked() || photo_working() {
            return;
        }
        not_kept.set(None);
        server_error.set(None);
        let mut draft = form.draft.get_untracked();
        draft.photos = form.ready_photos();
        let envelope = Envelope {
            id: uuid_v4(random_bytes()),
            created_at: rfc3339_shanghai(now_ms()),
            locale: settings.lang.get_untracked(),
            notice_version: &config.privacy.notice_version,
            client_version: env!("CARGO_PKG_VERSION"),
        };
        match build_payload(&draft, &config.communities, envelope) {
            Err(found) => {
                attempted.set(true);
                if let Some((first, _)) = found.first() {
                    focus(input_id(*first));
                }
                errors.set(found);
            }
            Ok(payload) => {
                saving.set(true);
                attempted.set(false);
                errors.set(Vec::new());
                let id = payload.id.clone();
                spawn_local(async move {
                    let outcome = sender.submit(payload).await;
                    saving.set(false);
                    match outcome {
                        SubmitOutcome::Delivered | SubmitOutcome::Queued => {
                            // Unless the resident has gone elsewhere meanwhile.
                            if settings.screen.get_untracked() == Screen::Report {
                                settings.go(Screen::Sent(id));
                            }
                        }
                        SubmitOutcome::Refused(message) => {
                            server_error.set(Some(message));
                            focus("xj-server-error");
                        }
                        SubmitOutcome::NotKept { text, .. } => not_kept.set(Some(text)),
                    }
                });
            }
        }
    };

    let on_category = move |ev| {
        let value = event_target_value(&ev);
        danger.set(value == DANGER_VALUE);
        form.draft
            .update(|d| d.category = Category::from_code(&value));
    };
    let category_value = move || {
        form.draft
            .with(|d| d.category.map(Category::code).unwrap_or(""))
    };

    view! {
        <section class="xj-section" aria-labelledby="xj-form-title">
            <h2 id="xj-form-title" tabindex="-1">{settings.tr(Msg::FormHeading)}</h2>
            <p class="xj-muted">{settings.tr(Msg::FormIntro)}</p>
            <Shown when=move || !outbox.storage_ok.get()>
                <p class="xj-note xj-warn" role="status">{settings.tr(Msg::StorageUnavailable)}</p>
            </Shown>
            <form class="xj-form" novalidate on:submit=submit>
                <div class="xj-field">
                    <label for=input_id(Field::Category)>{settings.tr(Msg::FieldCategory)}</label>
                    <select
                        id=input_id(Field::Category)
                        on:change=on_category
                        prop:value=move || if danger.get() { DANGER_VALUE } else { category_value() }
                        aria-invalid=move || errs.invalid(Field::Category)
                        aria-describedby=move || errs.described(Field::Category, None)
                    >
                        <option value="">{settings.tr(Msg::ChooseOne)}</option>
                        <option value=DANGER_VALUE>{settings.tr(Msg::DangerNow)}</option>
                        {Category::ALL.into_iter().map(|c| view! {
                            <option value=c.code()>{Signal::derive(move || c.name(settings.lang.get()))}</option>
                        }).collect_view()}
                    </select>
                    {move || errs.error(Field::Category)}
                </div>
                <Shown when=move || danger.get() fallback=move || view! {
                    <FormBody communities=communities errs=errs/>
                    <PrivacyNotice/>
                    <Shown when=move || not_kept.get().is_some()>
                        <CopyReport text=Signal::derive(move || not_kept.get().unwrap_or_default())/>
                    </Shown>
                    {move || server_error.get().map(|message| view! {
                        <p class="xj-error xj-summary" id="xj-server-error" tabindex="-1" role="alert">
                            {fill(settings.t(Msg::RejectedBy), &[("message", &message)])}
                        </p>
                    }.into_any())}
                    <Shown when=move || attempted.get() && errors.with(|e| !e.is_empty())>
                        <p class="xj-error xj-summary" role="alert">{settings.tr(Msg::ErrorSummary)}</p>
                    </Shown>
                    <button type="submit" class="xj-button xj-primary xj-wide" disabled=move || saving.get() || photo_working()>
                        {Signal::derive(move || if saving.get() { settings.t(Msg::Saving) } else { settings.t(Msg::Submit) })}
                    </button>
                }>
                    <DangerCard/>
                </Shown>
            </form>
        </section>
    }
}

/// Where, what, photos and contact: everything below the category.
#[component]
pub fn FormBody(communities: Memo<Vec<String>>, errs: FormErrors) -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    // The photo slots and the contact fields a task later: the fields a resident starts
    // with are usable sooner (built at once, the form was one task of 200-440 ms at 4x).
    let rest = RwSignal::new(false);
    spawn_local(async move {
        crate::platform::clock::sleep(0).await;
        rest.try_set(true);
    });
    let count = Signal::derive(move || {
        let n = form.draft.with(|d| char_count(&d.description));
        fill(settings.t(Msg::CharCount), &[("n", &n.to_string())])
    });
    let community = move || {
        if communities.with(Vec::is_empty) {
            text_field(
                Field::Community,
                Msg::FieldCommunity,
                None,
                "text",
                "off",
                Binding {
                    get: |d| d.community.clone(),
                    set: |d, v| d.community = v,
                },
                errs,
            )
            .into_any()
        } else {
            view! {
                <div class="xj-field">
                    <label for=input_id(Field::Community)>{settings.tr(Msg::FieldCommunity)}</label>
                    <select id=input_id(Field::Community) prop:value=move || form.draft.with(|d| d.community.clone())
                        on:change=move |ev| form.draft.update(|d| d.community = event_target_value(&ev))
                        aria-invalid=move || errs.invalid(Field::Community) aria-describedby=move || errs.described(Field::Community, None)>
                        <option value="">{settings.tr(Msg::ChooseOne)}</option>
                        {communities.get().into_iter().map(|name| view! { <option value=name.clone()>{name.clone()}</option> }).collect_view()}
                    </select>
                    {move || errs.error(Field::Community)}
                </div>
            }
            .into_any()
        }
    };
    view! {
        {move || community()}
        {text_field(Field::Building, Msg::FieldBuilding, None, "text", "off",
            Binding { get: |d| d.building.clone(), set: |d, v| d.building = v }, errs)}
        <SimilarHint/>
        {text_field(Field::Spot, Msg::FieldSpot, Some(("xj-spot-hint", Msg::SpotHint)), "text", "off",
            Binding { get: |d| d.spot.clone(), set: |d, v| d.spot = v }, errs)}
        <div class="xj-field">
            <label for=input_id(Field::Description)>{settings.tr(Msg::FieldDescription)}</label>
            <p class="xj-hint" id="xj-description-hint">{settings.tr(Msg::DescriptionHint)}</p>
            <textarea
                id=input_id(Field::Description)
                rows="4"
                prop:value=move || form.draft.with(|d| d.description.clone())
                on:input=move |ev| form.draft.update(|d| d.description = event_target_value(&ev))
                aria-invalid=move || errs.invalid(Field::Description)
                aria-describedby=move || errs.described(Field::Description, Some("xj-description-hint xj-description-count"))
            ></textarea>
            <p class="xj-count" class:xj-over=move || form.draft.with(|d| char_count(&d.description) > DESCRIPTION_MAX) id="xj-description-count">{count}</p>
            {move || errs.error(Field::Description)}
        </div>
        {move || rest.get().then(|| view! {
            <PhotoSlots/>
            <ContactFields errs=errs/>
        }.into_any())}
    }
}

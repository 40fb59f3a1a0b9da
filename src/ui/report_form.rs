//! The hazard report form. Validation and the payload come from `core::report`; this file
//! only binds inputs to the draft and shows what the core says.

use super::emergency::DangerCard;
use super::sender;
use super::state::{use_app, AppState, PhotoSlot, Screen};
use crate::core::i18n::{fill, Msg};
use crate::core::outbox::FirstAnswer;
use crate::core::report::{
    build_payload, char_count, validate, Category, Draft, Envelope, Field, FieldError, Photo,
    DESCRIPTION_MAX, MAX_PHOTOS,
};
use crate::platform::clock::{now_ms, random_bytes};
use crate::platform::{photo, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use xinjing_contract::ids::uuid_v4;
use xinjing_contract::time::rfc3339_shanghai;

const DANGER_VALUE: &str = "danger";

/// The contact a resident asked this phone to remember.
#[derive(Serialize, Deserialize)]
struct RememberedContact {
    name: String,
    phone: String,
}

/// Restores the text of an unfinished report and a remembered contact after a reload.
pub fn restore(app: AppState) {
    let mut draft: Draft = storage::get(storage::KEY_DRAFT)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    if let Some(contact) = storage::get(storage::KEY_CONTACT)
        .and_then(|json| serde_json::from_str::<RememberedContact>(&json).ok())
    {
        if draft.phone.is_empty() {
            draft.name = contact.name;
            draft.phone = contact.phone;
            draft.share_contact = true;
        }
        app.remember_contact.set(true);
    }
    let prefill = app.prefill.get_value();
    if draft.community.is_empty() {
        draft.community = prefill.community.unwrap_or_default();
    }
    if draft.building.is_empty() {
        draft.building = prefill.building.unwrap_or_default();
    }
    app.draft.set(draft);
}

/// Keeps the typed text on the device so a closed WeChat page loses nothing. Photos stay in
/// memory only (large, and personal until sent); name and phone are never kept here, only
/// under "remember my contact".
fn persist(draft: &Draft) {
    let kept = Draft {
        photos: Vec::new(),
        name: String::new(),
        phone: String::new(),
        share_contact: false,
        ..draft.clone()
    };
    if kept == Draft::default() {
        storage::remove(storage::KEY_DRAFT);
    } else if let Ok(json) = serde_json::to_string(&kept) {
        let _ = storage::set(storage::KEY_DRAFT, &json);
    }
}

pub fn load_draft(app: AppState, draft: Draft) {
    let mut slots: Vec<PhotoSlot> = draft.photos.iter().cloned().map(PhotoSlot::Ready).collect();
    slots.resize(MAX_PHOTOS, PhotoSlot::Empty);
    app.photos.set(slots);
    app.draft.set(Draft {
        photos: Vec::new(),
        ..draft
    });
}

pub fn reset_form(app: AppState) {
    storage::remove(storage::KEY_DRAFT);
    let remembered = app.remember_contact.get_untracked();
    app.draft.update(|d| {
        let keep = remembered.then(|| (d.name.clone(), d.phone.clone()));
        *d = Draft::default();
        if let Some((name, phone)) = keep {
            d.share_contact = true;
            d.name = name;
            d.phone = phone;
        }
    });
    app.photos.set(vec![PhotoSlot::Empty; MAX_PHOTOS]);
}

fn focus(id: &str) {
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Error text under a field, referenced by the input's `aria-describedby`.
/// The DOM id of a field's input, so labels point at it and the form can focus the first
/// error. A UI concern: the contract only names fields.
fn input_id(field: Field) -> &'static str {
    match field {
        Field::Category => "xj-category",
        Field::Community => "xj-community",
        Field::Building => "xj-building",
        Field::Spot => "xj-spot",
        Field::Description => "xj-description",
        Field::Name => "xj-name",
        Field::Phone => "xj-phone",
        Field::Photos => "xj-photo-0",
        Field::Envelope => "xj-category",
    }
}

fn error_id(field: Field) -> String {
    format!("{}-error", input_id(field))
}

/// The form's validation messages, as the core reported them.
#[derive(Clone, Copy)]
struct FormErrors {
    errors: RwSignal<Vec<(Field, FieldError)>>,
    app: AppState,
}

impl FormErrors {
    fn message(self, field: Field) -> Option<String> {
        let lang = self.app.lang.get();
        self.errors.with(|e| {
            e.iter()
                .find(|(f, _)| *f == field)
                .map(|(_, e)| e.message(lang))
        })
    }

    fn invalid(self, field: Field) -> Option<&'static str> {
        self.message(field).map(|_| "true")
    }

    /// `aria-describedby`: the hint, then the error when there is one.
    fn described(self, field: Field, hint: Option<&'static str>) -> Option<String> {
        let mut ids: Vec<String> = hint.map(str::to_owned).into_iter().collect();
        if self.message(field).is_some() {
            ids.push(error_id(field));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn view(self, field: Field) -> impl IntoView {
        move || {
            self.message(field)
                .map(|text| view! { <p class="xj-error" id=error_id(field)>{text}</p> })
        }
    }
}

#[component]
pub fn ReportForm() -> impl IntoView {
    let app = use_app();
    let errors = RwSignal::new(Vec::<(Field, FieldError)>::new());
    let attempted = RwSignal::new(false);
    let danger = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let server_error = RwSignal::new(None::<String>);

    // Re-check as the resident corrects things, once they have tried to send.
    Effect::new(move |_| {
        let draft = app.draft.get();
        persist(&draft);
        if attempted.get_untracked() {
            let communities = app
                .ready_config()
                .map(|c| c.communities.clone())
                .unwrap_or_default();
            errors.set(validate(&draft, &communities));
        }
    });

    let errs = FormErrors { errors, app };

    let communities = Memo::new(move |_| {
        app.ready_config()
            .map(|c| c.communities.clone())
            .unwrap_or_default()
    });
    let photo_working = move || app.photos.with(|s| s.contains(&PhotoSlot::Working));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(config) = app.ready_config() else {
            return;
        };
        if saving.get_untracked() || photo_working() {
            return;
        }
        failure.set(None);
        let mut draft = app.draft.get_untracked();
        draft.photos = app.photos.with_untracked(|slots| {
            slots
                .iter()
                .filter_map(|s| {
                    if let PhotoSlot::Ready(p) = s {
                        Some(p.clone())
                    } else {
                        None
                    }
                })
                .collect()
        });
        let envelope = Envelope {
            id: uuid_v4(random_bytes()),
            created_at: rfc3339_shanghai(now_ms()),
            locale: app.lang.get_untracked(),
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
                spawn_local(async move {
                    let remember = app.remember_contact.get_untracked();
                    let queued = app.storage_ok.get_untracked()
                        && sender::queue(app, &payload).await.is_ok();
                    let outcome = if queued {
                        sender::first_attempt(app, &payload.id).await
                    } else {
                        app.storage_ok.set(false);
                        match sender::send_direct(app, &payload).await {
                            Ok(_) => FirstAnswer::Delivered,
                            Err(message) => {
                                failure.set(Some(crate::core::report::report_as_text(
                                    &payload,
                                    app.lang.get_untracked(),
                                )));
                                FirstAnswer::Refused(message)
                            }
                        }
                    };
                    // The resident may have gone to another tab meanwhile; then a queued
                    // report stays in the outbox ("my reports" offers any correction) and
                    // the screen is left where they put it. One sent directly (no
                    // storage) exists only in the form, so a refusal always returns there.
                    let still_here = app.screen.get_untracked() == Screen::Report;
                    match outcome {
                        FirstAnswer::Refused(message) if still_here || !queued => {
                            if queued {
                                sender::take_back(app, &payload.id).await;
                            }
                            // Everything still as typed: show why and let them fix it.
                            server_error.set(Some(message));
                            focus("xj-server-error");
                        }
                        _ => {
                            remember_contact(remember, &payload);
                            attempted.set(false);
                            errors.set(Vec::new());
                            server_error.set(None);
                            reset_form(app);
                            if still_here {
                                app.screen.set(Screen::Sent(payload.id.clone()));
                            }
                        }
                    }
                    saving.set(false);
                });
            }
        }
    };

    let on_category = move |ev| {
        let value = event_target_value(&ev);
        danger.set(value == DANGER_VALUE);
        app.draft
            .update(|d| d.category = Category::from_code(&value));
    };
    let category_value = move || {
        app.draft
            .with(|d| d.category.map(Category::code).unwrap_or(""))
    };

    view! {
        <section class="xj-section" aria-labelledby="xj-form-title">
            <h2 id="xj-form-title" tabindex="-1">{app.tr(Msg::FormHeading)}</h2>
            <p class="xj-muted">{app.tr(Msg::FormIntro)}</p>
            <Show when=move || !app.storage_ok.get()>
                <p class="xj-note xj-warn" role="status">{app.tr(Msg::StorageUnavailable)}</p>
            </Show>
            <form class="xj-form" novalidate on:submit=submit>
                <div class="xj-field">
                    <label for="xj-category">{app.tr(Msg::FieldCategory)}</label>
                    <select
                        id="xj-category"
                        on:change=on_category
                        prop:value=move || if danger.get() { DANGER_VALUE } else { category_value() }
                        aria-invalid=move || errs.invalid(Field::Category)
                        aria-describedby=move || errs.described(Field::Category, None)
                    >
                        <option value="">{app.tr(Msg::ChooseOne)}</option>
                        <option value=DANGER_VALUE>{app.tr(Msg::DangerNow)}</option>
                        {Category::ALL.into_iter().map(|c| view! {
                            <option value=c.code()>{move || c.name(app.lang.get())}</option>
                        }).collect_view()}
                    </select>
                    {errs.view(Field::Category)}
                </div>
                <Show when=move || danger.get() fallback=move || view! {
                    <FormBody communities=communities errs=errs/>
                    <PrivacyNotice/>
                    <Show when=move || failure.get().is_some()>
                        <CopyReport text=Signal::derive(move || failure.get().unwrap_or_default())/>
                    </Show>
                    {move || server_error.get().map(|message| view! {
                        <p class="xj-error xj-summary" id="xj-server-error" tabindex="-1" role="alert">
                            {fill(app.t(Msg::RejectedBy), &[("message", &message)])}
                        </p>
                    })}
                    <Show when=move || attempted.get() && errors.with(|e| !e.is_empty())>
                        <p class="xj-error xj-summary" role="alert">{app.tr(Msg::ErrorSummary)}</p>
                    </Show>
                    <button type="submit" class="xj-button xj-primary xj-wide" disabled=move || saving.get() || photo_working()>
                        {move || if saving.get() { app.t(Msg::Saving) } else { app.t(Msg::Submit) }}
                    </button>
                }>
                    <DangerCard/>
                </Show>
            </form>
        </section>
    }
}

fn remember_contact(remember: bool, payload: &crate::core::report::ReportPayload) {
    match (&payload.contact, remember) {
        (Some(contact), true) => {
            let saved = RememberedContact {
                name: contact.name.clone(),
                phone: contact.phone.clone(),
            };
            if let Ok(json) = serde_json::to_string(&saved) {
                let _ = storage::set(storage::KEY_CONTACT, &json);
            }
        }
        _ => storage::remove(storage::KEY_CONTACT),
    }
}

#[component]
fn FormBody(communities: Memo<Vec<String>>, errs: FormErrors) -> impl IntoView {
    let app = use_app();
    let text_input = move |field: Field,
                           label: Msg,
                           hint: Option<(&'static str, Msg)>,
                           get: fn(&Draft) -> String,
                           set: fn(&mut Draft, String)| {
        view! {
            <div class="xj-field">
                <label for=input_id(field)>{app.tr(label)}</label>
                {hint.map(|(id, msg)| view! { <p class="xj-hint" id=id>{app.tr(msg)}</p> })}
                <input
                    id=input_id(field)
                    type="text"
                    autocomplete="off"
                    prop:value=move || app.draft.with(get)
                    on:input=move |ev| app.draft.update(|d| set(d, event_target_value(&ev)))
                    aria-invalid=move || errs.invalid(field)
                    aria-describedby=move || errs.described(field, hint.map(|(id, _)| id))
                />
                {errs.view(field)}
            </div>
        }
    };
    let count = move || {
        fill(
            app.t(Msg::CharCount),
            &[(
                "n",
                &app.draft.with(|d| char_count(&d.description)).to_string(),
            )],
        )
    };
    let over = move || {
        app.draft
            .with(|d| char_count(&d.description) > DESCRIPTION_MAX)
    };
    view! {
        <div class="xj-field">
            <label for="xj-community">{app.tr(Msg::FieldCommunity)}</label>
            {move || if communities.with(Vec::is_empty) {
                view! {
                    <input id="xj-community" type="text" prop:value=move || app.draft.with(|d| d.community.clone())
                        on:input=move |ev| app.draft.update(|d| d.community = event_target_value(&ev))
                        aria-invalid=move || errs.invalid(Field::Community) aria-describedby=move || errs.described(Field::Community, None)/>
                }.into_any()
            } else {
                view! {
                    <select id="xj-community" prop:value=move || app.draft.with(|d| d.community.clone())
                        on:change=move |ev| app.draft.update(|d| d.community = event_target_value(&ev))
                        aria-invalid=move || errs.invalid(Field::Community) aria-describedby=move || errs.described(Field::Community, None)>
                        <option value="">{app.tr(Msg::ChooseOne)}</option>
                        {communities.get().into_iter().map(|name| view! { <option value=name.clone()>{name.clone()}</option> }).collect_view()}
                    </select>
                }.into_any()
            }}
            {errs.view(Field::Community)}
        </div>
        {text_input(Field::Building, Msg::FieldBuilding, None, |d| d.building.clone(), |d, v| d.building = v)}
        {text_input(Field::Spot, Msg::FieldSpot, Some(("xj-spot-hint", Msg::SpotHint)), |d| d.spot.clone(), |d, v| d.spot = v)}
        <div class="xj-field">
            <label for="xj-description">{app.tr(Msg::FieldDescription)}</label>
            <p class="xj-hint" id="xj-description-hint">{app.tr(Msg::DescriptionHint)}</p>
            <textarea
                id="xj-description"
                rows="4"
                prop:value=move || app.draft.with(|d| d.description.clone())
                on:input=move |ev| app.draft.update(|d| d.description = event_target_value(&ev))
                aria-invalid=move || errs.invalid(Field::Description)
                aria-describedby=move || errs.described(Field::Description, Some("xj-description-hint xj-description-count"))
            ></textarea>
            <p class="xj-count" class:xj-over=over id="xj-description-count">{count}</p>
            {errs.view(Field::Description)}
        </div>
        <PhotoSlots/>
        <ContactFields errs=errs/>
    }
}

#[component]
fn PhotoSlots() -> impl IntoView {
    let app = use_app();
    // Filled slots and the first empty one: one clear "add" button at a time.
    let visible = move || {
        app.photos.with(|slots| {
            let first_empty = slots
                .iter()
                .position(|s| *s == PhotoSlot::Empty)
                .unwrap_or(slots.len());
            (0..slots.len())
                .filter(|i| *i <= first_empty || slots[*i] != PhotoSlot::Empty)
                .collect::<Vec<_>>()
        })
    };
    view! {
        <fieldset class="xj-field xj-photos">
            <legend>{app.tr(Msg::FieldPhotos)}</legend>
            <p class="xj-hint">{app.tr(Msg::PhotoNote)}</p>
            <ul class="xj-photo-list" role="list">
                <For each=visible key=|i| *i let:index>
                    <PhotoSlotView index=index/>
                </For>
            </ul>
        </fieldset>
    }
}

fn set_slot(app: AppState, index: usize, slot: PhotoSlot) {
    app.photos.update(|slots| {
        if let Some(s) = slots.get_mut(index) {
            *s = slot;
        }
    });
}

#[component]
fn PhotoSlotView(index: usize) -> impl IntoView {
    let app = use_app();
    let number = (index + 1).to_string();
    let input_id = format!("xj-photo-{index}");
    // A memo, so a photo arriving in another slot does not rebuild this one's preview
    // (and make the browser decode its half-megabyte image again).
    let slot = Memo::new(move |_| {
        app.photos
            .with(|s| s.get(index).cloned().unwrap_or(PhotoSlot::Empty))
    });
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        set_slot(app, index, PhotoSlot::Working);
        spawn_local(async move {
            let result = photo::reencode(&file).await;
            set_slot(
                app,
                index,
                result.map(PhotoSlot::Ready).unwrap_or(PhotoSlot::Failed),
            );
        });
    };
    let n = number.clone();
    let label = move |msg: Msg| fill(app.t(msg), &[("n", &n)]);
    let label_for = input_id.clone();
    view! {
        <li class="xj-photo">
            {move || match slot.get() {
                PhotoSlot::Ready(Photo { data, width, height, .. }) => view! {
                    <img class="xj-thumb" src=format!("data:image/jpeg;base64,{data}") width=width height=height alt=label(Msg::PhotoSlot)/>
                    <button type="button" class="xj-button" on:click=move |_| set_slot(app, index, PhotoSlot::Empty)>
                        {label(Msg::PhotoRemove)}
                    </button>
                }.into_any(),
                PhotoSlot::Working => view! { <p class="xj-hint" role="status">{app.tr(Msg::PhotoWorking)}</p> }.into_any(),
                other => view! {
                    <label class="xj-button xj-photo-add" for=label_for.clone()>
                        {label(Msg::PhotoAdd)}
                        <input id=label_for.clone() class="xj-file" type="file" accept="image/*" on:change=on_file
                            aria-describedby=(other == PhotoSlot::Failed).then(|| format!("{label_for}-error"))/>
                    </label>
                    {(other == PhotoSlot::Failed).then(|| view! {
                        <p class="xj-error" id=format!("{label_for}-error")>{app.tr(Msg::PhotoFailed)}</p>
                    })}
                }.into_any(),
            }}
        </li>
    }
}

#[component]
fn ContactFields(errs: FormErrors) -> impl IntoView {
    let app = use_app();
    let controller = move || {
        let lang = app.lang.get();
        app.ready_config()
            .map(|c| c.privacy.controller.get(lang).to_owned())
            .unwrap_or_default()
    };
    let consent = move || fill(app.t(Msg::ContactConsent), &[("controller", &controller())]);
    view! {
        <fieldset class="xj-field">
            <legend>{app.tr(Msg::ContactHeading)}</legend>
            <p class="xj-hint" id="xj-anonymous-hint">{app.tr(Msg::ContactAnonymous)}</p>
            <label class="xj-check">
                <input type="checkbox" id="xj-share-contact"
                    prop:checked=move || app.draft.with(|d| d.share_contact)
                    on:change=move |ev| app.draft.update(|d| d.share_contact = event_target_checked(&ev))
                    aria-describedby="xj-anonymous-hint"/>
                <span>{consent}</span>
            </label>
            <Show when=move || app.draft.with(|d| d.share_contact)>
                <div class="xj-field">
                    <label for="xj-name">{app.tr(Msg::FieldName)}</label>
                    <input id="xj-name" type="text" autocomplete="name" prop:value=move || app.draft.with(|d| d.name.clone())
                        on:input=move |ev| app.draft.update(|d| d.name = event_target_value(&ev))
                        aria-invalid=move || errs.invalid(Field::Name) aria-describedby=move || errs.described(Field::Name, None)/>
                    {errs.view(Field::Name)}
                </div>
                <div class="xj-field">
                    <label for="xj-phone">{app.tr(Msg::FieldPhone)}</label>
                    <input id="xj-phone" type="tel" inputmode="tel" autocomplete="tel" prop:value=move || app.draft.with(|d| d.phone.clone())
                        on:input=move |ev| app.draft.update(|d| d.phone = event_target_value(&ev))
                        aria-invalid=move || errs.invalid(Field::Phone) aria-describedby=move || errs.described(Field::Phone, None)/>
                    {errs.view(Field::Phone)}
                </div>
                <label class="xj-check">
                    <input type="checkbox" prop:checked=move || app.remember_contact.get()
                        on:change=move |ev| app.remember_contact.set(event_target_checked(&ev))/>
                    <span>{app.tr(Msg::RememberContact)}</span>
                </label>
            </Show>
        </fieldset>
    }
}

#[component]
fn PrivacyNotice() -> impl IntoView {
    let app = use_app();
    let text = move || {
        let lang = app.lang.get();
        app.ready_config().map(|c| {
            let p = &c.privacy;
            fill(
                Msg::PrivacyText.text(lang),
                &[
                    ("controller", p.controller.get(lang)),
                    ("purpose", p.purpose.get(lang)),
                    ("retention", p.retention.get(lang)),
                    ("contact", p.contact.get(lang)),
                ],
            )
        })
    };
    view! {
        <section class="xj-privacy" aria-labelledby="xj-privacy-title">
            <h3 id="xj-privacy-title">{app.tr(Msg::PrivacyHeading)}</h3>
            <p>{text}</p>
        </section>
    }
}

/// The report as text, for a resident whose phone can neither send nor keep it.
#[component]
pub fn CopyReport(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let app = use_app();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = text.get_untracked();
        spawn_local(async move {
            copied.set(crate::platform::js_copy(&text).await);
        });
    };
    view! {
        <div class="xj-note xj-warn" role="alert">
            <p>{app.tr(Msg::SendFailedNoStorage)}</p>
            <pre class="xj-report-text">{move || text.get()}</pre>
            <button type="button" class="xj-button" on:click=copy>{move || if copied.get() { app.t(Msg::Copied) } else { app.t(Msg::CopyReport) }}</button>
        </div>
    }
}

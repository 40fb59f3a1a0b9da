//! Optional contact details, given only with consent, and the privacy notice.

use super::fields::{text_field, Binding, FormErrors};
use crate::ui::context::{use_form, use_settings};
use crate::ui::Shown;
use leptos::prelude::*;
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::report::Field;

#[component]
pub fn ContactFields(errs: FormErrors) -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    let controller = move || {
        let lang = settings.lang.get();
        settings
            .ready_config()
            .map(|c| c.privacy.controller.get(lang).to_owned())
            .unwrap_or_default()
    };
    let consent = Signal::derive(move || {
        fill(
            settings.t(Msg::ContactConsent),
            &[("controller", &controller())],
        )
    });
    view! {
        <fieldset class="xj-field">
            <legend>{settings.tr(Msg::ContactHeading)}</legend>
            <p class="xj-hint" id="xj-anonymous-hint">{settings.tr(Msg::ContactAnonymous)}</p>
            <label class="xj-check">
                <input type="checkbox" id="xj-share-contact"
                    prop:checked=move || form.draft.with(|d| d.share_contact)
                    on:change=move |ev| form.draft.update(|d| d.share_contact = event_target_checked(&ev))
                    aria-describedby="xj-anonymous-hint"/>
                <span>{consent}</span>
            </label>
            <Shown when=move || form.draft.with(|d| d.share_contact)>
                {text_field(Field::Name, Msg::FieldName, None, "text", "name",
                    Binding { get: |d| d.name.clone(), set: |d, v| d.name = v }, errs)}
                {text_field(Field::Phone, Msg::FieldPhone, None, "tel", "tel",
                    Binding { get: |d| d.phone.clone(), set: |d, v| d.phone = v }, errs)}
                <label class="xj-check">
                    <input type="checkbox" id="xj-remember" prop:checked=move || form.remember_contact.get()
                        on:change=move |ev| form.remember_contact.set(event_target_checked(&ev))/>
                    <span>{settings.tr(Msg::RememberContact)}</span>
                </label>
            </Shown>
        </fieldset>
    }
}

#[component]
pub fn PrivacyNotice() -> impl IntoView {
    let settings = use_settings();
    // Empty until a config is ready (the form is only shown with one).
    let text = Signal::derive(move || {
        let lang = settings.lang.get();
        settings
            .ready_config()
            .map(|c| {
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
            .unwrap_or_default()
    });
    view! {
        <section class="xj-privacy" aria-labelledby="xj-privacy-title">
            <h3 id="xj-privacy-title">{settings.tr(Msg::PrivacyHeading)}</h3>
            <p>{text}</p>
        </section>
    }
}

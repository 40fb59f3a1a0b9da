//! The form's text fields, their labels, hints and error messages.

use crate::ui::context::{use_form, Settings};
use leptos::prelude::*;
use xinjing_core::i18n::Msg;
use xinjing_core::report::{Draft, Field, FieldError};

/// The DOM id of a field's input, so labels point at it and the form can focus the first
/// error. A UI concern: the contract only names fields.
pub fn input_id(field: Field) -> &'static str {
    match field {
        Field::Category | Field::Envelope => "xj-category",
        Field::Community => "xj-community",
        Field::Building => "xj-building",
        Field::Spot => "xj-spot",
        Field::Description => "xj-description",
        Field::Name => "xj-name",
        Field::Phone => "xj-phone",
        Field::Photos => "xj-photo-0",
    }
}

/// Error text under a field, referenced by the input's `aria-describedby`.
fn error_id(field: Field) -> String {
    format!("{}-error", input_id(field))
}

/// The form's validation messages, as the core reported them.
#[derive(Clone, Copy)]
pub struct FormErrors {
    pub errors: RwSignal<Vec<(Field, FieldError)>>,
    pub settings: Settings,
}

impl FormErrors {
    fn message(self, field: Field) -> Option<String> {
        let lang = self.settings.lang.get();
        self.errors.with(|e| {
            e.iter()
                .find(|(f, _)| *f == field)
                .map(|(_, e)| e.message(lang))
        })
    }

    pub fn invalid(self, field: Field) -> Option<&'static str> {
        self.message(field).map(|_| "true")
    }

    /// `aria-describedby`: the hints, then the error when there is one.
    pub fn described(self, field: Field, hint: Option<&'static str>) -> Option<String> {
        let mut ids: Vec<String> = hint.map(str::to_owned).into_iter().collect();
        if self.message(field).is_some() {
            ids.push(error_id(field));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    /// The error under a field, if any (reactive).
    pub fn error(self, field: Field) -> Option<AnyView> {
        self.message(field)
            .map(|text| view! { <p class="xj-error" id=error_id(field)>{text}</p> }.into_any())
    }
}

/// How a text field reads and writes its part of the draft.
pub struct Binding {
    pub get: fn(&Draft) -> String,
    pub set: fn(&mut Draft, String),
}

/// A labelled single-line input bound to the draft, with its hint and error: every text
/// field of the form goes through here.
pub fn text_field(
    field: Field,
    label: Msg,
    hint: Option<(&'static str, Msg)>,
    input_type: &'static str,
    autocomplete: &'static str,
    binding: Binding,
    errs: FormErrors,
) -> impl IntoView {
    let settings = errs.settings;
    let form = use_form();
    let Binding { get, set } = binding;
    view! {
        <div class="xj-field">
            <label for=input_id(field)>{settings.tr(label)}</label>
            {hint.map(|(id, msg)| view! { <p class="xj-hint" id=id>{settings.tr(msg)}</p> })}
            <input
                id=input_id(field)
                type=input_type
                autocomplete=autocomplete
                inputmode=(input_type == "tel").then_some("tel")
                prop:value=move || form.draft.with(get)
                on:input=move |ev| form.draft.update(|d| set(d, event_target_value(&ev)))
                aria-invalid=move || errs.invalid(field)
                aria-describedby=move || errs.described(field, hint.map(|(id, _)| id))
            />
            {move || errs.error(field)}
        </div>
    }
}

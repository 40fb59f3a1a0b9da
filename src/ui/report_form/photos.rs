//! Photo slots: pick or take a photo, see it re-encoded (no EXIF, no GPS), remove it.

use crate::platform::photo;
use crate::ui::context::{use_form, use_settings, FormState, PhotoSlot};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::report::Photo;

#[component]
pub fn PhotoSlots() -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    // Filled slots and the first empty one: one clear "add" button at a time.
    let visible = move || {
        form.photos.with(|slots| {
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
            <legend>{settings.tr(Msg::FieldPhotos)}</legend>
            <p class="xj-hint">{settings.tr(Msg::PhotoNote)}</p>
            <ul class="xj-photo-list" role="list">
                <For each=visible key=|i| *i let:index>
                    <PhotoSlotView index=index/>
                </For>
            </ul>
        </fieldset>
    }
}

fn set_slot(form: FormState, index: usize, slot: PhotoSlot) {
    form.photos.update(|slots| {
        if let Some(s) = slots.get_mut(index) {
            *s = slot;
        }
    });
}

#[component]
fn PhotoSlotView(index: usize) -> impl IntoView {
    let settings = use_settings();
    let form = use_form();
    let number = (index + 1).to_string();
    let input_id = format!("xj-photo-{index}");
    // A memo, so a photo arriving in another slot does not rebuild this one's preview
    // (and make the browser decode its half-megabyte image again).
    let slot = Memo::new(move |_| {
        form.photos
            .with(|s| s.get(index).cloned().unwrap_or(PhotoSlot::Empty))
    });
    // Starts a new preparation for this slot; the earlier one, if still running, no longer
    // counts.
    let next_run = move || {
        form.photo_runs
            .try_update_value(|runs| {
                runs[index] = runs[index].wrapping_add(1);
                runs[index]
            })
            .unwrap_or_default()
    };
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
        set_slot(form, index, PhotoSlot::Working);
        let run = next_run();
        spawn_local(async move {
            let result = photo::reencode(&file).await;
            if form.photo_runs.try_with_value(|runs| runs[index]) == Some(run) {
                set_slot(
                    form,
                    index,
                    result.map(PhotoSlot::Ready).unwrap_or(PhotoSlot::Failed),
                );
            }
        });
    };
    // A photo that never finishes decoding (a broken file, a stuck decoder) must not hold
    // "send" back for ever: the resident can give up on it.
    let cancel = move |_| {
        next_run();
        set_slot(form, index, PhotoSlot::Empty);
    };
    let label = move |msg: Msg| fill(settings.t(msg), &[("n", &number)]);
    let error_id = format!("{input_id}-error");
    view! {
        <li class="xj-photo">
            {move || match slot.get() {
                PhotoSlot::Ready(Photo { data, width, height, .. }) => view! {
                    <img class="xj-thumb" src=format!("data:image/jpeg;base64,{data}") width=width height=height alt=label(Msg::PhotoSlot)/>
                    <button type="button" class="xj-button" on:click=move |_| set_slot(form, index, PhotoSlot::Empty)>
                        {label(Msg::PhotoRemove)}
                    </button>
                }.into_any(),
                PhotoSlot::Working => view! {
                    <p class="xj-hint" role="status">{settings.tr(Msg::PhotoWorking)}</p>
                    <button type="button" class="xj-button" on:click=cancel>{label(Msg::PhotoCancel)}</button>
                }.into_any(),
                other => {
                    let failed = other == PhotoSlot::Failed;
                    view! {
                        <label class="xj-button xj-photo-add" for=input_id.clone()>
                            {label(Msg::PhotoAdd)}
                            <input id=input_id.clone() class="xj-file" type="file" accept="image/*" on:change=on_file
                                aria-describedby=failed.then(|| error_id.clone())/>
                        </label>
                        {failed.then(|| view! {
                            <p class="xj-error" id=error_id.clone()>{settings.tr(Msg::PhotoFailed)}</p>
                        })}
                    }.into_any()
                }
            }}
        </li>
    }
}

//! The one owner of the report being written: restoring it after a reload, keeping the
//! typed text on the phone, loading a report back for correction, resetting after sending,
//! and the contact the resident asked this phone to remember.

use super::context::{FormState, PhotoSlot, Prefill, Screen, Settings};
use crate::platform::storage;
use leptos::prelude::*;
use xinjing_core::json::{object, parse, required, string, write::Object, Read, ToJson};
use xinjing_core::report::json::draft as read_draft;
use xinjing_core::report::{Category, Draft, ReportPayload, MAX_PHOTOS};

/// The contact a resident asked this phone to remember: `{"name": …, "phone": …}`.
fn read_contact(node: &xinjing_core::json::Document) -> Read<(String, String)> {
    let node = object(node)?;
    Ok((
        required(node, "name", string)?,
        required(node, "phone", string)?,
    ))
}

/// Restores the text of an unfinished report and a remembered contact after a reload; a
/// poster's QR link fills in the place when the draft has none.
pub fn restore(form: FormState, prefill: &Prefill, communities: &[String]) {
    let mut draft: Draft = storage::get(storage::KEY_DRAFT)
        .and_then(|json| parse(&json, read_draft))
        .unwrap_or_default();
    if let Some((name, phone)) =
        storage::get(storage::KEY_CONTACT).and_then(|json| parse(&json, read_contact))
    {
        if draft.phone.is_empty() {
            draft.name = name;
            draft.phone = phone;
            draft.share_contact = true;
        }
        form.remember_contact.set(true);
    }
    if draft.community.is_empty() {
        draft.community = prefill.community.clone().unwrap_or_default();
    }
    if draft.building.is_empty() {
        draft.building = prefill.building.clone().unwrap_or_default();
    }
    // Only areas the deployment lists: a QR code for another compound is ignored.
    if !communities.is_empty() && !communities.contains(&draft.community) {
        draft.community.clear();
    }
    form.draft.set(draft);
}

/// Keeps the typed text on the device so a closed WeChat page loses nothing. Photos stay in
/// memory only (large, and personal until sent); name and phone are never kept here, only
/// under "remember my contact".
pub fn persist(draft: &Draft) {
    let kept = Draft {
        photos: Vec::new(),
        name: String::new(),
        phone: String::new(),
        share_contact: false,
        ..draft.clone()
    };
    if kept == Draft::default() {
        storage::remove(storage::KEY_DRAFT);
    } else {
        let _ = storage::set(storage::KEY_DRAFT, &kept.to_json());
    }
}

/// Puts a report back into the form, photos and all.
pub fn load(form: FormState, draft: Draft) {
    let mut slots: Vec<PhotoSlot> = draft.photos.iter().cloned().map(PhotoSlot::Ready).collect();
    slots.resize(MAX_PHOTOS, PhotoSlot::Empty);
    form.photos.set(slots);
    form.draft.set(Draft {
        photos: Vec::new(),
        ..draft
    });
}

/// The form now corrects waiting report `id`, which stays in the outbox until the
/// corrected one is queued; remembered across a reload.
pub fn correcting(form: FormState, id: String) {
    let _ = storage::set(storage::KEY_CORRECTING, &id);
    form.replaces.set(Some(id));
}

/// The report the form was correcting before a reload, if any.
pub fn was_correcting() -> Option<String> {
    storage::get(storage::KEY_CORRECTING)
}

/// After a reload: the photos and contact of the report being corrected back into the form,
/// with the text as the resident last left it (or as sent, if none was kept).
pub fn resume_correction(form: FormState, id: String, original: Draft) {
    let typed = form.draft.get_untracked();
    let draft = if typed.description.is_empty() && typed.category.is_none() {
        original
    } else {
        Draft {
            photos: original.photos,
            name: original.name,
            phone: original.phone,
            share_contact: original.share_contact,
            ..typed
        }
    };
    load(form, draft);
    form.replaces.set(Some(id));
}

/// An empty form, keeping a remembered contact.
pub fn reset(form: FormState) {
    storage::remove(storage::KEY_DRAFT);
    storage::remove(storage::KEY_CORRECTING);
    let remembered = form.remember_contact.get_untracked();
    form.draft.update(|d| {
        let keep = remembered.then(|| (d.name.clone(), d.phone.clone()));
        *d = Draft::default();
        if let Some((name, phone)) = keep {
            d.share_contact = true;
            d.name = name;
            d.phone = phone;
        }
    });
    form.photos.set(FormState::empty_slots());
    form.replaces.set(None);
    // Answers about similar reports are stale once a report has gone (it may be one of them).
    form.similar.set(Default::default());
}

/// After a report is queued: remember its contact if asked to, else forget any.
pub fn remember_contact(form: FormState, payload: &ReportPayload) {
    match (&payload.contact, form.remember_contact.get_untracked()) {
        (Some(contact), true) => {
            let saved = Object::new()
                .str("name", &contact.name)
                .str("phone", &contact.phone)
                .end();
            let _ = storage::set(storage::KEY_CONTACT, &saved);
        }
        _ => storage::remove(storage::KEY_CONTACT),
    }
}

/// "Clear my data": the draft, the remembered contact and the choice to remember it.
pub fn forget_everything(form: FormState) {
    storage::remove(storage::KEY_CONTACT);
    form.remember_contact.set(false);
    form.draft.set(Draft::default());
    reset(form);
}

/// Opens the form about a campaign, its category chosen.
pub fn start_report(
    form: FormState,
    settings: Settings,
    category: Option<Category>,
    campaign_id: Option<String>,
) {
    form.draft.update(|d| {
        d.category = category.or(d.category);
        d.campaign_id = campaign_id;
    });
    settings.go(Screen::Report);
}

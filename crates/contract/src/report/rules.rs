//! The rules a report must meet: the form checks the resident's fields with
//! [`validate_fields`]; a server checks a received report with [`validate_report`], which
//! applies the same field rules and adds what a client could skip.

use super::*;
use crate::ids::is_uuid_v4;

/// The parts of a report the resident fills in, as the rules see them.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportFields<'a> {
    pub category: Option<Category>,
    pub community: &'a str,
    pub building: &'a str,
    pub spot: &'a str,
    pub description: &'a str,
    /// `(name, phone)` when the resident agreed to share them.
    pub contact: Option<(&'a str, &'a str)>,
}

/// Characters as a resident counts them: Unicode scalar values of the trimmed text, so a
/// Chinese character or an emoji counts once.
pub fn char_count(text: &str) -> usize {
    text.trim().chars().count()
}

/// Normalises a mainland China mobile number: spaces, hyphens and a +86/0086/86 prefix are
/// dropped; the result must be 11 digits starting 13–19.
pub fn normalize_mobile(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .or_else(|| {
            (digits.len() == 13)
                .then(|| digits.strip_prefix("86"))
                .flatten()
        })
        .unwrap_or(&digits);
    let bytes = digits.as_bytes();
    let valid = bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1]);
    valid.then(|| digits.to_owned())
}

/// Every problem with what the resident filled in, in the order the fields appear on the
/// form. `communities` empty means free text is allowed.
pub fn validate_fields(
    fields: &ReportFields<'_>,
    communities: &[String],
) -> Vec<(Field, FieldError)> {
    let mut errors = Vec::new();
    if fields.category.is_none() {
        errors.push((Field::Category, FieldError::CategoryMissing));
    }
    let community = fields.community.trim();
    if !communities.is_empty() && !communities.iter().any(|c| c == community) {
        errors.push((Field::Community, FieldError::CommunityMissing));
    } else if char_count(community) > COMMUNITY_MAX {
        errors.push((Field::Community, FieldError::TooLong { max: COMMUNITY_MAX }));
    }
    if fields.building.trim().is_empty() && fields.spot.trim().is_empty() {
        errors.push((Field::Building, FieldError::WhereMissing));
    }
    if char_count(fields.building) > BUILDING_MAX {
        errors.push((Field::Building, FieldError::TooLong { max: BUILDING_MAX }));
    }
    if char_count(fields.spot) > SPOT_MAX {
        errors.push((Field::Spot, FieldError::TooLong { max: SPOT_MAX }));
    }
    let length = char_count(fields.description);
    if length < DESCRIPTION_MIN {
        errors.push((Field::Description, FieldError::DescriptionTooShort));
    } else if length > DESCRIPTION_MAX {
        errors.push((
            Field::Description,
            FieldError::TooLong {
                max: DESCRIPTION_MAX,
            },
        ));
    }
    if let Some((name, phone)) = fields.contact {
        if char_count(name) > NAME_MAX {
            errors.push((Field::Name, FieldError::TooLong { max: NAME_MAX }));
        }
        if normalize_mobile(phone).is_none() {
            errors.push((Field::Phone, FieldError::PhoneInvalid));
        }
    }
    errors
}

/// Bytes of the data a base64 text (standard alphabet, padded or not) decodes to, or
/// `None` when it is not base64.
pub fn base64_decoded_len(data: &str) -> Option<usize> {
    let bytes = data.as_bytes();
    let body = data.trim_end_matches('=');
    let padding = bytes.len() - body.len();
    // A fold without early exit, so the compiler can check many bytes at once: a photo's
    // half megabyte of base64 is checked on every report the desk receives.
    let alphabet_ok = body.bytes().fold(true, |ok, b| {
        ok & (b.is_ascii_alphanumeric() | (b == b'+') | (b == b'/'))
    });
    if !alphabet_ok
        || padding > 2
        || body.len() % 4 == 1
        || (padding > 0 && !bytes.len().is_multiple_of(4))
    {
        return None;
    }
    Some(body.len() / 4 * 3 + (body.len() % 4).saturating_sub(1))
}

/// What can be checked of a photo without decoding the image: type, size, dimensions and
/// that its data starts like a JPEG (`FF D8 FF` is `/9j/` in base64).
pub fn check_photo(photo: &Photo) -> Option<FieldError> {
    let Some(len) = base64_decoded_len(&photo.data) else {
        return Some(FieldError::PhotoUnreadable);
    };
    if photo.mime != PHOTO_MIME || !photo.data.starts_with("/9j/") {
        return Some(FieldError::PhotoUnreadable);
    }
    let edges_ok =
        (1..=PHOTO_MAX_EDGE).contains(&photo.width) && (1..=PHOTO_MAX_EDGE).contains(&photo.height);
    if !edges_ok || len > PHOTO_MAX_BYTES {
        return Some(FieldError::PhotoTooLarge);
    }
    None
}

/// A server's check of a received report: the same field rules as the form, plus
/// everything the widget fills in itself. Returns every problem, in form order.
pub fn validate_report(report: &ReportPayload, communities: &[String]) -> Vec<(Field, FieldError)> {
    let fields = ReportFields {
        category: Some(report.category),
        community: &report.location.community,
        building: &report.location.building,
        spot: &report.location.detail,
        description: &report.description,
        contact: report
            .contact
            .as_ref()
            .map(|c| (c.name.as_str(), c.phone.as_str())),
    };
    let mut errors = validate_fields(&fields, communities);
    if let Some(contact) = &report.contact {
        // The phone normalises numbers before sending: a server stores the plain form only.
        let plain = normalize_mobile(&contact.phone).is_some_and(|p| p == contact.phone);
        if !plain && !errors.contains(&(Field::Phone, FieldError::PhoneInvalid)) {
            errors.push((Field::Phone, FieldError::PhoneInvalid));
        }
    }
    if report.photos.len() > MAX_PHOTOS {
        errors.push((Field::Photos, FieldError::TooManyPhotos));
    }
    if let Some(problem) = report.photos.iter().find_map(check_photo) {
        errors.push((Field::Photos, problem));
    }
    let envelope_ok = report.schema == SCHEMA
        && is_uuid_v4(&report.id)
        && crate::time::is_rfc3339(&report.created_at)
        && Lang::from_tag(&report.locale).is_some()
        && report.consent.contact == report.contact.is_some()
        // Every free text has a cap, so no field can carry a disk's worth of bytes.
        && char_count(&report.consent.notice_version) <= NOTICE_VERSION_MAX
        && char_count(&report.client.version) <= CLIENT_VERSION_MAX
        && report
            .campaign_id
            .as_deref()
            .is_none_or(|c| !c.is_empty() && char_count(c) <= CAMPAIGN_ID_MAX);
    if !envelope_ok {
        errors.push((Field::Envelope, FieldError::Malformed));
    }
    errors
}

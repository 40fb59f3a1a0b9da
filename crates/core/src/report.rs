//! The resident's draft of a hazard report and how it becomes the contract's payload.
//! The rules themselves live in the contract crate, so the desk applies the same ones.

pub mod json;

use super::i18n::Lang;
use serde::{Deserialize, Serialize};
pub use xinjing_contract::report::{
    char_count, join_place, normalize_mobile, Category, ClientInfo, Consent, Contact, Field,
    FieldError, Location, Photo, ReportPayload, BUILDING_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN,
    MAX_PHOTOS, NAME_MAX, SCHEMA, SPOT_MAX,
};
use xinjing_contract::report::{validate_fields, ReportFields};

/// What the resident has typed and attached so far. Plain data: the form keeps one and
/// nothing here touches the browser.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub category: Option<Category>,
    pub campaign_id: Option<String>,
    pub community: String,
    pub building: String,
    pub spot: String,
    pub description: String,
    pub photos: Vec<Photo>,
    pub share_contact: bool,
    pub name: String,
    pub phone: String,
}

/// How much of a description lists show to recognise a report.
pub const EXCERPT_CHARS: usize = 40;

/// The first words of a description, as the waiting list and "my reports" show them.
pub fn excerpt(description: &str) -> String {
    description.chars().take(EXCERPT_CHARS).collect()
}

/// Every problem with the draft, in the order the fields appear on the form.
pub fn validate(draft: &Draft, communities: &[String]) -> Vec<(Field, FieldError)> {
    let fields = ReportFields {
        category: draft.category,
        community: &draft.community,
        building: &draft.building,
        spot: &draft.spot,
        description: &draft.description,
        contact: draft
            .share_contact
            .then_some((draft.name.as_str(), draft.phone.as_str())),
    };
    validate_fields(&fields, communities)
}

/// Everything about the submission that does not come from the resident.
pub struct Envelope<'a> {
    pub id: String,
    pub created_at: String,
    pub locale: Lang,
    pub notice_version: &'a str,
    pub client_version: &'a str,
}

/// Validates the draft and builds the payload; contact details go out only with consent.
pub fn build_payload(
    draft: &Draft,
    communities: &[String],
    envelope: Envelope<'_>,
) -> Result<ReportPayload, Vec<(Field, FieldError)>> {
    let errors = validate(draft, communities);
    let Some(category) = draft.category.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let contact = draft.share_contact.then(|| Contact {
        name: draft.name.trim().to_owned(),
        phone: normalize_mobile(&draft.phone).unwrap_or_default(),
    });
    Ok(ReportPayload {
        schema: SCHEMA.to_owned(),
        id: envelope.id,
        created_at: envelope.created_at,
        category,
        campaign_id: draft.campaign_id.clone().filter(|id| !id.is_empty()),
        location: Location {
            community: draft.community.trim().to_owned(),
            building: draft.building.trim().to_owned(),
            detail: draft.spot.trim().to_owned(),
        },
        description: draft.description.trim().to_owned(),
        photos: draft.photos.clone(),
        contact,
        consent: Consent {
            contact: draft.share_contact,
            notice_version: envelope.notice_version.to_owned(),
        },
        locale: envelope.locale.tag().to_owned(),
        client: ClientInfo {
            version: envelope.client_version.to_owned(),
        },
    })
}

/// Back to an editable draft (after the server refused it), photos and all.
pub fn draft_from(payload: &ReportPayload) -> Draft {
    Draft {
        category: Some(payload.category),
        campaign_id: payload.campaign_id.clone(),
        community: payload.location.community.clone(),
        building: payload.location.building.clone(),
        spot: payload.location.detail.clone(),
        description: payload.description.clone(),
        photos: payload.photos.clone(),
        share_contact: payload.contact.is_some(),
        name: payload
            .contact
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        phone: payload
            .contact
            .as_ref()
            .map(|c| c.phone.clone())
            .unwrap_or_default(),
    }
}

/// Plain text a resident can paste into a chat or read out to the hotline.
pub fn report_as_text(payload: &ReportPayload, lang: Lang) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        payload.category.name(lang),
        payload.place(),
        payload.description,
        payload.created_at
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn communities() -> Vec<String> {
        vec!["示例一村（演示）".to_owned(), "示例二苑（演示）".to_owned()]
    }

    fn good_draft() -> Draft {
        Draft {
            category: Some(Category::EbikeInStairwell),
            community: "示例一村（演示）".into(),
            building: "2号楼".into(),
            description: "三楼楼道有电动车充电".into(),
            ..Draft::default()
        }
    }

    fn envelope() -> Envelope<'static> {
        Envelope {
            id: "6f1c2a3b-0000-4000-8000-000000000001".into(),
            created_at: "2026-11-30T10:00:00+08:00".into(),
            locale: Lang::Zh,
            notice_version: "2026-11",
            client_version: "0.1.0",
        }
    }

    #[test]
    fn good_draft_is_valid_and_anonymous() {
        let payload = build_payload(&good_draft(), &communities(), envelope()).unwrap();
        assert_eq!(payload.contact, None);
        assert!(!payload.consent.contact);
        let json = serde_json::to_value(&payload).unwrap();
        assert_eq!(json["category"], "ebike_in_stairwell");
        assert_eq!(json["schema"], SCHEMA);
        assert_eq!(json["contact"], serde_json::Value::Null);
        assert!(json.get("campaign_id").is_none());
    }

    #[test]
    fn contact_needs_consent_and_a_valid_phone() {
        let mut draft = good_draft();
        draft.name = "王阿姨".into();
        draft.phone = "139 1234 5678".into();
        assert_eq!(
            build_payload(&draft, &communities(), envelope())
                .unwrap()
                .contact,
            None
        );
        draft.share_contact = true;
        let payload = build_payload(&draft, &communities(), envelope()).unwrap();
        assert_eq!(
            payload.contact,
            Some(Contact {
                name: "王阿姨".into(),
                phone: "13912345678".into()
            })
        );
        draft.phone = "12345".into();
        assert_eq!(
            validate(&draft, &communities()),
            vec![(Field::Phone, FieldError::PhoneInvalid)]
        );
    }

    #[test]
    fn unknown_community_is_refused_but_free_text_allowed_without_a_list() {
        let mut draft = good_draft();
        draft.community = "别处".into();
        assert_eq!(
            validate(&draft, &communities()),
            vec![(Field::Community, FieldError::CommunityMissing)]
        );
        assert!(validate(&draft, &[]).is_empty());
    }

    #[test]
    fn payload_round_trips_to_a_draft() {
        let mut draft = good_draft();
        draft.share_contact = true;
        draft.phone = "13912345678".into();
        draft.photos.push(Photo {
            mime: "image/jpeg".into(),
            width: 4,
            height: 3,
            data: "AAAA".into(),
        });
        let payload = build_payload(&draft, &communities(), envelope()).unwrap();
        assert_eq!(draft_from(&payload), draft);
    }

    proptest! {
        /// What the form accepts, the desk accepts: a draft that passes the phone's check
        /// builds a payload that passes the server's, and one that fails never builds.
        #[test]
        fn the_form_and_the_server_agree(
            category in proptest::option::of(0usize..7),
            community in prop_oneof![Just("示例一村（演示）".to_owned()), Just("别处".to_owned()), "\\PC{0,3}"],
            building in "[ 楼A-Z0-9号]{0,60}",
            description in "[ 有电动车充电a-z🔥]{0,12}",
            share_contact in any::<bool>(),
            phone in prop_oneof![Just("139 1234 5678".to_owned()), Just("+8613912345678".to_owned()), "[0-9 ]{0,13}"],
        ) {
            let draft = Draft {
                category: category.map(|i| Category::ALL[i]),
                community,
                building,
                description,
                share_contact,
                name: "王阿姨".into(),
                phone,
                ..Draft::default()
            };
            let phone_ok = validate(&draft, &communities()).is_empty();
            match build_payload(&draft, &communities(), envelope()) {
                Ok(payload) => {
                    prop_assert!(phone_ok);
                    prop_assert_eq!(xinjing_contract::report::validate_report(&payload, &communities()), vec![]);
                }
                Err(errors) => {
                    prop_assert!(!phone_ok);
                    prop_assert_eq!(errors, validate(&draft, &communities()));
                }
            }
        }
    }
}

//! A hazard report: the categories, the resident's draft, its validation and the payload
//! of endpoint contract v1 (`docs/openapi.yaml`).

use super::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "xinjing.report/1";
pub const DESCRIPTION_MIN: usize = 5;
pub const DESCRIPTION_MAX: usize = 1000;
pub const BUILDING_MAX: usize = 50;
pub const SPOT_MAX: usize = 100;
pub const NAME_MAX: usize = 20;
pub const MAX_PHOTOS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    EbikeInStairwell,
    FlyingLineCharging,
    PrivateRewiring,
    PowerSupply,
    BlockedFireEscape,
    DamagedFireEquipment,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::EbikeInStairwell,
        Category::FlyingLineCharging,
        Category::PrivateRewiring,
        Category::PowerSupply,
        Category::BlockedFireEscape,
        Category::DamagedFireEquipment,
        Category::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::EbikeInStairwell => "ebike_in_stairwell",
            Category::FlyingLineCharging => "flying_line_charging",
            Category::PrivateRewiring => "private_rewiring",
            Category::PowerSupply => "power_supply",
            Category::BlockedFireEscape => "blocked_fire_escape",
            Category::DamagedFireEquipment => "damaged_fire_equipment",
            Category::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> Msg {
        match self {
            Category::EbikeInStairwell => Msg::CatEbikeInStairwell,
            Category::FlyingLineCharging => Msg::CatFlyingLineCharging,
            Category::PrivateRewiring => Msg::CatPrivateRewiring,
            Category::PowerSupply => Msg::CatPowerSupply,
            Category::BlockedFireEscape => Msg::CatBlockedFireEscape,
            Category::DamagedFireEquipment => Msg::CatDamagedFireEquipment,
            Category::Other => Msg::CatOther,
        }
    }
}

/// A photo after re-encoding on the phone: JPEG, no metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// Base64 of the JPEG bytes, without a `data:` prefix.
    pub data: String,
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Category,
    Community,
    Building,
    Spot,
    Description,
    Name,
    Phone,
}

impl Field {
    /// The DOM id of the field's input, so the form can focus the first error.
    pub fn input_id(self) -> &'static str {
        match self {
            Field::Category => "xj-category",
            Field::Community => "xj-community",
            Field::Building => "xj-building",
            Field::Spot => "xj-spot",
            Field::Description => "xj-description",
            Field::Name => "xj-name",
            Field::Phone => "xj-phone",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    CategoryMissing,
    CommunityMissing,
    WhereMissing,
    TooLong { max: usize },
    DescriptionTooShort,
    PhoneInvalid,
}

impl FieldError {
    pub fn message(self, lang: Lang) -> String {
        let msg = match self {
            FieldError::CategoryMissing => Msg::ErrCategory,
            FieldError::CommunityMissing => Msg::ErrCommunity,
            FieldError::WhereMissing => Msg::ErrWhere,
            FieldError::DescriptionTooShort => Msg::ErrDescriptionShort,
            FieldError::PhoneInvalid => Msg::ErrPhone,
            FieldError::TooLong { max } => {
                return super::i18n::fill(Msg::ErrTooLong.text(lang), &[("max", &max.to_string())])
            }
        };
        msg.text(lang).to_owned()
    }
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

/// Every problem with the draft, in the order the fields appear on the form.
pub fn validate(draft: &Draft, communities: &[String]) -> Vec<(Field, FieldError)> {
    let mut errors = Vec::new();
    if draft.category.is_none() {
        errors.push((Field::Category, FieldError::CategoryMissing));
    }
    let community = draft.community.trim();
    if !communities.is_empty() && !communities.iter().any(|c| c == community) {
        errors.push((Field::Community, FieldError::CommunityMissing));
    } else if char_count(community) > SPOT_MAX {
        errors.push((Field::Community, FieldError::TooLong { max: SPOT_MAX }));
    }
    if draft.building.trim().is_empty() && draft.spot.trim().is_empty() {
        errors.push((Field::Building, FieldError::WhereMissing));
    }
    if char_count(&draft.building) > BUILDING_MAX {
        errors.push((Field::Building, FieldError::TooLong { max: BUILDING_MAX }));
    }
    if char_count(&draft.spot) > SPOT_MAX {
        errors.push((Field::Spot, FieldError::TooLong { max: SPOT_MAX }));
    }
    let length = char_count(&draft.description);
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
    if draft.share_contact {
        if char_count(&draft.name) > NAME_MAX {
            errors.push((Field::Name, FieldError::TooLong { max: NAME_MAX }));
        }
        if normalize_mobile(&draft.phone).is_none() {
            errors.push((Field::Phone, FieldError::PhoneInvalid));
        }
    }
    errors
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub community: String,
    pub building: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    pub contact: bool,
    pub notice_version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub version: String,
}

/// The JSON body of `POST {endpoint}` (contract v1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportPayload {
    pub schema: String,
    pub id: String,
    pub created_at: String,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    pub location: Location,
    pub description: String,
    pub photos: Vec<Photo>,
    pub contact: Option<Contact>,
    pub consent: Consent,
    pub locale: String,
    pub client: ClientInfo,
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

impl ReportPayload {
    /// Back to an editable draft (after the server refused it), photos and all.
    pub fn to_draft(&self) -> Draft {
        Draft {
            category: Some(self.category),
            campaign_id: self.campaign_id.clone(),
            community: self.location.community.clone(),
            building: self.location.building.clone(),
            spot: self.location.detail.clone(),
            description: self.description.clone(),
            photos: self.photos.clone(),
            share_contact: self.contact.is_some(),
            name: self
                .contact
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            phone: self
                .contact
                .as_ref()
                .map(|c| c.phone.clone())
                .unwrap_or_default(),
        }
    }

    /// Plain text a resident can paste into a chat or read out to the hotline.
    pub fn as_text(&self, lang: Lang) -> String {
        let place = [
            &self.location.community,
            &self.location.building,
            &self.location.detail,
        ]
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ");
        format!(
            "{}\n{}\n{}\n{}",
            self.category.label().text(lang),
            place,
            self.description,
            self.created_at
        )
    }
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
    fn empty_draft_lists_errors_in_form_order() {
        let fields: Vec<Field> = validate(&Draft::default(), &communities())
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                Field::Category,
                Field::Community,
                Field::Building,
                Field::Description
            ]
        );
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
    fn mobile_numbers() {
        for good in [
            "13912345678",
            "+86 139 1234 5678",
            "0086-139-1234-5678",
            "8613912345678",
            "139　1234　5678",
        ] {
            assert_eq!(
                normalize_mobile(good).as_deref(),
                Some("13912345678"),
                "{good}"
            );
        }
        for bad in [
            "",
            "12912345678",
            "1391234567",
            "139123456789",
            "1391234567x",
            "１３９１２３４５６７８",
            "021-12345678",
        ] {
            assert_eq!(normalize_mobile(bad), None, "{bad}");
        }
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
        assert_eq!(payload.to_draft(), draft);
    }

    proptest! {
        #[test]
        fn description_length_counts_characters(text in "\\PC{0,1100}") {
            let mut draft = good_draft();
            draft.description = text.clone();
            let n = text.trim().chars().count();
            let errors = validate(&draft, &communities());
            let description_errors: Vec<_> = errors.iter().filter(|(f, _)| *f == Field::Description).collect();
            prop_assert_eq!(description_errors.is_empty(), (DESCRIPTION_MIN..=DESCRIPTION_MAX).contains(&n));
        }

        #[test]
        fn cjk_and_emoji_count_once(count in 0usize..1200, emoji in any::<bool>()) {
            let unit = if emoji { "🔥" } else { "楼" };
            let mut draft = good_draft();
            draft.description = unit.repeat(count);
            let ok = validate(&draft, &communities()).is_empty();
            prop_assert_eq!(ok, (DESCRIPTION_MIN..=DESCRIPTION_MAX).contains(&count));
        }

        #[test]
        fn any_valid_mobile_is_accepted_with_decoration(second in 3u8..=9, rest in "[0-9]{9}", spaced in any::<bool>(), prefix in 0usize..4) {
            let number = format!("1{second}{rest}");
            let shown = if spaced { format!("{} {} {}", &number[..3], &number[3..7], &number[7..]) } else { number.clone() };
            let shown = format!("{}{shown}", ["", "+86", "0086", "86"][prefix]);
            prop_assert_eq!(normalize_mobile(&shown), Some(number));
        }

        #[test]
        fn random_phone_text_never_panics_and_is_11_digits_when_accepted(text in "\\PC{0,20}") {
            if let Some(n) = normalize_mobile(&text) {
                prop_assert_eq!(n.len(), 11);
                prop_assert!(n.starts_with('1'));
            }
        }
    }
}

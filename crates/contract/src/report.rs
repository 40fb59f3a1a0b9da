//! The report a phone sends (`POST {endpoint}`) and the rules it must meet. The widget runs
//! [`validate_fields`] on the resident's draft; a server runs [`validate_report`] on what
//! arrived, which applies the same field rules and adds the checks a client could skip.

use crate::ids::is_uuid_v4;
use crate::locale::Lang;
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "xinjing.report/1";
pub const DESCRIPTION_MIN: usize = 5;
pub const DESCRIPTION_MAX: usize = 1000;
pub const COMMUNITY_MAX: usize = 100;
pub const BUILDING_MAX: usize = 50;
pub const SPOT_MAX: usize = 100;
pub const NAME_MAX: usize = 20;
pub const MAX_PHOTOS: usize = 3;
/// Longest edge of a re-encoded photo, in pixels.
pub const PHOTO_MAX_EDGE: u32 = 1600;
/// Size of one re-encoded JPEG, in bytes (before base64).
pub const PHOTO_MAX_BYTES: usize = 400 * 1024;
pub const PHOTO_MIME: &str = "image/jpeg";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

    /// The name residents and staff read, as the town's campaigns word it.
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Category::EbikeInStairwell => lang.pick(
                "电动车进楼道、进电梯",
                "E-bike in a stairwell, corridor or lift",
            ),
            Category::FlyingLineCharging => lang.pick(
                "飞线充电",
                "“Flying-line” charging (cable run out to charge)",
            ),
            Category::PrivateRewiring => lang.pick("私拉乱接、私改电路", "Private rewiring"),
            Category::PowerSupply => lang.pick(
                "供电问题（含直供电改造）",
                "Power-supply problem (incl. direct-supply upgrade)",
            ),
            Category::BlockedFireEscape => {
                lang.pick("楼道堆物、消防通道堵塞", "Blocked corridor or fire escape")
            }
            Category::DamagedFireEquipment => lang.pick("消防设施损坏", "Damaged fire equipment"),
            Category::Other => lang.pick("其他安全隐患", "Other hazard"),
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

impl ReportPayload {
    /// The language the resident used, for the messages sent back.
    pub fn lang(&self) -> Lang {
        Lang::from_tag(&self.locale).unwrap_or_default()
    }

    /// "Community building detail", skipping empty parts.
    pub fn place(&self) -> String {
        join_place(&[
            &self.location.community,
            &self.location.building,
            &self.location.detail,
        ])
    }
}

/// Joins the non-empty parts of a place with spaces.
pub fn join_place(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Category,
    Community,
    Building,
    Spot,
    Description,
    Name,
    Phone,
    Photos,
    /// Parts the resident never types (schema, id, time, locale, consent).
    Envelope,
}

impl Field {
    /// The payload's name for the field, as a server reports it.
    pub fn code(self) -> &'static str {
        match self {
            Field::Category => "category",
            Field::Community => "location.community",
            Field::Building => "location.building",
            Field::Spot => "location.detail",
            Field::Description => "description",
            Field::Name => "contact.name",
            Field::Phone => "contact.phone",
            Field::Photos => "photos",
            Field::Envelope => "report",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    CategoryMissing,
    CommunityMissing,
    WhereMissing,
    TooLong {
        max: usize,
    },
    DescriptionTooShort,
    PhoneInvalid,
    TooManyPhotos,
    PhotoUnreadable,
    PhotoTooLarge,
    /// A part the widget fills in itself is wrong: an outdated or foreign client.
    Malformed,
}

impl FieldError {
    /// A stable machine-readable code for `{"error": {"code"}}`.
    pub fn code(self) -> &'static str {
        match self {
            FieldError::CategoryMissing => "category_missing",
            FieldError::CommunityMissing => "community_unknown",
            FieldError::WhereMissing => "where_missing",
            FieldError::TooLong { .. } => "too_long",
            FieldError::DescriptionTooShort => "description_too_short",
            FieldError::PhoneInvalid => "phone_invalid",
            FieldError::TooManyPhotos => "too_many_photos",
            FieldError::PhotoUnreadable => "photo_unreadable",
            FieldError::PhotoTooLarge => "photo_too_large",
            FieldError::Malformed => "malformed_report",
        }
    }

    /// What the resident reads next to the field, in their language.
    pub fn message(self, lang: Lang) -> String {
        let text = match self {
            FieldError::CategoryMissing => {
                lang.pick("请选择隐患类型", "Please choose the type of hazard")
            }
            FieldError::CommunityMissing => {
                lang.pick("请选择居民区", "Please choose your residential area")
            }
            FieldError::WhereMissing => {
                lang.pick("请填写楼号或具体位置", "Please say which building or where")
            }
            FieldError::TooLong { max } => {
                return match lang {
                    Lang::Zh => format!("内容太长，最多 {max} 字"),
                    Lang::En => format!("Too long: at most {max} characters"),
                }
            }
            FieldError::DescriptionTooShort => lang.pick(
                "请至少写 5 个字，说明看到了什么",
                "Please write at least 5 characters about what you saw",
            ),
            FieldError::PhoneInvalid => lang.pick(
                "请输入 11 位中国大陆手机号，例如 139 1234 5678",
                "Enter an 11-digit mainland China mobile number, e.g. 139 1234 5678",
            ),
            FieldError::TooManyPhotos => lang.pick("最多 3 张照片", "At most 3 photos"),
            FieldError::PhotoUnreadable => lang.pick(
                "照片无法读取，请重新拍摄或选择",
                "A photo could not be read: please take or choose it again",
            ),
            FieldError::PhotoTooLarge => lang.pick(
                "照片太大，请重新选择",
                "A photo is too large: please choose it again",
            ),
            FieldError::Malformed => lang.pick(
                "报告格式有误，请刷新页面后重新提交",
                "The report is malformed: please reload the page and send it again",
            ),
        };
        text.to_owned()
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
    let alphabet_ok = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
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
        && report
            .campaign_id
            .as_deref()
            .is_none_or(|c| !c.is_empty() && c.len() <= 64);
    if !envelope_ok {
        errors.push((Field::Envelope, FieldError::Malformed));
    }
    errors
}

#[cfg(test)]
mod tests;

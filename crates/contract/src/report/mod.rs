//! The report a phone sends (`POST {endpoint}`) and the rules it must meet. The widget runs
//! [`validate_fields`] on the resident's draft; a server runs [`validate_report`] on what
//! arrived, which applies the same field rules and adds the checks a client could skip.

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
/// A photo's base64 text at its largest: `PHOTO_MAX_BYTES` encoded, padded.
pub const PHOTO_BASE64_MAX: usize = PHOTO_MAX_BYTES.div_ceil(3) * 4;
/// The campaign a report came from: an id from the feed.
pub const CAMPAIGN_ID_MAX: usize = 64;
/// The privacy notice's version the resident agreed to, as the widget's config names it.
pub const NOTICE_VERSION_MAX: usize = 64;
/// The widget's version.
pub const CLIENT_VERSION_MAX: usize = 64;

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

mod rules;
#[cfg(test)]
mod tests;

pub use rules::{
    base64_decoded_len, char_count, check_photo, normalize_mobile, validate_fields,
    validate_report, ReportFields,
};

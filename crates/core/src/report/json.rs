//! The report's JSON: the body sent (and kept in the outbox) and the draft kept on the
//! phone, written (`ToJson`) and read (over `Json`) as their serde derives did in older
//! builds: the same bytes, the same fields required. `json/tests.rs` checks both against
//! serde_json for arbitrary values.

use super::{Category, ClientInfo, Consent, Contact, Draft, Location, Photo, ReportPayload};
use crate::json::write::{quoted, Object, ToJson};
use crate::json::{boolean, code, list, object, optional, required, string, uint, Json, Read};

/// A category as its code.
pub fn write_category(value: Category) -> String {
    quoted(value.code())
}

pub fn category<J: Json>(node: &J) -> Read<Category> {
    code(node, Category::from_code)
}

fn photo<J: Json>(node: &J) -> Read<Photo> {
    let node = object(node)?;
    Ok(Photo {
        mime: required(node, "mime", string)?,
        width: required(node, "width", uint)?,
        height: required(node, "height", uint)?,
        data: required(node, "data", string)?,
    })
}

fn photos<J: Json>(node: &J) -> Read<Vec<Photo>> {
    list(node, photo)
}

pub fn payload<J: Json>(node: &J) -> Read<ReportPayload> {
    let node = object(node)?;
    let location = |l: &J| {
        let l = object(l)?;
        Ok(Location {
            community: required(l, "community", string)?,
            building: required(l, "building", string)?,
            detail: required(l, "detail", string)?,
        })
    };
    let contact = |c: &J| {
        let c = object(c)?;
        Ok(Contact {
            name: required(c, "name", string)?,
            phone: required(c, "phone", string)?,
        })
    };
    let consent = |c: &J| {
        let c = object(c)?;
        Ok(Consent {
            contact: required(c, "contact", boolean)?,
            notice_version: required(c, "notice_version", string)?,
        })
    };
    let client = |c: &J| {
        Ok(ClientInfo {
            version: required(object(c)?, "version", string)?,
        })
    };
    Ok(ReportPayload {
        schema: required(node, "schema", string)?,
        id: required(node, "id", string)?,
        created_at: required(node, "created_at", string)?,
        category: required(node, "category", category)?,
        campaign_id: optional(node, "campaign_id", string)?,
        location: required(node, "location", location)?,
        description: required(node, "description", string)?,
        photos: required(node, "photos", photos)?,
        contact: optional(node, "contact", contact)?,
        consent: required(node, "consent", consent)?,
        locale: required(node, "locale", string)?,
        client: required(node, "client", client)?,
    })
}

pub fn draft<J: Json>(node: &J) -> Read<Draft> {
    let node = object(node)?;
    Ok(Draft {
        category: optional(node, "category", category)?,
        campaign_id: optional(node, "campaign_id", string)?,
        community: required(node, "community", string)?,
        building: required(node, "building", string)?,
        spot: required(node, "spot", string)?,
        description: required(node, "description", string)?,
        photos: required(node, "photos", photos)?,
        share_contact: required(node, "share_contact", boolean)?,
        name: required(node, "name", string)?,
        phone: required(node, "phone", string)?,
    })
}

impl ToJson for Photo {
    fn to_json(&self) -> String {
        Object::new()
            .str("mime", &self.mime)
            .uint("width", self.width.into())
            .uint("height", self.height.into())
            .str("data", &self.data)
            .end()
    }
}

impl ToJson for ReportPayload {
    fn to_json(&self) -> String {
        let location = Object::new()
            .str("community", &self.location.community)
            .str("building", &self.location.building)
            .str("detail", &self.location.detail)
            .end();
        let contact = self.contact.as_ref().map_or_else(
            || "null".to_owned(),
            |c| {
                Object::new()
                    .str("name", &c.name)
                    .str("phone", &c.phone)
                    .end()
            },
        );
        let consent = Object::new()
            .bool("contact", self.consent.contact)
            .str("notice_version", &self.consent.notice_version)
            .end();
        Object::new()
            .str("schema", &self.schema)
            .str("id", &self.id)
            .str("created_at", &self.created_at)
            .raw("category", &write_category(self.category))
            .str_if_some("campaign_id", self.campaign_id.as_deref())
            .raw("location", &location)
            .str("description", &self.description)
            .raw("photos", &self.photos.to_json())
            .raw("contact", &contact)
            .raw("consent", &consent)
            .str("locale", &self.locale)
            .raw(
                "client",
                &Object::new().str("version", &self.client.version).end(),
            )
            .end()
    }
}

impl ToJson for Draft {
    fn to_json(&self) -> String {
        Object::new()
            .raw(
                "category",
                &self.category.map_or_else(|| "null".into(), write_category),
            )
            .str_or_null("campaign_id", self.campaign_id.as_deref())
            .str("community", &self.community)
            .str("building", &self.building)
            .str("spot", &self.spot)
            .str("description", &self.description)
            .raw("photos", &self.photos.to_json())
            .bool("share_contact", self.share_contact)
            .str("name", &self.name)
            .str("phone", &self.phone)
            .end()
    }
}

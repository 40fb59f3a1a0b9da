//! How photos are named in the folder or bucket, without their report's id.

/// How new photos are named: `reports/<name>/<position>.jpg`, where the name is the first
/// 128 bits of HMAC-SHA-256(key, report id) in hex. The report id is the resident's status
/// secret, so whoever can list the folder or bucket must not read it there; the key is kept
/// in the database (`desk_secrets`).
#[derive(Clone)]
pub struct PhotoNames {
    key: Vec<u8>,
}

impl PhotoNames {
    pub fn new(key: &[u8]) -> PhotoNames {
        PhotoNames { key: key.to_vec() }
    }

    pub fn key(&self, report_id: &str, position: usize) -> String {
        format!("reports/{}/{position}.jpg", self.folder(report_id))
    }

    /// A unit's after-photo for a dispatched task, beside its report's photos.
    pub fn task_key(&self, report_id: &str, task_id: &str, at_ms: i64) -> String {
        format!(
            "reports/{}/task-{task_id}-{at_ms}.jpg",
            self.folder(report_id)
        )
    }

    fn folder(&self, report_id: &str) -> String {
        let mac = crate::notify::sign::hmac_sha256(&self.key, report_id.as_bytes());
        mac[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_s_name_hides_its_report_id_and_depends_on_the_key() {
        let id = "6f1c2a3b-9d4e-4f5a-8b6c-7d8e9f0a1b2c";
        let names = PhotoNames::new(b"one desk's key");
        let key = names.key(id, 2);
        assert!(!key.contains(id) && !key.contains("6f1c2a3b"), "{key}");
        assert!(
            key.starts_with("reports/") && key.ends_with("/2.jpg"),
            "{key}"
        );
        assert_eq!(key.len(), "reports/".len() + 32 + "/2.jpg".len());
        assert_eq!(names.key(id, 2), key, "the same name every time");
        assert_ne!(PhotoNames::new(b"another key").key(id, 2), key);
    }
}

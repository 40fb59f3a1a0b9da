//! `multipart/form-data`, as a browser sends a form with a file (the unit's after-photo):
//! the parts of a body read whole, within the caller's size limit. Pure; no streaming, no
//! nested parts, no transfer encodings (browsers send none).

/// One field of the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    /// Set for a file input (possibly empty when no file was chosen).
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<&str> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (key, value) = p.split_once('=')?;
        let value = value.trim().trim_matches('"');
        (key.trim().eq_ignore_ascii_case("boundary") && !value.is_empty() && value.len() <= 70)
            .then_some(value)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A quoted parameter of a Content-Disposition line (`name="photo"`).
fn param(line: &str, key: &str) -> Option<String> {
    let at = line.find(&format!("; {key}=\""))? + key.len() + 4;
    let end = line[at..].find('"')?;
    Some(line[at..at + end].to_owned())
}

/// The parts of `body`; `None` when it is not a well-formed form.
pub fn parse(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next = format!("\r\n--{boundary}").into_bytes();
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        match body.get(at..at + 2)? {
            b"--" => return Some(parts),
            b"\r\n" => at += 2,
            _ => return None,
        }
        let headers_end = find(body, b"\r\n\r\n", at)?;
        let headers = std::str::from_utf8(&body[at..headers_end]).ok()?;
        let disposition = headers
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let data_start = headers_end + 4;
        let data_end = find(body, &next, data_start)?;
        parts.push(Part {
            name: param(disposition, "name")?,
            filename: param(disposition, "filename"),
            data: body[data_start..data_end].to_vec(),
        });
        at = data_end + next.len();
    }
}

/// The text of field `name`, trimmed; `None` when absent, empty or not UTF-8.
pub fn text(parts: &[Part], name: &str) -> Option<String> {
    let part = parts.iter().find(|p| p.name == name)?;
    let text = std::str::from_utf8(&part.data).ok()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n\xe5\xb7\xb2\xe6\x8b\x86\xe9\x99\xa4\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--Xy\xff\xd9\r\n\
--XyZ--\r\n";

    #[test]
    fn a_browsers_form_with_a_file_is_read_part_by_part() {
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parse(BODY, b).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(text(&parts, "csrf").as_deref(), Some("tok"));
        assert_eq!(text(&parts, "note").as_deref(), Some("已拆除"));
        assert_eq!(parts[2].filename.as_deref(), Some("a.jpg"));
        // A boundary-like run inside the file is data, not a delimiter.
        assert_eq!(parts[2].data, b"\xff\xd8\r\n--Xy\xff\xd9");
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("multipart/form-data; boundary=\"q\""), Some("q"));
        assert_eq!(parse(b"--XyZ\r\nno headers end", "XyZ"), None);
        assert_eq!(parse(&BODY[..BODY.len() - 12], "XyZ"), None);
        assert_eq!(parse(b"nothing", "XyZ"), None);
    }
}

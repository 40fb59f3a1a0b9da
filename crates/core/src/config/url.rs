//! Which endpoints, origins and paths a deployment may configure.

/// `https://host…`, or `http://localhost` / `http://127.0.0.1` (any port) for development.
/// No credentials, no whitespace, no fragment.
pub fn is_allowed_endpoint(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains('#') {
        return false;
    }
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') || authority.contains('\\') {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some((_, _)) => return false,
        None => authority,
    };
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return false;
    }
    secure || host == "localhost" || host == "127.0.0.1"
}

/// The origin (`scheme://host[:port]`) of an allowed URL.
pub fn origin_of(url: &str) -> Option<String> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    Some(url[..scheme_end + end].to_owned())
}

/// `https://host[:port]` (or localhost over http), with nothing after it.
pub(super) fn is_origin(text: &str) -> bool {
    is_allowed_endpoint(text) && origin_of(text).as_deref() == Some(text)
}

/// A path on the widget's own origin. No backslash anywhere: browsers read `\\` as `//`
/// in http(s) URLs, so `\\evil.example/x.png` would load from another host.
pub(super) fn is_relative_path(text: &str) -> bool {
    !text.contains("://")
        && !text.starts_with("//")
        && !text.contains(':')
        && !text.contains('\\')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The reports endpoint: an allowed URL without a query, since ticket URLs are built by
/// appending to it (`{endpoint}/{ticket}`), which a query would break.
pub(super) fn is_endpoint_base(url: &str) -> bool {
    is_allowed_endpoint(url) && !url.contains('?')
}

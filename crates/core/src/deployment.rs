//! Which deployment of the widget a page belongs to, for the names of what it keeps on the
//! phone (IndexedDB database, localStorage keys, the sending lock, the tabs' channel).
//!
//! A deployment is the folder its page is served from: `config.json`, the service worker
//! and the feed are all relative to it, so `/a/` and `/b/` of one site are two towns' widgets
//! with two configs. Its endpoint is not part of the name: a deployment may move to another
//! endpoint during its life, and its waiting reports (each kept with the endpoint it was
//! queued for) must still be found after the config changes. Names are only read before the
//! config has loaded, too (the last good config is itself one of them).

/// The folder of a page path: `/a/index.html` and `/a/` are both `/a/`.
pub fn folder(page_path: &str) -> &str {
    match page_path.rfind('/') {
        Some(end) => &page_path[..=end],
        None => "/",
    }
}

/// The name under which the deployment whose page is at `page_path` keeps `base`. At the
/// site's root, `base` itself: the name every build before this one used, so a phone's
/// waiting reports, tickets and draft are found after the upgrade. Elsewhere `base@/folder/`.
pub fn scoped_name(base: &str, page_path: &str) -> String {
    match folder(page_path) {
        "/" => base.to_owned(),
        folder => format!("{base}@{folder}"),
    }
}

/// Whether a waiting report that an older build kept under the names every deployment
/// shared belongs to this one, whose endpoint is `ours` (an `Endpoint::key`): it was queued
/// for that endpoint, or queued before reports kept theirs while the last config an older
/// build loaded on this site (`legacy_endpoint`) named it. Anything else stays where it is,
/// for the deployment it belongs to.
pub fn is_ours(queued_for: Option<&str>, ours: &str, legacy_endpoint: Option<&str>) -> bool {
    match queued_for {
        Some(endpoint) => endpoint == ours,
        None => legacy_endpoint == Some(ours),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployment_takes_over_only_the_older_builds_reports_for_its_endpoint() {
        let (a, b) = ("https://a.example.cn/r", "https://b.example.cn/r");
        assert!(is_ours(Some(a), a, None));
        assert!(!is_ours(Some(b), a, Some(a)), "queued for another endpoint");
        assert!(is_ours(None, a, Some(a)), "the last config here named ours");
        assert!(!is_ours(None, a, Some(b)));
        assert!(!is_ours(None, a, None), "no way to tell: left alone");
    }

    #[test]
    fn the_root_keeps_the_names_older_builds_used() {
        for path in ["/", "/index.html", ""] {
            assert_eq!(
                scoped_name("xinjing-safety", path),
                "xinjing-safety",
                "{path:?}"
            );
            assert_eq!(scoped_name("xj.draft", path), "xj.draft", "{path:?}");
        }
    }

    #[test]
    fn two_folders_of_one_site_get_two_names() {
        let a = scoped_name("xinjing-safety", "/a/");
        let b = scoped_name("xinjing-safety", "/b/");
        assert_ne!(a, b);
        assert_ne!(a, "xinjing-safety");
        assert_eq!(a, "xinjing-safety@/a/");
    }

    #[test]
    fn one_deployment_has_one_name_however_its_page_is_reached() {
        assert_eq!(
            scoped_name("xj.draft", "/a/index.html"),
            scoped_name("xj.draft", "/a/")
        );
        assert_eq!(
            scoped_name("xj.draft", "/town/xinjing/"),
            "xj.draft@/town/xinjing/"
        );
        // A sibling folder whose name starts the same is another deployment.
        assert_ne!(
            scoped_name("xj.draft", "/ab/"),
            scoped_name("xj.draft", "/a/")
        );
    }
}

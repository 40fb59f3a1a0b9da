use super::*;
use proptest::prelude::*;

const SHIPPED: &str = include_str!("../../../../public/config.json");

#[test]
fn shipped_config_is_the_mock_demo() {
    let config = parse_config(SHIPPED, &[]).expect("shipped config parses");
    assert!(config.is_mock());
    assert!(config.communities.len() >= 3);
    assert!(
        config.communities.iter().all(|c| c.contains("演示")),
        "demo names must be visibly fictional"
    );
}

#[test]
fn endpoint_rules() {
    for ok in [
        "https://report.example.gov.cn/v1/reports",
        "https://a.b:8443",
        "http://localhost:8787/reports",
        "http://127.0.0.1:9000",
    ] {
        assert!(is_allowed_endpoint(ok), "{ok}");
    }
    for bad in [
        "http://example.com/reports",
        "ftp://x",
        "javascript:alert(1)",
        "https://user:pw@evil.example",
        "https://",
        "https:// evil",
        "http://localhost.evil.com",
        "http://127.0.0.1.nip.io",
        "//evil.example",
        "https://a.b:x",
        "https://evil.example\\@good",
    ] {
        assert!(!is_allowed_endpoint(bad), "{bad}");
    }
}

#[test]
fn bad_endpoint_is_an_error_not_a_fallback() {
    let errors = parse_config(r#"{"endpoint": "http://evil.example"}"#, &[]).unwrap_err();
    assert_eq!(
        errors,
        vec![ConfigError::InsecureEndpoint("http://evil.example".into())]
    );
    assert_eq!(
        parse_config("{}", &[]).unwrap_err(),
        vec![ConfigError::MissingEndpoint]
    );
    assert_eq!(
        parse_config("not json", &[]).unwrap_err(),
        vec![ConfigError::NotJson]
    );
}

#[test]
fn data_attributes_override_the_file() {
    let overrides = vec![
        ("endpoint".to_owned(), "https://r.example/api/".to_owned()),
        (
            "communities".to_owned(),
            "甲村（演示）, 乙苑（演示）".to_owned(),
        ),
        ("timeout-ms".to_owned(), "5000".to_owned()),
        ("default-lang".to_owned(), "en".to_owned()),
        ("unknown".to_owned(), "ignored".to_owned()),
    ];
    let config = parse_config(SHIPPED, &overrides).unwrap();
    assert_eq!(
        config.endpoint,
        Endpoint::Url("https://r.example/api".into())
    );
    assert_eq!(config.communities, vec!["甲村（演示）", "乙苑（演示）"]);
    assert_eq!(config.timeout_ms, 5000);
    assert_eq!(config.default_lang, Some(Lang::En));
}

#[test]
fn theme_and_timeout_are_checked() {
    let errors = parse_config(
        r#"{"endpoint": "mock", "timeout_ms": 5, "theme": {"primary": "red;background:url(x)", "logo": "javascript:x"}, "default_lang": "fr"}"#,
        &[],
    )
    .unwrap_err();
    let keys: Vec<&str> = errors
        .iter()
        .filter_map(|e| match e {
            ConfigError::BadValue { key, .. } => Some(*key),
            _ => None,
        })
        .collect();
    assert_eq!(
        keys,
        ["default_lang", "timeout_ms", "theme.primary", "theme.logo"]
    );
}

#[test]
fn paths_with_backslashes_and_endpoints_with_a_query_are_refused() {
    for logo in [
        "\\\\evil.example/x.png",
        "/\\evil.example/x.png",
        "img\\..\\x.png",
    ] {
        let json =
            serde_json::json!({"endpoint": "mock", "theme": {"logo": logo}, "campaigns_url": logo});
        let errors = parse_config(&json.to_string(), &[]).unwrap_err();
        assert_eq!(errors.len(), 2, "{logo}: {errors:?}");
    }
    assert!(parse_config(
        r#"{"endpoint": "mock", "theme": {"logo": "img/logo.png"}}"#,
        &[]
    )
    .is_ok());
    let errors = parse_config(
        r#"{"endpoint": "https://report.example.gov.cn/v1/reports?token=abc"}"#,
        &[],
    )
    .unwrap_err();
    assert!(
        matches!(&errors[..], [ConfigError::BadValue { key, .. }] if key.starts_with("endpoint"))
    );
    assert!(parse_config(
        r#"{"endpoint": "https://report.example.gov.cn/v1/reports"}"#,
        &[]
    )
    .is_ok());
}

#[test]
fn origins() {
    assert_eq!(
        origin_of("https://a.example:8443/x?y").as_deref(),
        Some("https://a.example:8443")
    );
    let config = parse_config(r#"{"endpoint": "mock", "parent_origins": ["https://h5.example.cn", "http://127.0.0.1:4000"]}"#, &[]).unwrap();
    assert_eq!(config.parent_origins.len(), 2);
    assert!(parse_config(
        r#"{"endpoint": "mock", "parent_origins": ["https://h5.example.cn/page"]}"#,
        &[]
    )
    .is_err());
}

proptest! {
    #[test]
    fn never_panics_and_never_accepts_plain_http_elsewhere(text in "\\PC{0,80}", host in "[a-z]{1,10}\\.[a-z]{2,3}") {
        let _ = parse_config(&text, &[("endpoint".into(), text.clone())]);
        let _ = is_allowed_endpoint(&text);
        let url = format!("http://{host}/r");
        let json = format!("{{\"endpoint\": \"{url}\"}}");
        prop_assert!(parse_config(&json, &[]).is_err());
    }
}

#[test]
fn timeout_attribute_takes_whole_milliseconds_and_errors_show_the_number() {
    let overrides = |value: &str| vec![("timeout-ms".to_owned(), value.to_owned())];
    for bad in ["1.5e4", "20000.0", "-5", "soon"] {
        let errors = parse_config(SHIPPED, &overrides(bad)).unwrap_err();
        assert_eq!(
            errors,
            [ConfigError::BadValue {
                key: "timeout_ms",
                value: bad.to_owned()
            }]
        );
    }
    let errors = parse_config(r#"{"endpoint": "mock", "timeout_ms": 999.5}"#, &[]).unwrap_err();
    assert_eq!(
        errors,
        [ConfigError::BadValue {
            key: "timeout_ms",
            value: "999.5".to_owned()
        }]
    );
}

#[test]
fn a_build_without_the_mock_refuses_the_mock_endpoint() {
    let json = r#"{"endpoint": "mock"}"#;
    assert_eq!(
        parse_config_for_build(json, &[], false).unwrap_err(),
        vec![ConfigError::MockNotBuilt]
    );
    assert!(parse_config_for_build(json, &[], true).unwrap().is_mock());
    let real = r#"{"endpoint": "https://report.example.gov.cn/v1/reports"}"#;
    assert!(parse_config_for_build(real, &[], false).is_ok());
    // A data-endpoint override decides, as it does for every other check.
    let overridden = [("endpoint".to_owned(), "https://r.example.cn/v1".to_owned())];
    assert!(parse_config_for_build(json, &overridden, false).is_ok());
}

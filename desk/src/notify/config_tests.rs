//! The channels' configuration: environment overrides, hidden secrets, refusals.

use super::*;

fn load(file: &str, env: &[(&str, &str)]) -> Result<NotifyConfig, NotifyError> {
    let table: toml::Table = file.parse().unwrap();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    parse(
        table.get("notify"),
        &lookup,
        Duration::from_secs(1),
        Duration::from_secs(3600),
    )
}

#[test]
fn channels_from_the_file_with_secrets_from_the_environment() {
    let file = r#"
        [[notify]]
        kind = "wecom"
        url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=in-the-file"
        [[notify]]
        kind = "dingtalk"
        name = "east-gate"
        url = "https://oapi.dingtalk.com/robot/send?access_token=t"
        communities = ["新泾一村"]
    "#;
    let config = load(
        file,
        &[
            (
                "DESK_NOTIFY_WECOM_URL",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=from-env",
            ),
            ("DESK_NOTIFY_EAST_GATE_SECRET", "SECabc"),
            (
                "DESK_NOTIFY_FEISHU_URL",
                "https://open.feishu.cn/open-apis/bot/v2/hook/x",
            ),
        ],
    )
    .unwrap();
    let names: Vec<&str> = config.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["wecom", "east-gate", "feishu"]);
    assert!(config.channels[0].url.ends_with("key=from-env"));
    assert_eq!(config.channels[1].secret.as_deref(), Some("SECabc"));
    assert!(config.channels[1].accepts("新泾一村") && !config.channels[1].accepts("新泾二村"));
    assert!(config.channels[2].accepts("新泾二村"));
    // Nothing secret in what is printed or logged.
    let shown = format!("{}\n{:?}", describe(&config), config);
    for secret in ["from-env", "access_token", "SECabc", "hook/x"] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    assert!(shown.contains("https://oapi.dingtalk.com/…"));
}

#[test]
fn a_bad_channel_is_refused_without_showing_its_url() {
    let e = load(
        "",
        &[(
            "DESK_NOTIFY_DINGTALK_URL",
            "https://oapi.dingtalk.com/robot/send?access_token=t",
        )],
    )
    .unwrap_err();
    assert!(e.to_string().contains("needs a signing secret"), "{e:?}");
    let e = load(
        "",
        &[(
            "DESK_NOTIFY_WECOM_URL",
            "http://qyapi.weixin.qq.com/x?key=k",
        )],
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("https://") && !e.to_string().contains("key=k"),
        "{e:?}"
    );
    let e = load("[[notify]]\nkind = \"slack\"\nurl = \"https://x\"", &[]).unwrap_err();
    assert!(e.to_string().contains("slack"), "{e:?}");
    let e = load(
        "[[notify]]\nkind = \"wecom\"\nurl = \"https://x\"\ncolour = 1",
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().contains("colour"), "{e:?}");
    let e = load("[[notify]]\nkind = \"wecom\"", &[]).unwrap_err();
    assert!(e.to_string().contains("no url"), "{e:?}");
    let two = "[[notify]]\nkind = \"wecom\"\nurl = \"https://a\"\n[[notify]]\nkind = \"wecom\"\nurl = \"https://b\"";
    assert!(load(two, &[])
        .unwrap_err()
        .to_string()
        .contains("two channels"));
    assert!(load("", &[]).unwrap().channels.is_empty());
}

#[test]
fn the_limits_are_the_platforms() {
    let config = load(
        "",
        &[("DESK_NOTIFY_FEISHU_URL", "https://open.feishu.cn/h")],
    )
    .unwrap();
    assert_eq!(
        config.channels[0].limits()[0],
        Limit {
            count: 5,
            window_ms: 1_000
        }
    );
}

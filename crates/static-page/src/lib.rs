//! The static first paint: the whole reading experience as plain HTML, rendered at build
//! time from the bundled feed with the widget's own core.
//!
//! Every campaign is rendered, in the order the app lists them (`in_display_order`), with
//! its dates in `data-start` / `data-end`; `public/static.js` hides those not running on
//! the reader's Shanghai day, picks the language and the text size before the first paint,
//! and turns the first tap on an action into the app. Both languages are in the page: each
//! text is a pair of spans (`xj-s-zh`, `xj-s-en`), and a class on `<html>` hides one. The
//! markup mirrors the app's (same classes, same boxes), so when the app replaces it
//! nothing moves.

mod form;

use xinjing_contract::Lang;
use xinjing_core::campaign::{icon_path, in_display_order, Campaign, Feed, Text};
use xinjing_core::config::Config;
use xinjing_core::i18n::{fill, Msg};

/// The id of the static paint's root; the app removes it when it takes over.
pub const STATIC_ID: &str = "xj-static";

pub struct Page {
    /// `<div id="xj-static" …>…</div>`, to go inside the mount element.
    pub html: String,
    /// The deployment's default language at build time (`<html data-default-lang>`).
    pub default_lang: Option<Lang>,
    /// The document title in the default language.
    pub title: String,
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A text in both languages; the English span says it is Chinese when it falls back.
fn both(zh: &str, en: &str, en_is_zh: bool) -> String {
    format!(
        r#"<span class="xj-s-zh" lang="zh-CN">{}</span><span class="xj-s-en" lang="{}">{}</span>"#,
        escape(zh),
        if en_is_zh { "zh-CN" } else { "en" },
        escape(en)
    )
}

fn msg(m: Msg) -> String {
    both(m.text(Lang::Zh), m.text(Lang::En), false)
}

fn text(t: &Text) -> String {
    both(t.get(Lang::Zh), t.get(Lang::En), t.en.trim().is_empty())
}

fn title_of(config: Option<&Config>) -> Text {
    config
        .and_then(|c| c.theme.title.clone())
        .filter(|t| !t.zh.trim().is_empty())
        .unwrap_or_else(|| Text {
            zh: Msg::AppTitle.text(Lang::Zh).to_owned(),
            en: Msg::AppTitle.text(Lang::En).to_owned(),
        })
}

fn icon(name: Option<&str>) -> String {
    format!(
        r#"<svg class="xj-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="{}" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>"#,
        icon_path(name)
    )
}

fn card(c: &Campaign) -> String {
    let id = escape(&c.id);
    let title_id = format!("xj-s-c-{id}");
    let period = |lang: Lang| {
        fill(
            Msg::DetailPeriod.text(lang),
            &[("start", &c.start.to_string()), ("end", &c.end.to_string())],
        )
    };
    let sections: String = c
        .details()
        .into_iter()
        .map(|(heading, body)| format!("<h4>{}</h4><p>{}</p>", msg(heading), text(body)))
        .collect();
    format!(
        concat!(
            r#"<li class="xj-card" data-campaign="{id}" data-start="{start}" data-end="{end}">"#,
            r#"<div class="xj-card-head">{icon}<h3 id="{title_id}">{title}</h3></div>"#,
            "<p>{summary}</p>",
            r#"<div class="xj-actions">"#,
            r#"<details class="xj-more"><summary class="xj-button" aria-describedby="{title_id}">{more}</summary>"#,
            r#"<div class="xj-detail"><p class="xj-muted">{period}</p>{sections}</div></details>"#,
            r#"<button type="button" class="xj-button xj-primary xj-needs-app" data-xj-go="report:{id}" aria-describedby="{title_id}">{report}</button>"#,
            "</div></li>"
        ),
        id = id,
        start = c.start,
        end = c.end,
        icon = icon(c.icon.as_deref()),
        title_id = title_id,
        title = text(&c.title),
        summary = text(&c.summary),
        more = msg(Msg::ReadMore),
        period = both(&period(Lang::Zh), &period(Lang::En), false),
        sections = sections,
        report = msg(Msg::ReportThis),
    )
}

/// One copy of an element per language, for elements whose attributes are in a language
/// (aria-label): the one not in use is hidden with its class.
fn per_lang(make: impl Fn(Lang, &str) -> String) -> String {
    make(Lang::Zh, "xj-s-zh") + &make(Lang::En, "xj-s-en")
}

pub fn render(feed: &Feed, config: Option<&Config>) -> Page {
    let title = title_of(config);
    let logo = config
        .and_then(|c| c.theme.logo.as_deref())
        .map(|src| {
            format!(
                r#"<img class="xj-logo" src="{}" alt="" width="32" height="32">"#,
                escape(src)
            )
        })
        .unwrap_or_default();
    let lang_switch = per_lang(|lang, class| {
        format!(
            r#"<button type="button" class="xj-button xj-small {class}" data-xj-do="lang" lang="{}" aria-label="{}">{}</button>"#,
            lang.other().tag(),
            escape(Msg::SwitchLanguageLabel.text(lang)),
            escape(Msg::SwitchLanguage.text(lang)),
        )
    });
    let tabs = per_lang(|lang, class| {
        format!(
            concat!(
                r#"<nav class="xj-tabs {class}" aria-label="{label}">"#,
                r#"<button type="button" class="xj-tab" data-xj-do="campaigns" aria-current="page">{campaigns}</button>"#,
                r#"<button type="button" class="xj-tab xj-needs-app" data-xj-go="report">{report}</button>"#,
                r#"<button type="button" class="xj-tab xj-needs-app" data-xj-go="mine">{mine}</button>"#,
                "</nav>"
            ),
            class = class,
            label = escape(Msg::NavLabel.text(lang)),
            campaigns = escape(Msg::TabCampaigns.text(lang)),
            report = escape(Msg::TabReport.text(lang)),
            mine = escape(Msg::TabMine.text(lang)),
        )
    });
    let cards: String = in_display_order(&feed.campaigns)
        .into_iter()
        .map(card)
        .collect();
    let fallback = both(
        "此浏览器无法打开在线报告。请拨打 12345 市民服务热线反映安全隐患。",
        "This browser cannot open the report form: please call the 12345 citizen hotline.",
        false,
    );
    let html = format!(
        concat!(
            r#"<div id="{static_id}" class="xj-app">"#,
            r#"<header class="xj-header"><div class="xj-brand">{logo}<div>"#,
            r#"<h1 class="xj-title">{title}</h1><p class="xj-tagline">{tagline}</p></div></div>"#,
            r#"<div class="xj-tools">{lang_switch}<button type="button" class="xj-button xj-small" data-xj-do="large" aria-pressed="false">{large}</button></div>"#,
            "</header>",
            r#"<aside class="xj-emergency" aria-labelledby="xj-s-emergency"><p id="xj-s-emergency" class="xj-emergency-title">{emergency}</p>"#,
            r#"<div class="xj-calls"><a class="xj-call xj-call-fire" href="tel:119">{call119}</a><a class="xj-call xj-call-police" href="tel:110">{call110}</a><a class="xj-call" href="tel:12345">{call12345}</a></div></aside>"#,
            r#"<p class="xj-fallback-note xj-note xj-warn" role="alert">{fallback}</p>"#,
            r#"<p class="xj-offline-note xj-note xj-warn" role="alert">{no_signal}</p>"#,
            "{tabs}",
            r#"<main class="xj-main"><section class="xj-section xj-s-campaigns" aria-labelledby="xj-s-campaigns"><h2 id="xj-s-campaigns">{heading}</h2>"#,
            r#"<ul class="xj-cards" role="list">{cards}</ul><p class="xj-empty" hidden>{empty}</p></section>{forms}</main>"#,
            r#"<footer class="xj-footer"><p>{note}</p></footer>"#,
            "</div>"
        ),
        static_id = STATIC_ID,
        logo = logo,
        title = text(&title),
        tagline = msg(Msg::AppTagline),
        lang_switch = lang_switch,
        large = msg(Msg::LargeText),
        emergency = msg(Msg::EmergencyHeading),
        call119 = msg(Msg::Call119),
        call110 = msg(Msg::Call110),
        call12345 = msg(Msg::Call12345),
        fallback = fallback,
        no_signal = msg(Msg::AppNoSignal),
        tabs = tabs,
        heading = msg(Msg::CampaignsHeading),
        cards = cards,
        forms = form::report_form(Lang::Zh, config) + &form::report_form(Lang::En, config),
        empty = msg(Msg::NoActiveCampaigns),
        note = msg(Msg::EmergencyNote),
    );
    let default_lang = config.and_then(|c| c.default_lang);
    Page {
        html,
        default_lang,
        title: title.get(default_lang.unwrap_or_default()).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinjing_core::campaign::{active_on, bundled_feed, parse_feed};
    use xinjing_core::config::parse_config;

    const CONFIG: &str = include_str!("../../../public/config.json");

    fn page() -> Page {
        let config = parse_config(CONFIG, &[]).expect("shipped config parses");
        render(&bundled_feed(), Some(&config))
    }

    #[test]
    fn every_bundled_campaign_with_all_its_texts_in_both_languages() {
        let html = page().html;
        for c in &bundled_feed().campaigns {
            for t in [&c.title, &c.summary]
                .into_iter()
                .chain(c.details().into_iter().map(|(_, t)| t))
            {
                assert!(html.contains(&escape(&t.zh)), "{}: {}", c.id, t.zh);
                assert!(html.contains(&escape(&t.en)), "{}: {}", c.id, t.en);
            }
            assert!(html.contains(&format!(r#"data-xj-go="report:{}""#, c.id)));
        }
        for number in ["119", "110", "12345"] {
            assert!(html.contains(&format!(r#"href="tel:{number}""#)));
        }
    }

    #[test]
    fn cards_come_in_the_apps_order_with_their_dates() {
        let feed = bundled_feed();
        let html = page().html;
        let positions: Vec<usize> = in_display_order(&feed.campaigns)
            .iter()
            .map(|c| {
                html.find(&format!(
                    r#"data-campaign="{}" data-start="{}" data-end="{}""#,
                    c.id, c.start, c.end
                ))
                .expect("card rendered")
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        // On any day, hiding the cards not running leaves exactly the app's list.
        let today = feed.campaigns[0].start;
        let shown: Vec<&str> = in_display_order(&feed.campaigns)
            .into_iter()
            .filter(|c| c.is_active_on(today))
            .map(|c| c.id.as_str())
            .collect();
        let app: Vec<&str> = active_on(&feed.campaigns, today)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(shown, app);
    }

    #[test]
    fn feed_text_is_escaped() {
        let json = r#"{"campaigns": [{"id": "x\"y", "title": {"zh": "<b>标题</b>", "en": "a & b"},
            "summary": {"zh": "摘要"}, "rule": {"zh": "r"}, "why": {"zh": "w"}, "instead": {"zh": "i"},
            "start": "2026-01-01", "end": "2026-12-31"}]}"#;
        let feed = parse_feed(json).unwrap().feed;
        let html = render(&feed, None).html;
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;b&gt;标题&lt;/b&gt;"));
        assert!(html.contains("a &amp; b"));
        assert!(html.contains(r#"data-campaign="x&quot;y""#));
        // English falls back to Chinese, and says so.
        assert!(html.contains(r#"<span class="xj-s-en" lang="zh-CN">摘要</span>"#));
    }

    #[test]
    fn title_and_language_come_from_the_config() {
        let p = page();
        assert_eq!(p.default_lang, Some(Lang::Zh));
        assert_eq!(p.title, "新泾安全随手报");
        assert_eq!(render(&bundled_feed(), None).default_lang, None);
    }
}

//! The report form of the static first paint, one copy per language (a `<select>`'s options
//! cannot hold both languages the way the other texts do). It has the app's fields, labels,
//! hints, options and privacy notice, from the same catalogue and config, and the app's
//! markup (same elements, same classes), so the app replaces it without moving anything.
//!
//! It sends nothing itself: `public/static.js` shows it on a QR link and on the report tab,
//! keeps "send" until the app is there, and the loader (boot.js) hands what was typed,
//! chosen and ticked to the app's own fields, with the focus and the caret.
//! Field names are the draft's (`description`, `share_contact`…); the loader finds the
//! app's input for each as `#xj-` + the name with `-` for `_`.

use super::escape;
use xinjing_contract::Lang;
use xinjing_core::config::Config;
use xinjing_core::i18n::{fill, Msg};
use xinjing_core::report::Category;

/// The `<select>` value that shows the 119 / 110 card instead of the form (as in the app).
const DANGER_VALUE: &str = "danger";

/// Texts only the static form says: the app never waits for itself.
fn own(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

fn t(lang: Lang, m: Msg) -> String {
    escape(m.text(lang))
}

/// A labelled single-line input, as the app's `text_field`.
fn text_input(
    id: &str,
    name: &str,
    label: String,
    hint: Option<String>,
    kind: &str,
    autocomplete: &str,
) -> String {
    let hint_id = format!("{id}-hint");
    let (hint, described) = match hint {
        Some(text) => (
            format!(r#"<p class="xj-hint" id="{hint_id}">{text}</p>"#),
            format!(r#" aria-describedby="{hint_id}""#),
        ),
        None => (String::new(), String::new()),
    };
    let inputmode = if kind == "tel" {
        r#" inputmode="tel""#
    } else {
        ""
    };
    format!(
        r#"<label for="{id}">{label}</label>{hint}<input id="{id}" name="{name}" type="{kind}" autocomplete="{autocomplete}"{inputmode}{described}>"#
    )
}

fn field(inner: String) -> String {
    format!(r#"<div class="xj-field">{inner}</div>"#)
}

fn community(lang: Lang, p: &str, communities: &[String]) -> String {
    let id = format!("{p}community");
    if communities.is_empty() {
        return field(text_input(
            &id,
            "community",
            t(lang, Msg::FieldCommunity),
            None,
            "text",
            "off",
        ));
    }
    let options: String = communities
        .iter()
        .map(|name| {
            let name = escape(name);
            format!(r#"<option value="{name}">{name}</option>"#)
        })
        .collect();
    field(format!(
        r#"<label for="{id}">{}</label><select id="{id}" name="community"><option value="">{}</option>{options}</select>"#,
        t(lang, Msg::FieldCommunity),
        t(lang, Msg::ChooseOne),
    ))
}

fn category(lang: Lang, p: &str) -> String {
    let options: String = Category::ALL
        .into_iter()
        .map(|c| {
            format!(
                r#"<option value="{}">{}</option>"#,
                c.code(),
                escape(c.name(lang))
            )
        })
        .collect();
    field(format!(
        r#"<label for="{p}category">{}</label><select id="{p}category" name="category"><option value="">{}</option><option value="{DANGER_VALUE}">{}</option>{options}</select>"#,
        t(lang, Msg::FieldCategory),
        t(lang, Msg::ChooseOne),
        t(lang, Msg::DangerNow),
    ))
}

fn description(lang: Lang, p: &str) -> String {
    let count = fill(Msg::CharCount.text(lang), &[("n", "0")]);
    field(format!(
        concat!(
            r#"<label for="{p}description">{label}</label>"#,
            r#"<p class="xj-hint" id="{p}description-hint">{hint}</p>"#,
            r#"<textarea id="{p}description" name="description" rows="4" aria-describedby="{p}description-hint {p}description-count"></textarea>"#,
            r#"<p class="xj-count" id="{p}description-count" data-xj-count="{template}">{count}</p>"#,
        ),
        p = p,
        label = t(lang, Msg::FieldDescription),
        hint = t(lang, Msg::DescriptionHint),
        template = escape(Msg::CharCount.text(lang)),
        count = escape(&count),
    ))
}

/// The first photo slot, not usable before the app (which re-encodes photos): it says so.
fn photos(lang: Lang) -> String {
    let add = fill(Msg::PhotoAdd.text(lang), &[("n", "1")]);
    format!(
        concat!(
            r#"<fieldset class="xj-field xj-photos"><legend>{legend}</legend><p class="xj-hint">{note}</p>"#,
            r#"<ul class="xj-photo-list" role="list"><li class="xj-photo">"#,
            r#"<button type="button" class="xj-button xj-photo-add" disabled>{add}{preparing}</button>"#,
            "</li></ul></fieldset>"
        ),
        legend = t(lang, Msg::FieldPhotos),
        note = t(lang, Msg::PhotoNote),
        add = escape(&add),
        preparing = own(lang, "（准备中…）", " (getting ready…)"),
    )
}

fn contact(lang: Lang, p: &str, config: Option<&Config>) -> String {
    let controller = config
        .map(|c| c.privacy.controller.get(lang))
        .unwrap_or_default();
    let consent = fill(
        Msg::ContactConsent.text(lang),
        &[("controller", controller)],
    );
    // Each shown only once consent is ticked, as in the app; separately, so the form's grid
    // spaces them as it spaces the app's.
    let name = text_input(
        &format!("{p}name"),
        "name",
        t(lang, Msg::FieldName),
        None,
        "text",
        "name",
    );
    let phone = text_input(
        &format!("{p}phone"),
        "phone",
        t(lang, Msg::FieldPhone),
        None,
        "tel",
        "tel",
    );
    format!(
        concat!(
            r#"<fieldset class="xj-field"><legend>{heading}</legend>"#,
            r#"<p class="xj-hint" id="{p}anonymous-hint">{anonymous}</p>"#,
            r#"<label class="xj-check"><input type="checkbox" id="{p}share-contact" name="share_contact" aria-describedby="{p}anonymous-hint"><span>{consent}</span></label>"#,
            r#"<div class="xj-field xj-s-contact" hidden>{name}</div>"#,
            r#"<div class="xj-field xj-s-contact" hidden>{phone}</div>"#,
            r#"<label class="xj-check xj-s-contact" hidden><input type="checkbox" name="remember"><span>{remember}</span></label>"#,
            "</fieldset>"
        ),
        p = p,
        heading = t(lang, Msg::ContactHeading),
        anonymous = t(lang, Msg::ContactAnonymous),
        consent = escape(&consent),
        name = name,
        phone = phone,
        remember = t(lang, Msg::RememberContact),
    )
}

fn privacy(lang: Lang, p: &str, config: Option<&Config>) -> String {
    let Some(privacy) = config.map(|c| &c.privacy) else {
        return String::new();
    };
    let text = fill(
        Msg::PrivacyText.text(lang),
        &[
            ("controller", privacy.controller.get(lang)),
            ("purpose", privacy.purpose.get(lang)),
            ("retention", privacy.retention.get(lang)),
            ("contact", privacy.contact.get(lang)),
        ],
    );
    format!(
        r#"<section class="xj-privacy" aria-labelledby="{p}privacy-title"><h3 id="{p}privacy-title">{}</h3><p>{}</p></section>"#,
        t(lang, Msg::PrivacyHeading),
        escape(&text),
    )
}

/// The form in one language, inside a section like the app's report screen.
pub fn report_form(lang: Lang, config: Option<&Config>) -> String {
    let p = format!("xj-s-{}-", lang.pick("zh", "en"));
    let communities = config.map(|c| c.communities.as_slice()).unwrap_or(&[]);
    let building = field(text_input(
        &format!("{p}building"),
        "building",
        t(lang, Msg::FieldBuilding),
        None,
        "text",
        "off",
    ));
    let spot = field(text_input(
        &format!("{p}spot"),
        "spot",
        t(lang, Msg::FieldSpot),
        Some(t(lang, Msg::SpotHint)),
        "text",
        "off",
    ));
    format!(
        concat!(
            r#"<section class="xj-section xj-s-form xj-s-{lang}" lang="{tag}" aria-labelledby="{p}form-title">"#,
            r#"<h2 id="{p}form-title" tabindex="-1">{heading}</h2><p class="xj-muted">{intro}</p>"#,
            r#"<form class="xj-form" method="dialog" novalidate data-xj-form>"#,
            "{category}",
            r#"<div class="xj-s-danger" hidden><p class="xj-note xj-warn">{danger}</p></div>"#,
            "{community}{building}",
            r#"<p class="xj-similar" role="status"></p>"#,
            "{spot}{description}{photos}{contact}{privacy}",
            r#"<p class="xj-note xj-s-pending" role="status" hidden>{pending}</p>"#,
            r#"<p class="xj-note xj-warn xj-s-send-failed" role="alert">{failed}</p>"#,
            r#"<button type="submit" class="xj-button xj-primary xj-wide xj-needs-app">{submit}</button>"#,
            "</form></section>"
        ),
        lang = lang.pick("zh", "en"),
        tag = lang.tag(),
        p = p,
        heading = t(lang, Msg::FormHeading),
        intro = t(lang, Msg::FormIntro),
        category = category(lang, &p),
        danger = escape(&format!(
            "{} {}",
            Msg::DangerTitle.text(lang),
            Msg::DangerText.text(lang)
        )),
        community = community(lang, &p, communities),
        building = building,
        spot = spot,
        description = description(lang, &p),
        photos = photos(lang),
        contact = contact(lang, &p, config),
        privacy = privacy(lang, &p, config),
        pending = own(
            lang,
            "正在准备提交……您填写的内容都已保留，准备好后会自动提交，请不要关闭页面。",
            "Preparing to send… everything you entered is kept, and the report goes as soon as the form is ready. Please keep this page open."
        ),
        failed = own(
            lang,
            "报告表单未能打开，报告尚未发送。您填写的内容仍在本页：有网络时请再点“提交报告”。急事请拨打 12345。",
            "The report form could not open, so the report has not been sent. What you entered is still on this page: tap “Send report” again when you have signal. If it is urgent, call 12345."
        ),
        submit = t(lang, Msg::Submit),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinjing_core::config::parse_config;

    const CONFIG: &str = include_str!("../../../public/config.json");

    fn config() -> Config {
        parse_config(CONFIG, &[]).expect("shipped config parses")
    }

    #[test]
    fn the_apps_fields_labels_hints_and_options_in_each_language() {
        let config = config();
        for lang in [Lang::Zh, Lang::En] {
            let html = report_form(lang, Some(&config));
            for m in [
                Msg::FormHeading,
                Msg::FormIntro,
                Msg::FieldCategory,
                Msg::ChooseOne,
                Msg::DangerNow,
                Msg::FieldCommunity,
                Msg::FieldBuilding,
                Msg::FieldSpot,
                Msg::SpotHint,
                Msg::FieldDescription,
                Msg::DescriptionHint,
                Msg::FieldPhotos,
                Msg::PhotoNote,
                Msg::ContactHeading,
                Msg::ContactAnonymous,
                Msg::FieldName,
                Msg::FieldPhone,
                Msg::RememberContact,
                Msg::PrivacyHeading,
                Msg::Submit,
            ] {
                assert!(html.contains(&escape(m.text(lang))), "{lang:?} {m:?}");
            }
            for c in Category::ALL {
                let option = format!(
                    r#"<option value="{}">{}</option>"#,
                    c.code(),
                    escape(c.name(lang))
                );
                assert!(html.contains(&option), "{lang:?} {option}");
            }
            for area in &config.communities {
                assert!(html.contains(&format!(
                    r#"<option value="{0}">{0}</option>"#,
                    escape(area)
                )));
            }
            let controller = config.privacy.controller.get(lang);
            assert!(html.contains(&escape(controller)));
            assert!(html.contains(&escape(config.privacy.retention.get(lang))));
            for name in [
                "category",
                "community",
                "building",
                "spot",
                "description",
                "share_contact",
                "name",
                "phone",
                "remember",
            ] {
                assert!(
                    html.contains(&format!(r#"name="{name}""#)),
                    "{lang:?} {name}"
                );
            }
        }
    }

    #[test]
    fn without_listed_areas_the_area_is_typed() {
        let config = parse_config(r#"{"endpoint": "mock", "communities": []}"#, &[]).unwrap();
        let html = report_form(Lang::Zh, Some(&config));
        assert!(html.contains(r#"name="community" type="text""#));
        assert!(!html.contains(r#"<select id="xj-s-zh-community""#));
    }

    #[test]
    fn ids_differ_per_language_and_from_the_apps() {
        let zh = report_form(Lang::Zh, Some(&config()));
        let en = report_form(Lang::En, Some(&config()));
        assert!(zh.contains(r#"id="xj-s-zh-description""#));
        assert!(en.contains(r#"id="xj-s-en-description""#));
        for html in [&zh, &en] {
            assert!(!html.contains(r#"id="xj-description""#));
        }
    }

    #[test]
    fn areas_and_privacy_texts_are_escaped() {
        let json = r#"{"endpoint": "mock", "communities": ["<b>A</b>"], "privacy": {"controller": {"zh": "a & b", "en": "a & b"}}}"#;
        let config = parse_config(json, &[]).unwrap();
        let html = report_form(Lang::Zh, Some(&config));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;b&gt;A&lt;/b&gt;"));
        assert!(html.contains("a &amp; b"));
    }
}

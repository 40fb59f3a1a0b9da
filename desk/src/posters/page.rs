//! A stairwell poster (宣传): one A4 page per building, in large black-on-white type for
//! elderly readers: today's campaigns, the emergency numbers and a QR code that opens the
//! widget with the place filled in. Pure: the handler gives it what to print.

use super::qr;
use maud::{html, Markup, DOCTYPE};
use xinjing_contract::time::Date;
use xinjing_contract::Lang;
use xinjing_core::campaign::Campaign;

/// The poster's stylesheet (A4, print breaks), served at [`CSS_PATH`].
pub const CSS: &str = include_str!("poster.css");
pub const CSS_PATH: &str = "/desk/posters/poster.css";

/// At most this many campaigns on a sheet, so the type stays large.
pub const MAX_CAMPAIGNS: usize = 3;

/// One printed page.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub community: String,
    /// `None`: a poster for the whole area (no building known yet).
    pub building: Option<String>,
    /// The widget's address with the place filled in (in the QR code).
    pub url: String,
    /// The same, readable (printed under the code).
    pub address: String,
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

/// The emergency numbers, as the widget's strip shows them.
const NUMBERS: [(&str, &str, &str); 3] = [
    ("119", "火警", "Fire"),
    ("110", "报警", "Police"),
    ("12345", "市民热线", "Citizen hotline"),
];

fn sheet(lang: Lang, sheet: &Sheet, campaigns: &[&Campaign], today: Date) -> Markup {
    let place = match &sheet.building {
        Some(building) => format!("{} · {}", sheet.community, building),
        None => sheet.community.clone(),
    };
    let qr_label = format!(
        "{}{}",
        t(lang, "二维码：", "QR code: "),
        t(
            lang,
            "打开随手报，地点已填好",
            "opens the report form with the place filled in"
        )
    );
    html! {
        section.sheet aria-label=(place) {
            header {
                p.place { (place) }
                h2.headline { (t(lang, "发现安全隐患？扫码随手报", "See a fire hazard? Scan and report it")) }
            }
            @if !campaigns.is_empty() {
                ul.campaigns {
                    @for campaign in campaigns {
                        li {
                            strong { (campaign.title.get(lang)) }
                            span { (campaign.summary.get(lang)) }
                        }
                    }
                }
            }
            div.scan {
                @if let Some(code) = qr::svg(&sheet.url, &qr_label) {
                    figure.code { (code) }
                }
                div.how {
                    p.big { (t(lang, "用微信或手机相机扫一扫", "Scan with WeChat or your phone's camera")) }
                    p { (t(lang, "小区和楼栋已经填好，拍张照片就能报告，可以查看处理进度。",
                           "The compound and building are filled in: add a photo, send, and follow the progress.")) }
                    p.url { (sheet.address) }
                }
            }
            div.numbers {
                p.urgent { (t(lang, "紧急情况请直接拨打", "In an emergency, call")) }
                ul {
                    @for (number, zh, en) in NUMBERS {
                        li { span.number { (number) } span.what { (lang.pick(zh, en)) } }
                    }
                }
            }
            footer {
                (t(lang, "新泾镇 · 居委会", "Xinjing Town · Neighbourhood committee"))
                " · " (today.to_string())
            }
        }
    }
}

/// The printable document: every sheet on a page of its own.
pub fn document(
    lang: Lang,
    sheets: &[Sheet],
    campaigns: &[Campaign],
    today: Date,
    back: &str,
) -> Markup {
    let shown: Vec<&Campaign> = campaigns.iter().take(MAX_CAMPAIGNS).collect();
    let title = match sheets {
        [one] => one
            .building
            .clone()
            .unwrap_or_else(|| one.community.clone()),
        [first, ..] => first.community.clone(),
        [] => String::new(),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            (crate::staff::layout::head(html! { (t(lang, "宣传海报", "Posters")) " · " (title) }, CSS_PATH))
            body {
                nav.toolbar aria-label=(t(lang, "海报工具栏", "Poster toolbar")) {
                    a href=(back) { (t(lang, "返回海报列表", "Back to the posters")) }
                    p {
                        (t(lang, "用浏览器的“打印”（Ctrl+P）打印，纸张 A4，每栋楼一页。",
                           "Print with the browser's Print (Ctrl+P) on A4: one page per building."))
                        " " (sheets.len()) (t(lang, " 页", " page(s)"))
                    }
                }
                main {
                    h1.visually-hidden { (t(lang, "宣传海报", "Posters")) " · " (title) }
                    @for one in sheets { (sheet(lang, one, &shown, today)) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_per_building_with_the_place_the_numbers_and_user_text_escaped() {
        let feed = xinjing_core::campaign::bundled_feed();
        let sheets = vec![
            Sheet {
                community: "示例一村".into(),
                building: Some("<b>1号楼</b>".into()),
                url: qr::widget_url("http://x", "示例一村", Some("<b>1号楼</b>")),
                address: qr::widget_address("http://x", "示例一村", Some("<b>1号楼</b>")),
            },
            Sheet {
                community: "示例一村".into(),
                building: Some("2号楼".into()),
                url: qr::widget_url("http://x", "示例一村", Some("2号楼")),
                address: qr::widget_address("http://x", "示例一村", Some("2号楼")),
            },
        ];
        let today = Date::parse("2026-11-30").unwrap();
        let html =
            document(Lang::Zh, &sheets, &feed.campaigns, today, "/desk/posters").into_string();
        assert_eq!(html.matches("<section class=\"sheet\"").count(), 2);
        assert_eq!(html.matches("<svg class=\"qr\"").count(), 2);
        assert!(html.contains("&lt;b&gt;1号楼&lt;/b&gt;"));
        assert!(!html.contains("<b>1号楼"));
        for number in ["119", "110", "12345"] {
            assert!(html.contains(&format!("<span class=\"number\">{number}</span>")));
        }
        assert!(html.contains(&feed.campaigns[0].title.zh));
        assert!(
            html.contains("<p class=\"url\">http://x/?community=示例一村&amp;building=2号楼</p>")
        );
        assert_eq!(html.matches("<li><strong>").count(), 2 * MAX_CAMPAIGNS);
    }
}

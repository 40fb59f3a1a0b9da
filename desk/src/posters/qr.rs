//! The poster's QR code: encoded by the `qrcode` crate, drawn here as one SVG path (the
//! crate's own SVG renderer would have to be pasted in unescaped; this way maud writes
//! every byte and nothing on the page is taken as markup).

use crate::staff::auth::encode_component;
use maud::{html, Markup};
use qrcode::{Color, EcLevel, QrCode};

/// Modules of light margin around the code, as the standard asks.
const QUIET_ZONE: usize = 4;

/// The dark modules as an SVG path, one `h`-run per stretch of dark modules in a row.
pub fn path_of(width: usize, colors: &[Color]) -> String {
    let mut d = String::new();
    for y in 0..width {
        let row = &colors[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
                d.push_str(&format!(
                    "M{} {}h{run}v1h-{run}z",
                    x + QUIET_ZONE,
                    y + QUIET_ZONE
                ));
                x += run;
            } else {
                x += 1;
            }
        }
    }
    d
}

/// The code for `text` as inline SVG, named `label` for screen readers. Error correction
/// level Q: a stairwell poster gets scuffed, and a quarter of the code may be lost.
pub fn svg(text: &str, label: &str) -> Option<Markup> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q).ok()?;
    let width = code.width();
    let size = width + 2 * QUIET_ZONE;
    let d = path_of(width, &code.to_colors());
    Some(html! {
        svg.qr xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (size) " " (size) }
            role="img" aria-label=(label) shape-rendering="crispEdges" {
            rect width=(size) height=(size) fill="#fff" {}
            path d=(d) fill="#000" {}
        }
    })
}

/// The widget's address that fills in the place: `?community=…&building=…`, the parameters
/// the widget reads (src/ui/app.rs `query`).
pub fn widget_url(public_url: &str, community: &str, building: Option<&str>) -> String {
    let mut url = format!("{public_url}/?community={}", encode_component(community));
    if let Some(building) = building {
        url.push_str("&building=");
        url.push_str(&encode_component(building));
    }
    url
}

/// The same address as people read and type it (not percent-encoded), printed under the
/// code for those who cannot scan.
pub fn widget_address(public_url: &str, community: &str, building: Option<&str>) -> String {
    match building {
        Some(building) => format!("{public_url}/?community={community}&building={building}"),
        None => format!("{public_url}/?community={community}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_carries_the_place_encoded() {
        assert_eq!(
            widget_url("https://r.example.cn", "示例一村", Some("2号楼 A&B")),
            "https://r.example.cn/?community=%E7%A4%BA%E4%BE%8B%E4%B8%80%E6%9D%91\
             &building=2%E5%8F%B7%E6%A5%BC%20A%26B"
        );
        assert_eq!(
            widget_url("http://127.0.0.1:8080", "a", None),
            "http://127.0.0.1:8080/?community=a"
        );
    }

    #[test]
    fn runs_of_dark_modules_become_one_stroke_each() {
        use Color::{Dark as D, Light as L};
        let colors = [D, D, L, L, D, D, D, L, D];
        assert_eq!(
            path_of(3, &colors),
            "M4 4h2v1h-2zM5 5h2v1h-2zM4 6h1v1h-1zM6 6h1v1h-1z"
        );
    }

    #[test]
    fn the_svg_is_plain_markup() {
        let svg = svg("https://r.example.cn/?community=x", "<label>")
            .unwrap()
            .into_string();
        assert!(svg.starts_with("<svg class=\"qr\""), "{svg}");
        assert!(svg.contains("aria-label=\"&lt;label&gt;\""));
        assert!(svg.contains("</rect><path d=\"M4 4h7v1h-7z"), "{svg}");
    }
}

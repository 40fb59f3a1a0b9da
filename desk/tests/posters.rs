//! Stairwell posters over HTTP: the list shows a staff member's own areas and their
//! buildings (configured, else seen in reports), a whole area prints as one page per
//! building, and each poster's QR code — rasterised from the page's SVG and read by a QR
//! decoder (rqrr) — opens the widget with the area and building filled in.

mod common;

use common::qr::decode_qr;
use common::staff::{add_account, Browser};
use common::TestEnv;
use serde_json::json;
use xinjing_desk::sample;

const AREA: &str = "示例一村（演示）";

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn query_of(url: &str) -> Vec<(String, String)> {
    url.split_once('?')
        .unwrap()
        .1
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_owned(), percent_decode(v))
        })
        .collect()
}

#[tokio::test]
async fn a_posters_qr_code_opens_the_widget_with_the_area_and_building_filled_in() {
    let env = TestEnv::new().await;
    let desk = env
        .start(&[
            (
                "DESK_COMMUNITIES",
                &format!("{AREA},示例二苑（演示）,示例三坊（演示）"),
            ),
            (
                "DESK_BUILDINGS",
                &format!("{AREA}=1号楼,2号楼 A&B,10号楼;示例二苑（演示）=3号楼"),
            ),
        ])
        .await;
    // 示例三坊 has no configured buildings: the one named in its report is used.
    let mut report = sample::report(&sample::random_uuid());
    report["location"]["community"] = json!("示例三坊（演示）");
    report["location"]["building"] = json!("5号楼");
    let taken_up = desk.post(&report).await.ticket();
    desk.set_status(
        &taken_up,
        xinjing_contract::TicketStatus::InProgress,
        "已派人查看",
        common::now_ms(),
    )
    .await;
    // A building typed with a phone number in it never reaches a poster in a stairwell.
    let mut report = sample::report(&sample::random_uuid());
    report["location"]["community"] = json!("示例三坊（演示）");
    report["location"]["building"] = json!("6号楼王阿姨13912345678");
    let with_phone = desk.post(&report).await.ticket();
    desk.set_status(
        &with_phone,
        xinjing_contract::TicketStatus::InProgress,
        "已派人查看",
        common::now_ms(),
    )
    .await;
    add_account(&desk, "li", "staff", &[AREA, "示例三坊（演示）"]).await;
    let mut li = Browser::new(&desk);
    li.login("li").await;

    let list = li.get("/desk/posters").await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains(&format!("<h2>{AREA}</h2>")));
    assert!(list.text.contains("2号楼 A&amp;B"));
    assert!(list.text.contains("<h2>示例三坊（演示）</h2>"));
    assert!(list.text.contains(">5号楼</a>"));
    assert!(
        !list.text.contains("13912345678"),
        "no phone number on a poster"
    );
    assert!(
        !list.text.contains("示例二苑"),
        "another area's posters are not listed"
    );
    let other = li.get("/desk/posters/print?community=%E7%A4%BA%E4%BE%8B%E4%BA%8C%E8%8B%91%EF%BC%88%E6%BC%94%E7%A4%BA%EF%BC%89").await;
    assert_eq!(other.status, 404);

    // One building: its QR code, decoded, is the widget's address with the place.
    let one = li
        .get(&format!(
            "/desk/posters/print?community={}&building=2%E5%8F%B7%E6%A5%BC%20A%26B",
            xinjing_desk::staff::auth::encode_component(AREA)
        ))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.text.matches("<section class=\"sheet\"").count(), 1);
    let url = decode_qr(&one.text);
    assert!(url.starts_with(&format!("{}/?", desk.url)), "{url}");
    assert_eq!(
        query_of(&url),
        vec![
            ("community".to_owned(), AREA.to_owned()),
            ("building".to_owned(), "2号楼 A&B".to_owned())
        ]
    );
    for number in ["119", "110", "12345"] {
        assert!(one
            .text
            .contains(&format!("<span class=\"number\">{number}</span>")));
    }
    // Today's campaigns (the desk's feed), as the widget orders them.
    assert!(one.text.contains("电动车不进楼道"));
    assert!(one.text.contains("href=\"/desk/posters/poster.css\""));

    // The whole area: a page per building, in order, each with its own code.
    let all = li
        .get(&format!(
            "/desk/posters/print?community={}",
            xinjing_desk::staff::auth::encode_component(AREA)
        ))
        .await;
    let places: Vec<&str> = all
        .text
        .split("<section class=\"sheet\" aria-label=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(
        places,
        vec![
            format!("{AREA} · 1号楼"),
            format!("{AREA} · 2号楼 A&amp;B"),
            format!("{AREA} · 10号楼")
        ]
    );
    let last = &all.text[all.text.rfind("<section class=\"sheet\"").unwrap()..];
    assert_eq!(query_of(&decode_qr(last))[1].1, "10号楼");
    let css = desk
        .http
        .get(format!("{}/desk/posters/poster.css", desk.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(css.contains("@page { size: A4;"));
    assert!(css.contains("break-after: page"));
    desk.stop().await;
}

#[tokio::test]
async fn posters_print_only_buildings_staff_confirmed_and_never_a_link() {
    let env = TestEnv::new().await;
    let desk = env.start(&[("DESK_COMMUNITIES", AREA)]).await;
    let mut tickets = Vec::new();
    for building in [
        "加群领奖 http://evil.example/x",
        "7号楼",
        "8号楼",
        "www.evil.example 9号楼",
    ] {
        let mut report = sample::report(&sample::random_uuid());
        report["location"]["building"] = json!(building);
        tickets.push(desk.post(&report).await.ticket());
    }
    // Staff took up the reports of 8号楼 and of the one with a link in its name.
    for ticket in [&tickets[2], &tickets[3]] {
        desk.set_status(
            ticket,
            xinjing_contract::TicketStatus::InProgress,
            "已派人查看",
            common::now_ms(),
        )
        .await;
    }
    add_account(&desk, "li", "staff", &[AREA]).await;
    let mut li = Browser::new(&desk);
    li.login("li").await;
    let list = li.get("/desk/posters").await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains(">8号楼</a>"), "{}", list.text);
    assert!(!list.text.contains("7号楼"), "a name nobody confirmed");
    assert!(!list.text.contains("evil"), "a link on a poster");
    desk.stop().await;
}

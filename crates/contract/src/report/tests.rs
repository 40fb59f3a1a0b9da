use super::*;
use proptest::prelude::*;

fn communities() -> Vec<String> {
    vec!["示例一村（演示）".to_owned(), "示例二苑（演示）".to_owned()]
}

fn good_report() -> ReportPayload {
    ReportPayload {
        schema: SCHEMA.into(),
        id: "6f1c2a3b-0000-4000-8000-000000000001".into(),
        created_at: "2026-11-30T10:00:00+08:00".into(),
        category: Category::EbikeInStairwell,
        campaign_id: None,
        location: Location {
            community: "示例一村（演示）".into(),
            building: "2号楼".into(),
            detail: String::new(),
        },
        description: "三楼楼道有电动车充电".into(),
        photos: vec![],
        contact: None,
        consent: Consent {
            contact: false,
            notice_version: "2026-11".into(),
        },
        locale: "zh-CN".into(),
        client: ClientInfo {
            version: "0.1.0".into(),
        },
    }
}

fn jpeg_photo(bytes: usize) -> Photo {
    // "/9j/" is FF D8 FF; the rest is any base64 of the right length.
    let mut data = String::from("/9j/");
    data.push_str(&"A".repeat(bytes.div_ceil(3) * 4 - 4));
    Photo {
        mime: PHOTO_MIME.into(),
        width: 1600,
        height: 1200,
        data,
    }
}

#[test]
fn empty_fields_list_errors_in_form_order() {
    let fields: Vec<Field> = validate_fields(&ReportFields::default(), &communities())
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        fields,
        [
            Field::Category,
            Field::Community,
            Field::Building,
            Field::Description
        ]
    );
}

#[test]
fn a_good_report_passes_the_server_check() {
    assert_eq!(validate_report(&good_report(), &communities()), vec![]);
    let mut with_photos = good_report();
    with_photos.photos = vec![jpeg_photo(999), jpeg_photo(PHOTO_MAX_BYTES / 3 * 3)];
    assert_eq!(validate_report(&with_photos, &communities()), vec![]);
}

#[test]
fn the_server_catches_what_a_client_could_skip() {
    let problems = |change: fn(&mut ReportPayload)| {
        let mut report = good_report();
        change(&mut report);
        validate_report(&report, &communities())
    };
    assert_eq!(
        problems(|r| r.description = "短".into()),
        vec![(Field::Description, FieldError::DescriptionTooShort)]
    );
    assert_eq!(
        problems(|r| r.location.community = "别处".into()),
        vec![(Field::Community, FieldError::CommunityMissing)]
    );
    // Every free text the widget fills in has a cap (64 characters).
    let malformed = vec![(Field::Envelope, FieldError::Malformed)];
    assert_eq!(
        problems(|r| r.consent.notice_version = "版".repeat(65)),
        malformed
    );
    assert_eq!(problems(|r| r.client.version = "版".repeat(65)), malformed);
    assert_eq!(
        problems(|r| r.campaign_id = Some("版".repeat(65))),
        malformed
    );
    assert_eq!(
        problems(|r| r.consent.notice_version = "版".repeat(64)),
        vec![]
    );
    assert_eq!(problems(|r| r.client.version = "版".repeat(64)), vec![]);
    assert_eq!(
        problems(|r| r.photos = vec![jpeg_photo(10); 4]),
        vec![(Field::Photos, FieldError::TooManyPhotos)]
    );
    assert_eq!(
        problems(|r| r.photos = vec![jpeg_photo(PHOTO_MAX_BYTES + 3)]),
        vec![(Field::Photos, FieldError::PhotoTooLarge)]
    );
    assert_eq!(
        problems(|r| r.photos = vec![Photo {
            data: "iVBORw0KGgo=".into(),
            ..jpeg_photo(10)
        }]),
        vec![(Field::Photos, FieldError::PhotoUnreadable)],
        "a PNG is not a JPEG"
    );
    assert_eq!(
        problems(|r| r.photos = vec![Photo {
            width: 4000,
            ..jpeg_photo(10)
        }]),
        vec![(Field::Photos, FieldError::PhotoTooLarge)]
    );
    // Contact without consent, a decorated phone, a bad id or schema: all refused.
    assert_eq!(
        problems(|r| r.contact = Some(Contact {
            name: "王".into(),
            phone: "13912345678".into()
        })),
        vec![(Field::Envelope, FieldError::Malformed)]
    );
    assert_eq!(
        problems(|r| {
            r.consent.contact = true;
            r.contact = Some(Contact {
                name: "王".into(),
                phone: "139 1234 5678".into(),
            })
        }),
        vec![(Field::Phone, FieldError::PhoneInvalid)]
    );
    for change in [
        (|r: &mut ReportPayload| r.id = "not-a-uuid".into()) as fn(&mut ReportPayload),
        |r| r.schema = "xinjing.report/2".into(),
        |r| r.created_at = "yesterday".into(),
        |r| r.locale = "fr".into(),
    ] {
        assert_eq!(
            problems(change),
            vec![(Field::Envelope, FieldError::Malformed)]
        );
    }
}

#[test]
fn messages_exist_in_both_languages() {
    let all = [
        FieldError::CategoryMissing,
        FieldError::CommunityMissing,
        FieldError::WhereMissing,
        FieldError::TooLong { max: 20 },
        FieldError::DescriptionTooShort,
        FieldError::PhoneInvalid,
        FieldError::TooManyPhotos,
        FieldError::PhotoUnreadable,
        FieldError::PhotoTooLarge,
        FieldError::Malformed,
    ];
    let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    for error in all {
        let zh = error.message(Lang::Zh);
        let en = error.message(Lang::En);
        assert!(zh.chars().any(is_cjk), "{error:?}: {zh}");
        assert!(!en.chars().any(is_cjk) && en.is_ascii(), "{error:?}: {en}");
    }
    for category in Category::ALL {
        assert!(category.name(Lang::Zh).chars().any(is_cjk));
        assert!(!category.name(Lang::En).chars().any(is_cjk));
        assert_eq!(Category::from_code(category.code()), Some(category));
    }
}

#[test]
fn mobile_numbers() {
    for good in [
        "13912345678",
        "+86 139 1234 5678",
        "0086-139-1234-5678",
        "8613912345678",
        "139　1234　5678",
    ] {
        assert_eq!(
            normalize_mobile(good).as_deref(),
            Some("13912345678"),
            "{good}"
        );
    }
    for bad in [
        "",
        "12912345678",
        "1391234567",
        "139123456789",
        "1391234567x",
        "１３９１２３４５６７８",
        "021-12345678",
    ] {
        assert_eq!(normalize_mobile(bad), None, "{bad}");
    }
}

#[test]
fn base64_lengths() {
    assert_eq!(base64_decoded_len(""), Some(0));
    assert_eq!(base64_decoded_len("QQ=="), Some(1));
    assert_eq!(base64_decoded_len("QUI="), Some(2));
    assert_eq!(base64_decoded_len("QUJD"), Some(3));
    assert_eq!(base64_decoded_len("QUJDRA"), Some(4));
    assert_eq!(base64_decoded_len("QUJD!"), None);
    assert_eq!(base64_decoded_len("Q"), None);
    assert_eq!(base64_decoded_len("QQ==="), None);
}

proptest! {
    #[test]
    fn description_length_counts_characters(text in "\\PC{0,1100}") {
        let fields = ReportFields { description: &text, ..ReportFields::default() };
        let n = text.trim().chars().count();
        let errors = validate_fields(&fields, &[]);
        let description_ok = !errors.iter().any(|(f, _)| *f == Field::Description);
        prop_assert_eq!(description_ok, (DESCRIPTION_MIN..=DESCRIPTION_MAX).contains(&n));
    }

    #[test]
    fn cjk_and_emoji_count_once(count in 0usize..1200, emoji in any::<bool>()) {
        let unit = if emoji { "🔥" } else { "楼" };
        let mut report = good_report();
        report.description = unit.repeat(count);
        let ok = validate_report(&report, &communities()).is_empty();
        prop_assert_eq!(ok, (DESCRIPTION_MIN..=DESCRIPTION_MAX).contains(&count));
    }

    /// Numbers as residents type them: the right digits with spaces, hyphens and country
    /// prefixes, or one digit changed to make them wrong.
    #[test]
    fn decorated_mobiles_normalise_and_wrong_ones_do_not(second in 0u8..=9, rest in "[0-9]{9}", sep in prop_oneof![Just(""), Just(" "), Just("-"), Just("\u{3000}")], prefix in 0usize..4, drop_digit in any::<bool>()) {
        let mut number = format!("1{second}{rest}");
        if drop_digit { number.pop(); }
        let shown = format!("{}{}{sep}{}{sep}{}", ["", "+86", "0086", "86"][prefix], &number[..3], &number[3..7], &number[7..]);
        let valid = !drop_digit && second >= 3;
        prop_assert_eq!(normalize_mobile(&shown), valid.then_some(number));
    }

    #[test]
    fn base64_length_matches_a_real_encoding(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut text = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                text.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
            for _ in chunk.len()..3 { text.push('='); }
        }
        prop_assert_eq!(base64_decoded_len(&text), Some(bytes.len()));
    }
}

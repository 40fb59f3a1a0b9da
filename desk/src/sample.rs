//! Sample reports and JPEG files for the desk's tests and its load generator (not used by
//! the server itself).

use base64::Engine;
use serde_json::{json, Value};

/// A structurally valid baseline JPEG of `width`×`height` whose entropy-coded data is
/// `payload` pseudo-random bytes (the desk never decodes pixels), optionally carrying an
/// EXIF block with a GPS position and a comment.
pub fn jpeg(width: u16, height: u16, payload: usize, exif: bool, seed: u64) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    v.extend_from_slice(&[
        0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    if exif {
        let body = b"Exif\0\0MM\0\x2a\0\0\0\x08 GPSLatitude N 31 13 48.21";
        v.extend_from_slice(&[0xFF, 0xE1]);
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v.extend_from_slice(&[0xFF, 0xFE, 0, 9, b'c', b'a', b'm', b'e', b'r', b'a', b'!']);
    }
    v.extend_from_slice(&[0xFF, 0xDB, 0, 67, 0]);
    v.extend_from_slice(&[1u8; 64]);
    v.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&[1, 1, 0x11, 0]);
    v.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
    let mut state = seed | 1;
    for _ in 0..payload {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let byte = (state >> 24) as u8;
        v.push(byte);
        if byte == 0xFF {
            v.push(0x00);
        }
    }
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// A decodable photo as a phone camera writes it: `width`×`height` of smooth light with
/// fine grain (so it stays megabytes long, like a real one), quality 92, with an EXIF
/// block holding a GPS position.
pub fn camera_jpeg(width: u16, height: u16, seed: u32) -> Vec<u8> {
    let (w, h) = (u32::from(width), u32::from(height));
    let mut pixels = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        for x in 0..w {
            let grain = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ seed) >> 27;
            let r = (x * 200 / w + grain) as u8;
            let g = (y * 200 / h + grain) as u8;
            let b = ((x + y) * 100 / (w + h) + 80 + grain) as u8;
            pixels.extend([r, g, b]);
        }
    }
    // A big-endian TIFF block: IFD0 with a GPS pointer, the GPS IFD with a latitude ref.
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    tiff.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    tiff.extend([0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(b"GPSLatitude 31 13 48.21 N");
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 92);
    encoder.add_exif_metadata(&tiff).expect("EXIF fits");
    encoder
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encodes");
    out
}

pub fn base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// A version-4 UUID from a counter and a seed (deterministic, distinct per `n`).
pub fn uuid(seed: u64, n: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&seed.to_be_bytes());
    bytes[8..].copy_from_slice(&n.to_be_bytes());
    xinjing_contract::ids::uuid_v4(bytes)
}

pub use crate::ids::random_uuid;

/// A valid report in the contract's shape (anonymous, Chinese, free-text community).
pub fn report(id: &str) -> Value {
    json!({
        "schema": "xinjing.report/1",
        "id": id,
        "created_at": "2026-11-30T09:15:00+08:00",
        "category": "ebike_in_stairwell",
        "location": { "community": "示例一村（演示）", "building": "2号楼1单元", "detail": "3 楼楼道" },
        "description": "3 楼楼道停着一辆电动车在充电",
        "photos": [],
        "contact": null,
        "consent": { "contact": false, "notice_version": "2026-11" },
        "locale": "zh-CN",
        "client": { "version": "0.1.0" }
    })
}

/// A photo entry for a report, from JPEG bytes.
pub fn photo(width: u16, height: u16, data: &[u8]) -> Value {
    json!({ "mime": "image/jpeg", "width": width, "height": height, "data": base64(data) })
}

/// A report with `photos` photos of about `photo_bytes` each.
pub fn report_with_photos(id: &str, photos: usize, photo_bytes: usize, seed: u64) -> Value {
    let mut report = report(id);
    report["photos"] = (0..photos)
        .map(|i| {
            photo(
                1600,
                1200,
                &jpeg(1600, 1200, photo_bytes, false, seed + i as u64),
            )
        })
        .collect();
    report
}

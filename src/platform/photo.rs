//! Re-encodes a chosen photo in the browser: decode, scale to the core's limits, JPEG.
//! Only pixels are drawn, so EXIF (GPS position included) never leaves the phone.

use super::js;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use xinjing_core::photo::{decoded_len, fit, MAX_BYTES, MAX_EDGE, QUALITIES, SHRINK};
use xinjing_core::report::Photo;

#[derive(Debug)]
pub struct Undecodable;

pub async fn reencode(file: &web_sys::File) -> Result<Photo, Undecodable> {
    let image = JsFuture::from(js::decode_image(file).map_err(|_| Undecodable)?)
        .await
        .map_err(|_| Undecodable)?;
    let size = js::image_size(&image);
    let (width, height) = (
        size.first().copied().unwrap_or(0),
        size.get(1).copied().unwrap_or(0),
    );
    if width == 0 || height == 0 {
        js::release_image(&image, &JsValue::NULL);
        return Err(Undecodable);
    }
    let mut edge = MAX_EDGE;
    let result = loop {
        let (w, h) = fit(width, height, edge);
        let drawn = match js::draw_scaled(&image, w, h) {
            Ok(promise) => JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        let Some(canvas) = drawn else {
            break Err(Undecodable);
        };
        let mut fitted = None;
        for quality in QUALITIES {
            let Ok(promise) = js::jpeg_base64(&canvas, quality) else {
                break;
            };
            let Some(data) = JsFuture::from(promise)
                .await
                .ok()
                .and_then(|v| v.as_string())
            else {
                break;
            };
            if decoded_len(&data) <= MAX_BYTES {
                fitted = Some(data);
                break;
            }
        }
        js::release_image(&JsValue::NULL, &canvas);
        match fitted {
            Some(data) => {
                break Ok(Photo {
                    mime: "image/jpeg".into(),
                    width: w,
                    height: h,
                    data,
                })
            }
            None if edge > 400 => edge = (f64::from(edge) * SHRINK) as u32,
            None => break Err(Undecodable),
        }
    };
    js::release_image(&image, &JsValue::NULL);
    result
}

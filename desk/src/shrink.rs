//! A phone camera's photo made into one the API would accept: decoded, turned upright (the
//! camera's EXIF orientation, since the EXIF itself is dropped), scaled to fit the longest
//! edge, and encoded again as a baseline JPEG within the byte limit, lowering the quality
//! and then the size until it fits. The result carries no metadata segment at all: only
//! what the encoder writes (JFIF, tables, frame, scan). Pure and synchronous; callers run
//! it on a blocking thread.

use jpeg_decoder::{CodingProcess, Decoder, PixelFormat};
use jpeg_encoder::{ColorType, Encoder};

/// The largest picture decoded (pixels): a 15 MB file may declare far more than it holds;
/// 50 MP covers a 4:3 fifty megapixel phone camera (8160×6120).
pub const MAX_PIXELS: u64 = 50_000_000;

/// The largest progressive picture decoded: its decoder keeps every coefficient of the
/// full frame whatever the scale asked for, so its memory grows with the frame.
pub const MAX_PROGRESSIVE_PIXELS: u64 = 16_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShrinkError {
    #[error("not a JPEG the desk can decode")]
    Unreadable,
    #[error("more pixels than the desk decodes")]
    TooLarge,
}

/// The photo, at most `max_edge` pixels on its longest side and `max_bytes` long.
pub fn shrink(data: &[u8], max_edge: u32, max_bytes: usize) -> Result<Vec<u8>, ShrinkError> {
    let mut decoder = Decoder::new(data);
    decoder.read_info().map_err(|_| ShrinkError::Unreadable)?;
    let info = decoder.info().ok_or(ShrinkError::Unreadable)?;
    let pixels = u64::from(info.width) * u64::from(info.height);
    let progressive = info.coding_process == CodingProcess::DctProgressive;
    if pixels > MAX_PIXELS || (progressive && pixels > MAX_PROGRESSIVE_PIXELS) {
        return Err(ShrinkError::TooLarge);
    }
    // The decoder halves the size in its transform when asked (1/2, 1/4, 1/8), never
    // below the size asked for: cheaper than decoding everything and averaging after.
    let edge = max_edge.min(u32::from(u16::MAX)) as u16;
    let (w, h) = fit(
        u32::from(info.width),
        u32::from(info.height),
        u32::from(edge),
    );
    decoder
        .scale(w as u16, h as u16)
        .map_err(|_| ShrinkError::Unreadable)?;
    decoder.set_max_decoding_buffer_size(MAX_PIXELS as usize * 4);
    let pixels = decoder.decode().map_err(|_| ShrinkError::Unreadable)?;
    let info = decoder.info().ok_or(ShrinkError::Unreadable)?;
    let rgb = to_rgb(pixels, info.pixel_format).ok_or(ShrinkError::Unreadable)?;
    let mut image = Rgb {
        width: u32::from(info.width),
        height: u32::from(info.height),
        data: rgb,
    };
    if image.data.len() != image.width as usize * image.height as usize * 3 {
        return Err(ShrinkError::Unreadable);
    }
    image = upright(image, decoder.exif_data().map(orientation).unwrap_or(1));
    let mut edge = max_edge;
    loop {
        let (w, h) = fit(image.width, image.height, edge);
        let scaled = scale(&image, w, h);
        for quality in [85, 75, 65, 55] {
            let jpeg = encode(&scaled, quality)?;
            if jpeg.len() <= max_bytes {
                return Ok(jpeg);
            }
        }
        // Still too many bytes at a low quality: fewer pixels.
        edge = edge * 3 / 4;
        if edge < 64 {
            return Err(ShrinkError::TooLarge);
        }
    }
}

struct Rgb {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

/// `width`×`height` scaled to fit `edge` on the longest side (never enlarged).
fn fit(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= edge {
        return (width, height);
    }
    let scaled = |side: u32| ((u64::from(side) * u64::from(edge)) / u64::from(long)).max(1) as u32;
    (scaled(width), scaled(height))
}

fn to_rgb(pixels: Vec<u8>, format: PixelFormat) -> Option<Vec<u8>> {
    Some(match format {
        PixelFormat::RGB24 => pixels,
        PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        PixelFormat::L16 => pixels
            .chunks_exact(2)
            .flat_map(|c| [c[0], c[0], c[0]])
            .collect(),
        // Adobe's inverted CMYK, as the decoder gives it.
        PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|c| {
                let k = u16::from(c[3]);
                [0, 1, 2].map(|i| (u16::from(c[i]) * k / 255) as u8)
            })
            .collect(),
    })
}

/// The EXIF orientation (1–8) from a TIFF block; 1 when absent or unreadable.
fn orientation(tiff: &[u8]) -> u16 {
    let big = match tiff.get(..2) {
        Some(b"MM") => true,
        Some(b"II") => false,
        _ => return 1,
    };
    let u16_at = |at: usize| {
        let b = tiff.get(at..at + 2)?;
        Some(if big {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| {
        let b = tiff.get(at..at + 4)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let found = || {
        let ifd = u32_at(4)? as usize;
        let count = usize::from(u16_at(ifd)?);
        (0..count).find_map(|i| {
            let entry = ifd + 2 + 12 * i;
            (u16_at(entry)? == 0x0112).then(|| u16_at(entry + 8))?
        })
    };
    found().filter(|o| (1..=8).contains(o)).unwrap_or(1)
}

/// The picture turned as its orientation says, so it stands upright without the tag.
fn upright(image: Rgb, orientation: u16) -> Rgb {
    if orientation <= 1 || orientation > 8 {
        return image;
    }
    let (w, h) = (image.width as usize, image.height as usize);
    let swap = orientation >= 5;
    let (nw, nh) = if swap { (h, w) } else { (w, h) };
    let mut data = vec![0u8; image.data.len()];
    for y in 0..nh {
        for x in 0..nw {
            // The source pixel of output (x, y), for each of the eight orientations.
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let from = (sy * w + sx) * 3;
            let to = (y * nw + x) * 3;
            data[to..to + 3].copy_from_slice(&image.data[from..from + 3]);
        }
    }
    Rgb {
        width: nw as u32,
        height: nh as u32,
        data,
    }
}

/// Area averaging: each output pixel is the mean of the source pixels it covers.
fn scale(image: &Rgb, width: u32, height: u32) -> Rgb {
    if (width, height) == (image.width, image.height) {
        return Rgb {
            width,
            height,
            data: image.data.clone(),
        };
    }
    let (sw, sh) = (image.width as usize, image.height as usize);
    let (w, h) = (width as usize, height as usize);
    let mut data = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let (y0, y1) = (y * sh / h, ((y + 1) * sh / h).max(y * sh / h + 1));
        for x in 0..w {
            let (x0, x1) = (x * sw / w, ((x + 1) * sw / w).max(x * sw / w + 1));
            let mut sum = [0u32; 3];
            for sy in y0..y1 {
                let row = &image.data[(sy * sw + x0) * 3..(sy * sw + x1) * 3];
                for px in row.chunks_exact(3) {
                    for c in 0..3 {
                        sum[c] += u32::from(px[c]);
                    }
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            data.extend(sum.map(|s| ((s + n / 2) / n) as u8));
        }
    }
    Rgb {
        width,
        height,
        data,
    }
}

fn encode(image: &Rgb, quality: u8) -> Result<Vec<u8>, ShrinkError> {
    let mut out = Vec::new();
    Encoder::new(&mut out, quality)
        .encode(
            &image.data,
            image.width as u16,
            image.height as u16,
            ColorType::Rgb,
        )
        .map_err(|_| ShrinkError::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(width: u16, height: u16, exif: Option<Vec<u8>>) -> Vec<u8> {
        let mut data = Vec::new();
        for y in 0..u32::from(height) {
            for x in 0..u32::from(width) {
                let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 24;
                data.extend([(x % 256) as u8, (y % 256) as u8, n as u8]);
            }
        }
        let mut out = Vec::new();
        let mut encoder = Encoder::new(&mut out, 95);
        if let Some(exif) = exif {
            encoder.add_exif_metadata(&exif).unwrap();
        }
        encoder
            .encode(&data, width, height, ColorType::Rgb)
            .unwrap();
        out
    }

    /// A big-endian TIFF block with one tag: the orientation.
    fn tiff_with_orientation(o: u16) -> Vec<u8> {
        let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
        t.extend(1u16.to_be_bytes());
        t.extend(0x0112u16.to_be_bytes());
        t.extend(3u16.to_be_bytes());
        t.extend(1u32.to_be_bytes());
        t.extend(o.to_be_bytes());
        t.extend([0, 0, 0, 0, 0, 0]);
        t
    }

    #[test]
    fn a_big_photo_fits_the_edge_and_the_bytes_with_no_metadata() {
        let photo = camera(1200, 900, Some(tiff_with_orientation(1)));
        let small = shrink(&photo, 400, 20_000).unwrap();
        assert!(small.len() <= 20_000);
        let clean = crate::jpeg::clean(&small).unwrap();
        assert_eq!((clean.width, clean.height), (400, 300));
        assert_eq!(clean.dropped, 0);
    }

    #[test]
    fn a_turned_photo_is_stood_upright() {
        assert_eq!(orientation(&tiff_with_orientation(6)), 6);
        assert_eq!(orientation(b"nothing"), 1);
        let photo = camera(800, 600, Some(tiff_with_orientation(6)));
        let small = shrink(&photo, 400, 400_000).unwrap();
        let clean = crate::jpeg::clean(&small).unwrap();
        assert_eq!((clean.width, clean.height), (300, 400));
    }

    /// `photo` with its frame header made `marker` (0xC0 baseline, 0xC2 progressive)
    /// declaring `width`×`height`: what a hostile file may claim.
    fn claiming(photo: &[u8], marker: u8, width: u16, height: u16) -> Vec<u8> {
        let mut out = photo.to_vec();
        let at = out.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        out[at + 1] = marker;
        out[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
        out[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
        out
    }

    #[test]
    fn a_progressive_frame_above_sixteen_megapixels_is_refused_before_decoding() {
        let photo = camera(64, 64, None);
        let progressive = claiming(&photo, 0xC2, 5000, 4000);
        assert_eq!(
            shrink(&progressive, 1600, 400_000),
            Err(ShrinkError::TooLarge)
        );
        // The same frame, baseline, is decoded at the scale asked for.
        let baseline = claiming(&photo, 0xC0, 5000, 4000);
        assert_ne!(shrink(&baseline, 1600, 400_000), Err(ShrinkError::TooLarge));
    }

    #[test]
    fn a_frame_above_a_fifty_megapixel_camera_is_refused() {
        let photo = camera(64, 64, None);
        let big = claiming(&photo, 0xC0, 9000, 6000);
        assert_eq!(shrink(&big, 1600, 400_000), Err(ShrinkError::TooLarge));
        // A 4:3 fifty megapixel camera's frame is still read.
        let camera_frame = claiming(&photo, 0xC0, 8160, 6120);
        assert_ne!(
            shrink(&camera_frame, 1600, 400_000),
            Err(ShrinkError::TooLarge)
        );
    }

    #[test]
    fn what_is_not_a_jpeg_is_unreadable() {
        assert_eq!(
            shrink(b"not a jpeg", 1600, 400_000),
            Err(ShrinkError::Unreadable)
        );
        let photo = camera(64, 64, None);
        assert_eq!(
            shrink(&photo[..photo.len() / 2], 1600, 400_000),
            Err(ShrinkError::Unreadable)
        );
    }
}

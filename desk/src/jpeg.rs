//! A JPEG marker walker: reads the frame's dimensions and drops every metadata segment
//! (EXIF and its GPS position, XMP, ICC, comments), without decoding the image. The phone
//! re-encodes photos so they carry none; this is for clients that skip that step.
//!
//! Kept: SOI, APP0 (JFIF), the tables (DQT, DHT, DRI, DAC), the frame header (SOFn), every
//! scan with its entropy-coded data, and EOI. Dropped: APP1–APP15, COM, and anything after
//! EOI.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JpegError {
    /// Not a JPEG, or a broken one.
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanJpeg {
    pub width: u32,
    pub height: u32,
    /// The image without its metadata segments.
    pub bytes: Vec<u8>,
    /// How many segments were dropped.
    pub dropped: usize,
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const COM: u8 = 0xFE;

fn is_sof(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Checks the structure, reads the dimensions and strips metadata.
pub fn clean(data: &[u8]) -> Result<CleanJpeg, JpegError> {
    if data.len() < 4 || data[0] != 0xFF || data[1] != SOI {
        return Err(JpegError::Unreadable);
    }
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut dims: Option<(u32, u32)> = None;
    let mut dropped = 0;
    let mut i = 2;
    let mut scans = 0;
    loop {
        // A marker: 0xFF, optional fill bytes 0xFF, then the code.
        if i >= data.len() || data[i] != 0xFF {
            return Err(JpegError::Unreadable);
        }
        while i < data.len() && data[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = data.get(i) else {
            return Err(JpegError::Unreadable);
        };
        i += 1;
        match marker {
            EOI => {
                if scans == 0 {
                    return Err(JpegError::Unreadable);
                }
                out.extend_from_slice(&[0xFF, EOI]);
                break;
            }
            SOI | 0x00 | 0xD0..=0xD7 | 0x01 => return Err(JpegError::Unreadable),
            _ => {}
        }
        let Some(len_bytes) = data.get(i..i + 2) else {
            return Err(JpegError::Unreadable);
        };
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if len < 2 || i + len > data.len() {
            return Err(JpegError::Unreadable);
        }
        let segment = &data[i..i + len];
        i += len;
        let metadata = matches!(marker, 0xE1..=0xEF | COM)
            || (marker == APP0 && !segment[2..].starts_with(b"JFIF\0"));
        if metadata {
            dropped += 1;
            continue;
        }
        if is_sof(marker) {
            if dims.is_some() || segment.len() < 8 {
                return Err(JpegError::Unreadable);
            }
            let height = u32::from(u16::from_be_bytes([segment[3], segment[4]]));
            let width = u32::from(u16::from_be_bytes([segment[5], segment[6]]));
            if width == 0 || height == 0 {
                return Err(JpegError::Unreadable);
            }
            dims = Some((width, height));
        }
        out.push(0xFF);
        out.push(marker);
        out.extend_from_slice(segment);
        if marker == SOS {
            if dims.is_none() {
                return Err(JpegError::Unreadable);
            }
            scans += 1;
            // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00
            // nor a restart marker.
            let start = i;
            loop {
                if i + 1 >= data.len() {
                    return Err(JpegError::Unreadable);
                }
                if data[i] == 0xFF {
                    let next = data[i + 1];
                    if next == 0x00 || (0xD0..=0xD7).contains(&next) {
                        i += 2;
                        continue;
                    }
                    if next == 0xFF {
                        // Fill byte before a marker.
                        i += 1;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            out.extend_from_slice(&data[start..i]);
        }
    }
    let (width, height) = dims.ok_or(JpegError::Unreadable)?;
    Ok(CleanJpeg {
        width,
        height,
        bytes: out,
        dropped,
    })
}

/// The marker codes of the segments before the first scan (for tests and checks).
pub fn header_markers(data: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= data.len() && data[i] == 0xFF {
        let marker = data[i + 1];
        markers.push(marker);
        if marker == SOS {
            break;
        }
        i += 2 + usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
    }
    markers
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny well-formed baseline JPEG structure (not a decodable picture: the walker
    /// never decodes), `w`×`h`, optionally with an EXIF block holding a GPS tag.
    pub fn sample(width: u16, height: u16, exif: bool) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend_from_slice(&[
            0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        ]);
        if exif {
            let body = b"Exif\0\0MM\0\x2a\0\0\0\x08GPS-N-31-13";
            v.extend_from_slice(&[0xFF, 0xE1]);
            v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            v.extend_from_slice(body);
            v.extend_from_slice(&[0xFF, 0xFE, 0, 6, b'h', b'i', b'!', b'!']);
        }
        let mut dqt = vec![0xFF, 0xDB, 0, 67, 0];
        dqt.extend_from_slice(&[1u8; 64]);
        v.extend_from_slice(&dqt);
        v.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&width.to_be_bytes());
        v.extend_from_slice(&[1, 1, 0x11, 0]);
        v.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        // Entropy data with a stuffed 0xFF00 and a restart marker.
        v.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    }

    #[test]
    fn reads_dimensions_and_strips_metadata() {
        let jpeg = sample(1600, 1200, true);
        let clean = clean(&jpeg).unwrap();
        assert_eq!((clean.width, clean.height), (1600, 1200));
        assert_eq!(clean.dropped, 2);
        assert_eq!(header_markers(&clean.bytes), vec![0xE0, 0xDB, 0xC0, 0xDA]);
        assert!(!clean.bytes.windows(4).any(|w| w == b"Exif"));
        // Without metadata, nothing changes.
        let plain = sample(10, 20, false);
        assert_eq!(clean_bytes(&plain), plain);
        // Stripping twice changes nothing more.
        assert_eq!(clean_bytes(&clean.bytes), clean.bytes);
    }

    fn clean_bytes(data: &[u8]) -> Vec<u8> {
        clean(data).unwrap().bytes
    }

    #[test]
    fn trailing_data_after_the_image_is_dropped() {
        let mut jpeg = sample(10, 20, false);
        let expected = jpeg.clone();
        jpeg.extend_from_slice(b"PK\x03\x04 a zip file riding along");
        assert_eq!(clean_bytes(&jpeg), expected);
    }

    #[test]
    fn broken_files_are_refused() {
        let good = sample(10, 20, false);
        assert_eq!(clean(b"GIF89a"), Err(JpegError::Unreadable));
        assert_eq!(clean(&good[..good.len() - 2]), Err(JpegError::Unreadable));
        assert_eq!(clean(&good[..30]), Err(JpegError::Unreadable));
        let mut zero = good.clone();
        let at = good.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        zero[at + 5..at + 9].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(clean(&zero), Err(JpegError::Unreadable));
        // Every truncation is refused or yields a smaller valid file, and nothing panics.
        for cut in 0..good.len() {
            let _ = clean(&good[..cut]);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            let mut data = sample(8, 8, true);
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % data.len();
                data[at] = (seed >> 32) as u8;
            }
            let _ = clean(&data);
        }
    }
}

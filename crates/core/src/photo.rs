//! The photo policy: how big a re-encoded photo may be. The browser does the pixels
//! (`platform::photo`); the numbers live here.

pub const MAX_EDGE: u32 = 1600;
/// About 400 KB of JPEG, as base64 (4 characters per 3 bytes).
pub const MAX_BYTES: usize = 400 * 1024;
/// JPEG qualities tried in turn until the photo fits.
pub const QUALITIES: [f64; 4] = [0.82, 0.7, 0.58, 0.46];
/// If even the lowest quality is too big, the edge shrinks by this factor and the ladder
/// starts again.
pub const SHRINK: f64 = 0.75;

/// The size to draw an image of `width`×`height` so its long edge is at most `max_edge`,
/// keeping the aspect ratio and never enlarging.
pub fn fit(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_edge || long == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(max_edge) / f64::from(long);
    let scaled = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, max_edge);
    (scaled(width), scaled(height))
}

/// The number of bytes that `base64` text decodes to.
pub fn decoded_len(base64: &str) -> usize {
    let padding = base64.bytes().rev().take_while(|b| *b == b'=').count();
    (base64.len() / 4 * 3).saturating_sub(padding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn twelve_megapixels_fit_in_1600() {
        assert_eq!(fit(4000, 3000, MAX_EDGE), (1600, 1200));
        assert_eq!(fit(3000, 4000, MAX_EDGE), (1200, 1600));
        assert_eq!(fit(800, 600, MAX_EDGE), (800, 600));
        assert_eq!(decoded_len("QUJD"), 3);
        assert_eq!(decoded_len("QUI="), 2);
    }

    proptest! {
        #[test]
        fn never_larger_than_the_edge_nor_the_original(w in 0u32..20_000, h in 0u32..20_000) {
            let (tw, th) = fit(w, h, MAX_EDGE);
            prop_assert!(tw.max(th) <= MAX_EDGE.max(w.max(h)));
            prop_assert!(tw >= 1 && th >= 1);
            if w.max(h) > MAX_EDGE {
                prop_assert!(tw.max(th) == MAX_EDGE);
            }
        }
    }
}

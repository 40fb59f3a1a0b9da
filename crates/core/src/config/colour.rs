//! The deployer's theme colour, checked and kept readable.

pub(super) fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn relative_luminance(rgb: [f64; 3]) -> f64 {
    let linear = |c: f64| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            pow_2_4((c + 0.055) / 1.055)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// `x.powf(2.4)` for `x` in 0..=1 from square roots, which are one exactly rounded wasm
/// instruction, rather than libm's `pow` (~2 KB of wasm for this one use). Also gives the
/// same bits natively (the static page) and in the wasm. 0.4 is 0.0110 0110…₂, so
/// x^0.4 is the product of the roots x^(2^-k) for k ≡ 2, 3 (mod 4).
fn pow_2_4(x: f64) -> f64 {
    let (mut root, mut product) = (x, 1.0);
    for k in 1..=52 {
        root = root.sqrt();
        if k % 4 >= 2 {
            product *= root;
        }
    }
    x * x * product
}

fn parse_hex(hex: &str) -> Option<[f64; 3]> {
    if !is_hex_colour(hex) {
        return None;
    }
    let channel = |i: usize| {
        u8::from_str_radix(&hex[i..i + 2], 16)
            .ok()
            .map(|v| f64::from(v) / 255.0)
    };
    Some([channel(1)?, channel(3)?, channel(5)?])
}

/// The deployer's primary colour, darkened if needed until white text on it (and it as
/// text on white) reaches WCAG AA's 4.5:1, so a bright brand green cannot make buttons
/// unreadable.
pub fn accessible_primary(hex: &str) -> Option<String> {
    let mut rgb = parse_hex(hex)?;
    // Judge the colour as it will be written (whole bytes), so rounding cannot undo the fix.
    let to_bytes = |rgb: [f64; 3]| rgb.map(|c| (c * 255.0).round().clamp(0.0, 255.0) as u8);
    let mut bytes = to_bytes(rgb);
    for _ in 0..60 {
        let written = bytes.map(|b| f64::from(b) / 255.0);
        if 1.05 / (relative_luminance(written) + 0.05) >= 4.5 {
            break;
        }
        rgb = rgb.map(|c| c * 0.92);
        bytes = to_bytes(rgb);
    }
    Some(format!("#{:02x}{:02x}{:02x}", bytes[0], bytes[1], bytes[2]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pow_2_4_matches_powf_on_every_channel_value() {
        for byte in 0..=255u32 {
            let x = (f64::from(byte) / 255.0 + 0.055) / 1.055;
            let (ours, libm) = (pow_2_4(x), x.powf(2.4));
            assert!(
                (ours - libm).abs() <= libm * 1e-13,
                "{byte}: {ours} vs {libm}"
            );
        }
        assert_eq!(pow_2_4(1.0), 1.0);
    }

    #[test]
    fn rounding_cannot_undo_the_fix() {
        // Found by the property test below: darkening stopped at 4.5 before rounding to bytes.
        let out = accessible_primary("#17893b").unwrap();
        let lum = relative_luminance(parse_hex(&out).unwrap());
        assert!(1.05 / (lum + 0.05) >= 4.5, "{out}");
    }

    #[test]
    fn wechat_green_is_darkened_dark_colours_kept() {
        let fixed = accessible_primary("#07c160").unwrap();
        assert_ne!(fixed, "#07c160");
        assert_eq!(accessible_primary("#0b7d3e").as_deref(), Some("#0b7d3e"));
        assert_eq!(accessible_primary("red"), None);
    }

    proptest! {
        #[test]
        fn result_always_reaches_aa(r in 0u8.., g in 0u8.., b in 0u8..) {
            let out = accessible_primary(&format!("#{r:02x}{g:02x}{b:02x}")).unwrap();
            let lum = relative_luminance(parse_hex(&out).unwrap());
            prop_assert!(1.05 / (lum + 0.05) >= 4.5, "{} gives {}", out, 1.05 / (lum + 0.05));
        }
    }
}

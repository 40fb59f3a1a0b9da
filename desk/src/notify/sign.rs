//! The platforms' signatures, all HMAC-SHA256 (written out here on `sha2`: the `hmac`
//! crate in the lock file is built on a newer `digest` than the desk's `sha2`).

use base64::Engine;
use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// DingTalk: `sign = base64(HMAC-SHA256(key = secret, "{timestamp}\n{secret}"))`, the
/// timestamp in milliseconds; both go in the URL's query (URL-encoded by the caller).
pub fn dingtalk(timestamp_ms: i64, secret: &str) -> String {
    let text = format!("{timestamp_ms}\n{secret}");
    base64(&hmac_sha256(secret.as_bytes(), text.as_bytes()))
}

/// Feishu: `sign = base64(HMAC-SHA256(key = "{timestamp}\n{secret}", empty message))`, the
/// timestamp in seconds; both go in the JSON body.
pub fn feishu(timestamp_s: i64, secret: &str) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    base64(&hmac_sha256(key.as_bytes(), b""))
}

/// The generic webhook: `X-Xinjing-Signature: sha256=<hex HMAC-SHA256(secret,
/// "{timestamp}.{body}")>` with `X-Xinjing-Timestamp: {timestamp}` in seconds. A receiver
/// recomputes it over the raw body and refuses timestamps more than 5 minutes off.
pub fn webhook(timestamp_s: i64, secret: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp_s}.").into_bytes();
    message.extend_from_slice(body);
    let mac = hmac_sha256(secret.as_bytes(), &message);
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn rfc_4231_vectors() {
        // Test case 2: a short key.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signatures_have_the_platforms_shapes() {
        assert_eq!(dingtalk(1_700_000_000_000, "SECx").len(), 44);
        assert_eq!(feishu(1_700_000_000, "s").len(), 44);
        assert!(webhook(1, "s", b"{}").starts_with("sha256="));
        assert_ne!(feishu(1, "s"), feishu(2, "s"));
    }
}

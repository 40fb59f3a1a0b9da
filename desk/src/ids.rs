//! Random identifiers and digests, one way each. The operating system's randomness is
//! taken as given: without it no session token or claim can be trusted, so the desk stops
//! with a clear message instead of falling back to something guessable.

use sha2::{Digest, Sha256};

/// `N` bytes from the operating system's randomness.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's randomness is unavailable");
    bytes
}

/// A random version-4 UUID (row ids, idempotency claims, a desk's name on leases).
pub fn random_uuid() -> String {
    xinjing_contract::ids::uuid_v4(random_bytes())
}

/// 32 random bytes as hex (secrets: session tokens).
pub fn random_secret() -> String {
    hex(&random_bytes::<32>())
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_ids_have_their_shapes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(xinjing_contract::ids::is_uuid_v4(&random_uuid()));
        assert_ne!(random_uuid(), random_uuid());
        let secret = random_secret();
        assert_eq!(secret.len(), 64);
        assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

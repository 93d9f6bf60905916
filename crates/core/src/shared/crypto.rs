//! Personal data at rest: AES-256-GCM for the value, a keyed hash (HMAC-SHA-256 "blind index")
//! for exact-match search, and the masks shown to roles that may not see the clear value.
//!
//! One 32-byte master key comes from config, the environment or the data dir's key file; the
//! encryption and index keys are derived from it with HMAC under distinct labels, so the index
//! reveals nothing about the cipher key. The CSRF tokens' key is derived the same way.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::error::{CoreError, CoreResult};

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Crypto {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
    csrf_key: [u8; 32],
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Crypto(..)")
    }
}

fn hmac256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl Crypto {
    pub fn new(master: &[u8; 32]) -> Self {
        let enc = hmac256(master, b"wuye/pii-encryption/v1");
        let index_key = hmac256(master, b"wuye/pii-blind-index/v1");
        let csrf_key = hmac256(master, b"wuye/csrf/v1");
        let cipher = Aes256Gcm::new_from_slice(&enc).expect("32-byte key");
        Self {
            cipher,
            index_key,
            csrf_key,
        }
    }

    /// Parses a master key given as 64 hex digits.
    pub fn from_hex(s: &str) -> CoreResult<Self> {
        let bytes = hex::decode(s.trim()).map_err(|_| CoreError::internal("the key is not hex"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CoreError::internal("the key must be 32 bytes (64 hex digits)"))?;
        Ok(Self::new(&key))
    }

    /// A fresh random master key, as 64 hex digits.
    pub fn generate_key_hex() -> String {
        hex::encode(random_bytes::<32>())
    }

    /// Identifies the key without revealing it: stored in the database at first use, compared
    /// at every start.
    pub fn fingerprint(&self) -> String {
        hex::encode(&hmac256(&self.index_key, b"wuye/key-fingerprint/v1")[..16])
    }

    /// nonce ‖ ciphertext ‖ tag.
    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        let nonce_bytes = random_bytes::<NONCE_LEN>();
        let nonce = Nonce::try_from(&nonce_bytes[..]).expect("12-byte nonce");
        let ct = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ct);
        out
    }

    pub fn decrypt(&self, blob: &[u8]) -> CoreResult<String> {
        if blob.len() < NONCE_LEN {
            return Err(CoreError::internal("ciphertext too short"));
        }
        let (n, ct) = blob.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(n).map_err(CoreError::internal)?;
        let plain = self
            .cipher
            .decrypt(&nonce, ct)
            .map_err(|_| CoreError::internal("personal data does not decrypt with this key"))?;
        String::from_utf8(plain).map_err(CoreError::internal)
    }

    /// The keyed hash of a normalised value, for `WHERE phone_hash = $1`. `kind` separates
    /// phones from ID numbers so equal strings in different fields do not match.
    pub fn blind_index(&self, kind: &str, normalized: &str) -> Vec<u8> {
        let mut data = Vec::with_capacity(kind.len() + 1 + normalized.len());
        data.extend_from_slice(kind.as_bytes());
        data.push(0);
        data.extend_from_slice(normalized.as_bytes());
        hmac256(&self.index_key, &data)[..16].to_vec()
    }
}

impl Crypto {
    /// The CSRF token of a browser session: a keyed hash of the secret it is bound to (the
    /// session cookie, or before login the pre-session cookie). Every node derives the same key
    /// from the master key, and no one without it can make a token for a cookie of his choice.
    pub fn csrf_token(&self, binding: &str) -> String {
        hex::encode(hmac256(&self.csrf_key, binding.as_bytes()))
    }
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source is available");
    b
}

/// A random token for sessions, CSRF and API tokens: 32 bytes as hex.
pub fn random_token() -> String {
    hex::encode(random_bytes::<32>())
}

/// SHA-256 of a token, as hex: what the database stores instead of the token.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 13812345678 → 138****5678; a landline keeps its area code and last four digits.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    // A landline keeps its area code and the dash after it.
    let head = if chars[0] == '0' {
        chars
            .iter()
            .position(|c| *c == '-')
            .map_or(3, |d| d.min(4) + 1)
    } else {
        3
    };
    let tail = 4;
    let mid = chars.len() - head - tail;
    let mut s: String = chars[..head].iter().collect();
    s.push_str(&"*".repeat(mid));
    s.extend(&chars[chars.len() - tail..]);
    s
}

/// 110101199003074258 → 110101********4258.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let mut s: String = chars[..6].iter().collect();
    s.push_str(&"*".repeat(chars.len() - 10));
    s.extend(&chars[chars.len() - 4..]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_nondeterministic() {
        let c = Crypto::new(&[7u8; 32]);
        let a = c.encrypt("13812345678");
        let b = c.encrypt("13812345678");
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(c.decrypt(&a).unwrap(), "13812345678");
        assert!(!a.windows(11).any(|w| w == b"13812345678"));
        let other = Crypto::new(&[8u8; 32]);
        assert!(other.decrypt(&a).is_err());
    }

    #[test]
    fn blind_index_is_keyed_and_separated_by_kind() {
        let c = Crypto::new(&[7u8; 32]);
        assert_eq!(c.blind_index("phone", "138"), c.blind_index("phone", "138"));
        assert_ne!(c.blind_index("phone", "138"), c.blind_index("id", "138"));
        assert_ne!(
            c.blind_index("phone", "138"),
            Crypto::new(&[9u8; 32]).blind_index("phone", "138")
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("021-62345678"), "021-****5678");
        assert_eq!(mask_id_number("11010119900307425X"), "110101********425X");
    }
}

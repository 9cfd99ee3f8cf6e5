//! **The signed report** (SPEC § 3.3, § 4): the published document, its canonical bytes (RFC 8785),
//! their SHA-256 digest and an Ed25519 signature with the organisation's key — and the offline check
//! of all of that (`boj report verify`).
//!
//! Pure: keys come in as bytes; where they are kept is the store's business.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The signature block of a published report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatur {
    pub alg: String,
    pub key_id: String,
    /// Hex SHA-256 of the canonical bytes of `report`.
    pub sha256: String,
    /// Base64 Ed25519 signature over the same bytes.
    pub value: String,
}

/// Why a document does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fel {
    #[error("filen är inte en rapport i JSON: {0}")]
    Format(String),
    #[error("rapportens innehåll stämmer inte med dess kontrollsumma (ändrad efter utfärdandet)")]
    Kontrollsumma,
    #[error("signaturen stämmer inte med nyckeln {0}")]
    Signatur(String),
    #[error("nyckeln är ogiltig")]
    Nyckel,
}

/// RFC 8785 canonical bytes of a JSON value.
pub fn kanonisk(v: &serde_json::Value) -> Result<Vec<u8>, Fel> {
    serde_json_canonicalizer::to_vec(v).map_err(|e| Fel::Format(e.to_string()))
}

pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Signs `report` (already a JSON value): returns the whole signed document, `{report, signature}`,
/// serialised as canonical JSON too (so the stored bytes are the published bytes).
pub fn signera(
    report: serde_json::Value,
    nyckel: &[u8; 32],
    key_id: &str,
) -> Result<(Vec<u8>, Signatur), Fel> {
    let bytes = kanonisk(&report)?;
    let key = SigningKey::from_bytes(nyckel);
    let sig = Signatur {
        alg: "Ed25519".into(),
        key_id: key_id.into(),
        sha256: sha256_hex(&bytes),
        value: B64.encode(key.sign(&bytes).to_bytes()),
    };
    let doc = serde_json::json!({"report": report, "signature": sig});
    Ok((kanonisk(&doc)?, sig))
}

/// The public key of a signing key.
pub fn publik(nyckel: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(nyckel).verifying_key().to_bytes()
}

/// A signed checkpoint of the audit log (SPEC § 6): the instance's Ed25519 signature over the
/// chain's head — entry `seq` with hash `hash` — so that the log as it stood then can be shown
/// later, even by someone who can rewrite the database but holds no key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kontrollpunkt {
    pub seq: i64,
    pub hash: String,
    pub key_id: String,
    /// Base64 Ed25519 signature over [`Kontrollpunkt::meddelande`].
    pub signature: String,
}

impl Kontrollpunkt {
    /// The signed bytes: a fixed label, the number and the hash.
    fn meddelande(seq: i64, hash: &str) -> Vec<u8> {
        format!("boj-granskningslogg-v1\n{seq}\n{hash}").into_bytes()
    }

    pub fn signera(seq: i64, hash: &str, nyckel: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(nyckel);
        Self {
            seq,
            hash: hash.to_string(),
            key_id: nyckel_id(&key.verifying_key().to_bytes()),
            signature: B64.encode(key.sign(&Self::meddelande(seq, hash)).to_bytes()),
        }
    }

    /// Whether the signature is the one `publik` makes over this number and hash.
    pub fn stammer(&self, publik: &[u8; 32]) -> bool {
        let Ok(vk) = VerifyingKey::from_bytes(publik) else {
            return false;
        };
        let Some(s) = B64
            .decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .map(|b| Signature::from_bytes(&b))
        else {
            return false;
        };
        self.key_id == nyckel_id(publik)
            && vk
                .verify(&Self::meddelande(self.seq, &self.hash), &s)
                .is_ok()
    }

    /// The compact form kept in the audit entry's object: `seq:hash:key_id:signature`.
    pub fn kompakt(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.seq, self.hash, self.key_id, self.signature
        )
    }

    pub fn fran_kompakt(s: &str) -> Option<Self> {
        let mut d = s.splitn(4, ':');
        Some(Self {
            seq: d.next()?.parse().ok()?,
            hash: d.next()?.to_string(),
            key_id: d.next()?.to_string(),
            signature: d.next()?.to_string(),
        })
    }
}

/// A public key's id: `g_` and the first 16 hex digits of its SHA-256.
pub fn nyckel_id(publik: &[u8; 32]) -> String {
    format!("g_{}", &sha256_hex(publik)[..16])
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifierat {
    pub key_id: String,
    pub sha256: String,
    /// Whether the signature was checked against a given public key (origin), or only the digest
    /// (integrity).
    pub ursprung: bool,
}

/// Checks a signed JSON document: the digest always, the signature when a public key is given.
pub fn verifiera(json: &[u8], publik: Option<&[u8]>) -> Result<Verifierat, Fel> {
    let doc: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| Fel::Format(e.to_string()))?;
    let report = doc
        .get("report")
        .ok_or_else(|| Fel::Format("fältet report saknas".into()))?;
    let sig: Signatur = serde_json::from_value(
        doc.get("signature")
            .cloned()
            .ok_or_else(|| Fel::Format("fältet signature saknas".into()))?,
    )
    .map_err(|e| Fel::Format(e.to_string()))?;
    let bytes = kanonisk(report)?;
    if sha256_hex(&bytes) != sig.sha256 {
        return Err(Fel::Kontrollsumma);
    }
    let Some(p) = publik else {
        return Ok(Verifierat {
            key_id: sig.key_id,
            sha256: sig.sha256,
            ursprung: false,
        });
    };
    let p: [u8; 32] = p.try_into().map_err(|_| Fel::Nyckel)?;
    let vk = VerifyingKey::from_bytes(&p).map_err(|_| Fel::Nyckel)?;
    let s = B64
        .decode(&sig.value)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| Fel::Signatur(sig.key_id.clone()))?;
    vk.verify(&bytes, &s)
        .map_err(|_| Fel::Signatur(sig.key_id.clone()))?;
    Ok(Verifierat {
        key_id: sig.key_id,
        sha256: sig.sha256,
        ursprung: true,
    })
}

/// Decodes a public key given as base64 or hex.
pub fn las_publik(s: &str) -> Result<Vec<u8>, Fel> {
    let t = s.trim();
    hex::decode(t)
        .ok()
        .filter(|b| b.len() == 32)
        .or_else(|| B64.decode(t).ok().filter(|b| b.len() == 32))
        .ok_or(Fel::Nyckel)
}

pub fn base64(b: &[u8]) -> String {
    B64.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_report_verifies_and_a_changed_byte_does_not() {
        let key = [7u8; 32];
        let report = serde_json::json!({"period": "2026-Q3", "tables": [{"id": "t", "total": {"value": 12, "status": "published"}}], "label": "Östersund"});
        let (doc, sig) = signera(report, &key, "k_1").unwrap();
        let pk = publik(&key);
        let v = verifiera(&doc, Some(&pk)).unwrap();
        assert!(v.ursprung);
        assert_eq!(v.sha256, sig.sha256);
        // Without the key: integrity only, and it says so.
        assert!(!verifiera(&doc, None).unwrap().ursprung);
        // One changed byte in the numbers: refused.
        let text = String::from_utf8(doc.clone()).unwrap().replace("12", "13");
        assert_eq!(
            verifiera(text.as_bytes(), Some(&pk)),
            Err(Fel::Kontrollsumma)
        );
        // Reformatting (whitespace, key order) is not a change: canonical bytes are compared.
        let pretty =
            serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&doc).unwrap())
                .unwrap();
        assert!(verifiera(&pretty, Some(&pk)).is_ok());
        // Another key: the signature does not match.
        assert!(matches!(
            verifiera(&doc, Some(&publik(&[8u8; 32]))),
            Err(Fel::Signatur(_))
        ));
    }

    #[test]
    fn a_checkpoint_verifies_only_with_its_key_and_its_numbers() {
        let k = Kontrollpunkt::signera(41, &"ab".repeat(32), &[7u8; 32]);
        let publik = publik(&[7u8; 32]);
        assert!(k.stammer(&publik));
        assert_eq!(Kontrollpunkt::fran_kompakt(&k.kompakt()), Some(k.clone()));
        assert!(!k.stammer(&super::publik(&[8u8; 32])));
        let moved = Kontrollpunkt {
            seq: 40,
            ..k.clone()
        };
        assert!(!moved.stammer(&publik));
        let rehashed = Kontrollpunkt {
            hash: "cd".repeat(32),
            ..k
        };
        assert!(!rehashed.stammer(&publik));
    }
}

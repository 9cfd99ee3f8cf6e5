//! Keys outside the database, and field encryption (SPEC § 3.2, § 6).
//!
//! The master key lives in `DATA/keys/master.key` (hex, mode 0600), never in the database and never
//! in logs. Each case's contact details are sealed under a **data key of that case**, itself stored
//! wrapped (sealed) by the master key. Erasing a case's details deletes both the sealed details and the
//! wrapped key: without the key the ciphertext cannot be read even from an old page of the database
//! file (crypto-shredding).
//!
//! Sealing is XChaCha20-Poly1305 with a random 192-bit nonce, a version byte in front, and the
//! table, column and row id as associated data, so a sealed value cannot be moved to another row.

use crate::{Result, StoreError};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const VERSION: u8 = 1;

/// The master key, loaded from the data directory.
pub struct Nyckelring {
    master: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Nyckelring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nyckelring(…)")
    }
}

fn master_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("master.key")
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // Without the OS generator no secret can be made safely; there is nothing to fall back on.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    b
}

impl Nyckelring {
    /// Creates the master key if there is none (`init`, `demo`), then loads it.
    pub fn create_or_load(data_dir: &Path) -> Result<Self> {
        let path = master_path(data_dir);
        if !path.exists() {
            let dir = data_dir.join("keys");
            std::fs::create_dir_all(&dir)
                .map_err(|e| StoreError::Other(format!("kan inte skapa {}: {e}", dir.display())))?;
            let key = Zeroizing::new(hex::encode(random::<32>()));
            write_private(&path, key.as_bytes())?;
        }
        Self::load(data_dir)
    }

    /// Loads the master key; refuses to run without it.
    pub fn load(data_dir: &Path) -> Result<Self> {
        let path = master_path(data_dir);
        let text = Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| {
            StoreError::Other(format!(
                "huvudnyckeln {} kan inte läsas ({e}); kör `boj init`",
                path.display()
            ))
        })?);
        let bytes = Zeroizing::new(
            hex::decode(text.trim())
                .map_err(|_| StoreError::Other("huvudnyckeln är skadad".into()))?,
        );
        let master: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Other("huvudnyckeln har fel längd".into()))?;
        Ok(Self {
            master: Zeroizing::new(master),
        })
    }

    /// The instance's key for signing the audit log's checkpoints (Ed25519 seed): derived from the
    /// master key under a label of its own, so it is never stored anywhere, and someone who can
    /// rewrite the database but not read the key file cannot sign a checkpoint.
    pub fn granskningsnyckel(&self) -> Zeroizing<[u8; 32]> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"boj/granskningslogg/kontrollpunkt/v1");
        h.update(self.master.as_slice());
        Zeroizing::new(h.finalize().into())
    }

    /// A fresh data key for one case.
    pub fn new_data_key() -> Zeroizing<[u8; 32]> {
        Zeroizing::new(random::<32>())
    }

    /// Wraps a data key under the master key, bound to its row.
    pub fn wrap(&self, data_key: &[u8; 32], aad: &str) -> Result<Vec<u8>> {
        seal(&self.master, aad, data_key)
    }

    pub fn unwrap_key(&self, wrapped: &[u8], aad: &str) -> Result<Zeroizing<[u8; 32]>> {
        let k = Zeroizing::new(open(&self.master, aad, wrapped)?);
        let arr: [u8; 32] = k
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Other("datanyckeln har fel längd".into()))?;
        Ok(Zeroizing::new(arr))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| StoreError::Other(format!("kan inte skapa {}: {e}", path.display())))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| StoreError::Other(e.to_string()))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| StoreError::Other(e.to_string()))
}

/// Seals `plaintext` under `key`: version byte ‖ nonce ‖ ciphertext-and-tag.
pub fn seal(key: &[u8; 32], aad: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
    let cipher = XChaCha20Poly1305::new_from_slice(key)
        .map_err(|_| StoreError::Other("ogiltig nyckel".into()))?;
    let nonce_bytes = random::<24>();
    let nonce = XNonce::from(nonce_bytes);
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| StoreError::Other("kryptering misslyckades".into()))?;
    let mut out = Vec::with_capacity(1 + 24 + ct.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens what [`seal`] sealed; fails if anything (key, row, bytes) differs.
pub fn open(key: &[u8; 32], aad: &str, sealed: &[u8]) -> Result<Vec<u8>> {
    let fail = || StoreError::Other("krypterad uppgift kan inte öppnas".into());
    if sealed.len() < 1 + 24 + 16 || sealed[0] != VERSION {
        return Err(fail());
    }
    let nonce_bytes: [u8; 24] = sealed[1..25].try_into().map_err(|_| fail())?;
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| fail())?;
    cipher
        .decrypt(
            &XNonce::from(nonce_bytes),
            Payload {
                msg: &sealed[25..],
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| fail())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_row() {
        let k = random::<32>();
        let s = seal(&k, "case_contacts.sealed:c_1", b"Anna 070-123 45 67").unwrap();
        assert_eq!(
            open(&k, "case_contacts.sealed:c_1", &s).unwrap(),
            b"Anna 070-123 45 67"
        );
        assert!(open(&k, "case_contacts.sealed:c_2", &s).is_err());
        assert!(open(&random::<32>(), "case_contacts.sealed:c_1", &s).is_err());
        let mut bad = s.clone();
        bad[30] ^= 1;
        assert!(open(&k, "case_contacts.sealed:c_1", &bad).is_err());
    }

    #[test]
    fn the_master_key_is_created_once_and_private() {
        let dir = std::env::temp_dir().join(format!("boj-keys-{}", crate::random_hex(6)));
        let a = Nyckelring::create_or_load(&dir).unwrap();
        let b = Nyckelring::create_or_load(&dir).unwrap();
        let dk = Nyckelring::new_data_key();
        let w = a.wrap(&dk, "x").unwrap();
        assert_eq!(*b.unwrap_key(&w, "x").unwrap(), *dk);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(master_path(&dir))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).ok();
    }
}

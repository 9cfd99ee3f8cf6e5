//! Keys outside the database, and field encryption (SPEC § 3.2, § 6).
//!
//! The master key lives in a file outside the database — `DATA/keys/master.key` by default, or the
//! file `--key-file` / `BOJ_KEY_FILE` names, which is better kept off the data directory (hex, mode
//! 0600) — never in the database, a log or a backup. Each case's contact details are sealed under a
//! **data key of that case**, itself stored wrapped (sealed) by the master key; so are the
//! organisations' report-signing keys and the accounts' TOTP secrets. Erasing a case's details
//! deletes both the sealed details and the wrapped key: without the key the ciphertext cannot be
//! read even from an old page of the database file (crypto-shredding).
//!
//! Sealing is XChaCha20-Poly1305 with a random 192-bit nonce and the table, column and row id as
//! associated data, so a sealed value cannot be moved to another row. A value wrapped by a master
//! key carries the **key's id** (format 2: `2 ‖ id(8) ‖ nonce ‖ ciphertext`; format 1, without it,
//! is still read), so that several master keys can be in use while one replaces another:
//! `boj keys rotate` writes the next key beside the current one (`master.key.next`), from when on
//! every process wraps with it; re-wraps every value in batches (`store::nyckelbyte`), resumable;
//! then makes it the current key, keeps the old one (`master.key.retired-ID`) until no value needs
//! it, and removes it. A process that meets a key id it does not know reads the key files again,
//! so `serve` keeps working through a rotation another process runs.
//!
//! The audit log's checkpoints are signed with a key of their own (`granskning.key` beside the
//! master key), which a rotation of the master key leaves alone, so old checkpoints stay verifiable.

use crate::{Result, StoreError};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use zeroize::Zeroizing;

const VERSION: u8 = 1;
/// Wrapped by a master key whose id follows.
const VERSION_MED_ID: u8 = 2;
const ID: usize = 8;

/// A master key's id: the first bytes of its SHA-256 under a label.
fn nyckel_id(key: &[u8; 32]) -> [u8; ID] {
    let mut h = Sha256::new();
    h.update(b"boj/huvudnyckel/id");
    h.update(key);
    let d = h.finalize();
    let mut id = [0u8; ID];
    id.copy_from_slice(&d[..ID]);
    id
}

struct Inre {
    /// Every master key known, (id, key): the current one, the next one, retired ones.
    nycklar: Vec<([u8; ID], Zeroizing<[u8; 32]>)>,
    /// The key values are wrapped with: the next one while a rotation runs, else the current.
    skriv: [u8; ID],
    /// What the key files looked like when read (see [`Nyckelring::filer`]): a rotation another
    /// process runs changes it, and the files are read again before the next wrap.
    filer: Filer,
}

/// The state of the key files that decides which key wraps: whether a next key exists, and the
/// current key file's identity (its inode, which a rename replaces, size and modification time).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Filer {
    nasta: bool,
    aktuell: Option<(u64, u64, Option<std::time::SystemTime>)>,
}

impl Filer {
    fn av(fil: &Path) -> Filer {
        Filer {
            nasta: sibling(fil, ".next").exists(),
            aktuell: std::fs::metadata(fil).ok().map(|m| {
                #[cfg(unix)]
                let ino = std::os::unix::fs::MetadataExt::ino(&m);
                #[cfg(not(unix))]
                let ino = 0;
                (ino, m.len(), m.modified().ok())
            }),
        }
    }
}

/// The master keys, loaded from their files.
pub struct Nyckelring {
    fil: PathBuf,
    inre: RwLock<Inre>,
    /// The audit checkpoint key, when its file exists (`granskning.key` beside the master key).
    granskning: Option<Zeroizing<[u8; 32]>>,
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

fn sibling(fil: &Path, suffix: &str) -> PathBuf {
    let mut name = fil.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    fil.with_file_name(name)
}

fn read_key(path: &Path) -> Result<Zeroizing<[u8; 32]>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        StoreError::Other(format!(
            "nyckeln {} kan inte läsas ({e}); kör `boj init`, eller ange --key-file",
            path.display()
        ))
    })?);
    let bytes = Zeroizing::new(
        hex::decode(text.trim())
            .map_err(|_| StoreError::Other(format!("nyckeln {} är skadad", path.display())))?,
    );
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Other(format!("nyckeln {} har fel längd", path.display())))?;
    Ok(Zeroizing::new(key))
}

/// Writes a new random key to `path`, whole or not at all: into a private temporary file first,
/// synced, then linked into place (never replacing a key already there), the directory synced.
fn create_key(path: &Path) -> Result<()> {
    let key = Zeroizing::new(hex::encode(random::<32>()));
    write_key(path, key.as_bytes())
}

fn write_key(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| StoreError::Other(format!("kan inte skapa {}: {e}", dir.display())))?;
    let tmp = sibling(path, &format!(".tmp-{}", crate::random_hex(6)));
    write_private(&tmp, bytes)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked.map_err(|e| StoreError::Other(format!("kan inte skapa {}: {e}", path.display())))?;
    sync_dir(dir);
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

impl Nyckelring {
    /// Creates the master key in the data directory if there is none (`init`, `demo`), then loads it.
    pub fn create_or_load(data_dir: &Path) -> Result<Self> {
        Self::create_or_load_file(&master_path(data_dir))
    }

    /// Creates the master key at `fil` if there is none, and the audit checkpoint key beside it,
    /// then loads them (`init`, `demo`).
    pub fn create_or_load_file(fil: &Path) -> Result<Self> {
        if !fil.exists() {
            create_key(fil)?;
        }
        let keys = Self::load_file(fil)?;
        keys.skapa_granskningsnyckel()
    }

    /// Creates the audit checkpoint key if its file is missing — only where no checkpoint can exist
    /// yet under another key (a new installation, or one from before checkpoints were signed):
    /// anywhere else a missing key is an error to mend by copying the file back, not to paper over
    /// with a new key that would make every earlier checkpoint look forged.
    pub fn skapa_granskningsnyckel(mut self) -> Result<Self> {
        if self.granskning.is_none() {
            let f = self.fil.with_file_name("granskning.key");
            if !f.exists() {
                create_key(&f)?;
            }
            self.granskning = Some(read_key(&f)?);
        }
        Ok(self)
    }

    /// Loads the master key from the data directory; refuses to run without it.
    pub fn load(data_dir: &Path) -> Result<Self> {
        Self::load_file(&master_path(data_dir))
    }

    /// Loads the master key from `fil` (and the next and retired keys beside it); refuses to run
    /// without it. The audit checkpoint key beside it is read when its file is there.
    pub fn load_file(fil: &Path) -> Result<Self> {
        let inre = Self::las_in(fil)?;
        let granskning_fil = fil.with_file_name("granskning.key");
        let granskning = if granskning_fil.exists() {
            Some(read_key(&granskning_fil)?)
        } else {
            None
        };
        Ok(Self {
            fil: fil.to_path_buf(),
            inre: RwLock::new(inre),
            granskning,
        })
    }

    /// Whether the audit checkpoint key's file was there.
    pub fn har_granskningsnyckel(&self) -> bool {
        self.granskning.is_some()
    }

    /// The key files' directory (to tell an operator where a missing key belongs).
    pub fn katalog(&self) -> PathBuf {
        self.fil
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    fn las_in(fil: &Path) -> Result<Inre> {
        let filer = Filer::av(fil);
        let current = read_key(fil)?;
        let mut nycklar = vec![(nyckel_id(&current), current)];
        let next_path = sibling(fil, ".next");
        let mut skriv = nycklar[0].0;
        if next_path.exists() {
            let next = read_key(&next_path)?;
            skriv = nyckel_id(&next);
            nycklar.push((skriv, next));
        }
        let prefix = format!(
            "{}.retired-",
            fil.file_name().unwrap_or_default().to_string_lossy()
        );
        if let Some(dir) = fil.parent()
            && let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
        {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    let k = read_key(&e.path())?;
                    nycklar.push((nyckel_id(&k), k));
                }
            }
        }
        Ok(Inre {
            nycklar,
            skriv,
            filer,
        })
    }

    /// Reads the key files again, keeping every key known before (a process may still meet values
    /// wrapped with one since retired).
    fn las_om(&self) -> Result<()> {
        let ny = Self::las_in(&self.fil)?;
        let mut inre = self
            .inre
            .write()
            .map_err(|_| StoreError::Other("nyckelringen är förgiftad".into()))?;
        for (id, k) in ny.nycklar {
            if !inre.nycklar.iter().any(|(i, _)| *i == id) {
                inre.nycklar.push((id, k));
            }
        }
        inre.skriv = ny.skriv;
        inre.filer = ny.filer;
        Ok(())
    }

    /// The instance's key for signing the audit log's checkpoints (Ed25519 seed), from its own file
    /// (`granskning.key` beside the master key); an error that says where it belongs when missing.
    pub fn granskningsnyckel(&self) -> Result<Zeroizing<[u8; 32]>> {
        self.granskning.clone().ok_or_else(|| {
            StoreError::Other(format!(
                "granskningsloggens nyckel {} saknas: lägg tillbaka den från där nycklarna säkerhetskopieras",
                self.fil.with_file_name("granskning.key").display()
            ))
        })
    }

    /// A fresh data key for one case.
    pub fn new_data_key() -> Zeroizing<[u8; 32]> {
        Zeroizing::new(random::<32>())
    }

    /// The first bytes of every value wrapped with the key values are wrapped with now.
    pub fn huvud(&self) -> Result<Vec<u8>> {
        self.se_efter_nasta()?;
        let inre = self
            .inre
            .read()
            .map_err(|_| StoreError::Other("nyckelringen är förgiftad".into()))?;
        let mut h = vec![VERSION_MED_ID];
        h.extend_from_slice(&inre.skriv);
        Ok(h)
    }

    /// A rotation another process runs: when the key files changed since read (a next key
    /// appeared or went, the current key was replaced), they are read again before wrapping, so
    /// that this process wraps with the key the rotation wraps with.
    fn se_efter_nasta(&self) -> Result<()> {
        let now = Filer::av(&self.fil);
        let same = self.inre.read().map(|i| i.filer == now).unwrap_or(false);
        if !same {
            self.las_om()?;
        }
        Ok(())
    }

    /// Wraps a data key under the master key in use, bound to its row.
    pub fn wrap(&self, data_key: &[u8; 32], aad: &str) -> Result<Vec<u8>> {
        self.se_efter_nasta()?;
        let inre = self
            .inre
            .read()
            .map_err(|_| StoreError::Other("nyckelringen är förgiftad".into()))?;
        let Some((id, key)) = inre.nycklar.iter().find(|(i, _)| *i == inre.skriv) else {
            return Err(StoreError::Other("huvudnyckeln saknas".into()));
        };
        let sealed = seal(key, aad, data_key)?;
        let mut out = Vec::with_capacity(sealed.len() + ID);
        out.push(VERSION_MED_ID);
        out.extend_from_slice(id);
        out.extend_from_slice(&sealed[1..]);
        Ok(out)
    }

    pub fn unwrap_key(&self, wrapped: &[u8], aad: &str) -> Result<Zeroizing<[u8; 32]>> {
        let k = match self.oppna(wrapped, aad) {
            Ok(k) => k,
            // A key another process made (a rotation running): read the key files, once.
            Err(_) if wrapped.first() == Some(&VERSION_MED_ID) => {
                self.las_om()?;
                self.oppna(wrapped, aad)?
            }
            Err(e) => return Err(e),
        };
        let arr: [u8; 32] = k
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Other("datanyckeln har fel längd".into()))?;
        Ok(Zeroizing::new(arr))
    }

    fn oppna(&self, wrapped: &[u8], aad: &str) -> Result<Zeroizing<Vec<u8>>> {
        let inre = self
            .inre
            .read()
            .map_err(|_| StoreError::Other("nyckelringen är förgiftad".into()))?;
        let fail = || StoreError::Other("krypterad uppgift kan inte öppnas".into());
        match wrapped.first() {
            Some(&VERSION_MED_ID) if wrapped.len() > 1 + ID => {
                let id = &wrapped[1..1 + ID];
                let (_, key) = inre
                    .nycklar
                    .iter()
                    .find(|(i, _)| i.as_slice() == id)
                    .ok_or_else(fail)?;
                let mut v1 = Vec::with_capacity(wrapped.len() - ID);
                v1.push(VERSION);
                v1.extend_from_slice(&wrapped[1 + ID..]);
                Ok(Zeroizing::new(open(key, aad, &v1)?))
            }
            // Format 1 names no key: the current one first, then the others.
            Some(&VERSION) => inre
                .nycklar
                .iter()
                .find_map(|(_, k)| open(k, aad, wrapped).ok())
                .map(Zeroizing::new)
                .ok_or_else(fail),
            _ => Err(fail()),
        }
    }

    /// Begins a rotation: writes the next master key beside the current one (unless a rotation
    /// already began, which then goes on). Answers whether a new key was made.
    pub fn paborja_byte(&self) -> Result<bool> {
        let next = sibling(&self.fil, ".next");
        let ny = !next.exists();
        if ny {
            create_key(&next)?;
        }
        self.las_om()?;
        Ok(ny)
    }

    /// Ends a rotation once every value is wrapped with the next key: the current key is kept as
    /// retired, the next becomes current. Nothing to do without a next key.
    pub fn fullborda(&self) -> Result<()> {
        let next = sibling(&self.fil, ".next");
        if !next.exists() {
            return Ok(());
        }
        let current = read_key(&self.fil)?;
        let retired = sibling(
            &self.fil,
            &format!(".retired-{}", hex::encode(nyckel_id(&current))),
        );
        if !retired.exists() {
            write_key(&retired, hex::encode(*current).as_bytes())?;
        }
        std::fs::rename(&next, &self.fil)
            .map_err(|e| StoreError::Other(format!("nyckeln kan inte bytas: {e}")))?;
        sync_dir(&self.katalog());
        self.las_om()
    }

    /// Removes the retired master keys (once no value is wrapped with them); answers how many.
    pub fn ta_bort_pensionerade(&self) -> Result<usize> {
        let prefix = format!(
            "{}.retired-",
            self.fil.file_name().unwrap_or_default().to_string_lossy()
        );
        let dir = self
            .fil
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut n = 0;
        for e in std::fs::read_dir(dir)
            .map_err(|e| StoreError::Other(e.to_string()))?
            .flatten()
        {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                std::fs::remove_file(e.path()).map_err(|e| StoreError::Other(e.to_string()))?;
                n += 1;
            }
        }
        Ok(n)
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

    #[test]
    fn a_keyring_follows_rotations_another_process_runs() {
        let dir = std::env::temp_dir().join(format!("boj-keys-{}", crate::random_hex(6)));
        let rotator = Nyckelring::create_or_load(&dir).unwrap();
        // Another process ("serve"), loaded before, wrapping nothing meanwhile.
        let serve = Nyckelring::load(&dir).unwrap();
        let dk = Nyckelring::new_data_key();
        for _ in 0..2 {
            assert!(rotator.paborja_byte().unwrap());
            rotator.fullborda().unwrap();
            assert_eq!(rotator.ta_bort_pensionerade().unwrap(), 1);
            // It wraps with the key now current, which a fresh process alone can open.
            let w = serve.wrap(&dk, "case_keys.wrapped:c_1").unwrap();
            let fresh = Nyckelring::load(&dir).unwrap();
            assert_eq!(*fresh.unwrap_key(&w, "case_keys.wrapped:c_1").unwrap(), *dk);
            assert_eq!(serve.huvud().unwrap(), fresh.huvud().unwrap());
        }
        std::fs::remove_dir_all(dir).ok();
    }
}

//! CRC-32 (what zip entries carry) and SHA-256 (what sessions record,
//! [`FileSource::sha256`]) of a file fed in chunks, and the check of an entry's bytes against
//! both.
//!
//! [`FileSource::sha256`]: crate::session::FileSource::sha256

use sha2::{Digest as _, Sha256};

use super::directory::Entry;
use super::BundleError;
use crate::hash::to_hex;

/// CRC-32 (ISO-HDLC, as zip uses it) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// CRC-32 and SHA-256 of a file fed in chunks, in order.
#[derive(Clone, Debug, Default)]
pub struct Digest {
    crc32: crc32fast::Hasher,
    sha256: Sha256,
    len: u64,
}

/// What [`Digest::finish`] gives: a file's length and sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sums {
    /// The file's length, bytes.
    pub len: u64,
    /// CRC-32 (ISO-HDLC) of the file.
    pub crc32: u32,
    /// SHA-256 of the file, 64 lower-case hex digits.
    pub sha256: String,
}

impl Digest {
    /// The digest of nothing yet.
    pub fn new() -> Digest {
        Digest::default()
    }

    /// Feeds the next `chunk` of the file.
    pub fn update(&mut self, chunk: &[u8]) {
        self.crc32.update(chunk);
        self.sha256.update(chunk);
        self.len += chunk.len() as u64;
    }

    /// The sums of everything fed.
    pub fn finish(self) -> Sums {
        Sums {
            len: self.len,
            crc32: self.crc32.finalize(),
            sha256: to_hex(&self.sha256.finalize()),
        }
    }
}

/// The check of an entry's unpacked bytes, fed in chunks: their length and CRC-32 as the
/// directory declares them, and their SHA-256 as the session records it (when it does).
#[derive(Clone, Debug)]
pub struct Check {
    entry: String,
    len: u64,
    crc32: u32,
    sha256: Option<String>,
    digest: Digest,
}

impl Check {
    /// The check of `entry`'s unpacked bytes, and of their SHA-256 against `sha256` (hex, any
    /// case) when given.
    pub fn new(entry: &Entry, sha256: Option<&str>) -> Check {
        Check {
            entry: entry.name().to_owned(),
            len: entry.uncompressed_size(),
            crc32: entry.crc32(),
            sha256: sha256.map(str::to_owned),
            digest: Digest::new(),
        }
    }

    /// Feeds the next `chunk` of the unpacked bytes.
    pub fn update(&mut self, chunk: &[u8]) {
        self.digest.update(chunk);
    }

    /// The sums of everything fed, when they are what they should be.
    ///
    /// Errors: [`BundleError::DamagedEntry`] for a length or CRC-32 that differs from the
    /// directory's, then [`BundleError::ChecksumMismatch`] for a SHA-256 that differs from
    /// the session's.
    pub fn finish(self) -> Result<Sums, BundleError> {
        let sums = self.digest.finish();
        if sums.len != self.len || sums.crc32 != self.crc32 {
            return Err(BundleError::DamagedEntry { entry: self.entry });
        }
        match self.sha256 {
            Some(expected) if !expected.eq_ignore_ascii_case(&sums.sha256) => {
                Err(BundleError::ChecksumMismatch { path: self.entry })
            }
            _ => Ok(sums),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::sha256_hex;

    #[test]
    fn chunks_give_the_sums_of_the_whole() {
        // Reference: the CRC-32 check value of "123456789" is 0xcbf43926 (ISO-HDLC), and
        // `sha256_hex` of the whole file (FIPS 180-4, tested in hash.rs).
        let whole = b"123456789";
        assert_eq!(crc32(whole), 0xcbf4_3926);
        for split in 0..=whole.len() {
            let mut digest = Digest::new();
            digest.update(&whole[..split]);
            digest.update(&whole[split..]);
            let sums = digest.finish();
            assert_eq!(sums.len, 9);
            assert_eq!(sums.crc32, 0xcbf4_3926);
            assert_eq!(sums.sha256, sha256_hex(whole));
        }
        assert_eq!(Digest::new().finish().crc32, 0);
    }

    #[test]
    fn a_check_says_damaged_before_changed() {
        // Reference: `Check::finish`: length and CRC-32 first, then SHA-256.
        let entry = Entry {
            name: "audio/a.wav".into(),
            method_code: 0,
            flags: 0,
            compressed_size: 9,
            uncompressed_size: 9,
            crc32: 0xcbf4_3926,
            local_header_offset: 0,
            limit: 0,
        };
        let check = |sha256: Option<&str>, bytes: &[u8]| {
            let mut check = Check::new(&entry, sha256);
            for chunk in bytes.chunks(4) {
                check.update(chunk);
            }
            check.finish()
        };
        let right = sha256_hex(b"123456789");
        assert_eq!(check(None, b"123456789").unwrap().sha256, right);
        let upper = right.to_uppercase();
        assert!(check(Some(&upper), b"123456789").is_ok(), "hex in any case");
        let damaged = Err(BundleError::DamagedEntry {
            entry: "audio/a.wav".into(),
        });
        assert_eq!(check(Some(&right), b"123456780"), damaged);
        assert_eq!(check(None, b"12345678"), damaged);
        let other = sha256_hex(b"");
        assert_eq!(
            check(Some(&other), b"123456789"),
            Err(BundleError::ChecksumMismatch {
                path: "audio/a.wav".into()
            })
        );
    }
}

//! Writing a zip as parts (PKWARE APPNOTE.TXT 6.3.10): the caller gives each entry's name,
//! method, sizes and CRC-32, gets its local header's bytes, and puts the entry's data after
//! them itself (a Blob part, a file write); at the end it gets the central directory and the
//! end records. The data never passes through here, so a zip may hold files of any size.
//!
//! Zip64 records are written only when a size, offset or count needs them (4 GiB and more,
//! 65535 entries and more), so small zips are plain zips every tool reads.

use std::collections::BTreeSet;

use super::directory::{Method, MAX_NAME_BYTES};
use super::format::{
    PutFields, CENTRAL_HEADER_SIGNATURE, END_SIGNATURE, FLAG_UTF8, LOCAL_HEADER_LEN,
    LOCAL_HEADER_SIGNATURE, SATURATED_16, SATURATED_32, ZIP64_END_LEN, ZIP64_END_SIGNATURE,
    ZIP64_EXTRA_ID, ZIP64_LOCATOR_SIGNATURE,
};
use super::BundleError;

/// "Version needed to extract" of a plain entry: 2.0 (deflate).
const VERSION_PLAIN: u16 = 20;
/// "Version needed to extract" of an entry or archive with Zip64 records: 4.5.
const VERSION_ZIP64: u16 = 45;
/// "Version made by": Unix (3), so that the external attributes below are Unix permissions.
const MADE_BY_UNIX: u16 = 3 << 8;
/// External attributes: a regular file, readable by all, writable by its owner (0o100644).
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
/// MS-DOS date of 1980-01-01, the earliest a zip can say (entries carry no time).
const DOS_DATE_1980: u16 = (1 << 5) | 1;

/// An entry to write: what its local and central headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewEntry<'a> {
    name: &'a str,
    method: Method,
    compressed_size: u64,
    uncompressed_size: u64,
    crc32: u32,
}

impl<'a> NewEntry<'a> {
    /// A stored entry named `name` of `size` bytes whose CRC-32 is `crc32` (see
    /// [`Digest`](super::Digest) or [`crc32`](super::crc32)).
    pub fn stored(name: &'a str, size: u64, crc32: u32) -> NewEntry<'a> {
        NewEntry {
            name,
            method: Method::Stored,
            compressed_size: size,
            uncompressed_size: size,
            crc32,
        }
    }

    /// A deflated entry named `name`: `compressed_size` bytes of raw deflate data (RFC 1951)
    /// that unpack to `uncompressed_size` bytes whose CRC-32 is `crc32`.
    pub fn deflated(
        name: &'a str,
        compressed_size: u64,
        uncompressed_size: u64,
        crc32: u32,
    ) -> NewEntry<'a> {
        NewEntry {
            name,
            method: Method::Deflated,
            compressed_size,
            uncompressed_size,
            crc32,
        }
    }
}

/// A zip being written as parts: local headers one entry at a time, then the directory.
///
/// ```
/// use mixroom_protocol::bundle::{crc32, NewEntry, ZipParts};
///
/// let data = b"RIFF...";
/// let mut parts = ZipParts::new();
/// let mut zip = parts.entry(&NewEntry::stored("01 Kick.wav", data.len() as u64, crc32(data)))?;
/// zip.extend_from_slice(data); // or: a Blob part, a file write
/// zip.extend(parts.finish());
/// # Ok::<(), mixroom_protocol::bundle::BundleError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ZipParts {
    /// Bytes of the zip so far: local headers and the data the caller puts after them.
    offset: u64,
    /// The central directory so far.
    central: Vec<u8>,
    /// How many entries.
    count: u64,
    /// The names so far.
    names: BTreeSet<String>,
    /// Sizes and offsets from this value on get Zip64 fields (counts from 65535 or this
    /// value, whichever is smaller): `u32::MAX`, or less in tests.
    zip64_from: u64,
}

impl Default for ZipParts {
    fn default() -> ZipParts {
        ZipParts::new()
    }
}

impl ZipParts {
    /// A zip with no entries yet.
    pub fn new() -> ZipParts {
        ZipParts::with_zip64_from(SATURATED_32.into())
    }

    /// A zip whose sizes and offsets of `zip64_from` bytes and more (and counts of that many
    /// entries and more) get Zip64 records: small numbers make small Zip64 archives for tests.
    pub(super) fn with_zip64_from(zip64_from: u64) -> ZipParts {
        ZipParts {
            offset: 0,
            central: Vec::new(),
            count: 0,
            names: BTreeSet::new(),
            zip64_from: zip64_from.min(SATURATED_32.into()),
        }
    }

    /// Bytes of the zip so far, counting the data of every entry given: where the next local
    /// header goes.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Adds `entry` and gives its local header's bytes. The caller puts exactly
    /// `compressed_size` bytes of data right after them, before the next header.
    ///
    /// Errors: [`BundleError::NameTooLong`] past [`MAX_NAME_BYTES`],
    /// [`BundleError::DuplicateName`] for a name given before (compared byte for byte).
    pub fn entry(&mut self, entry: &NewEntry<'_>) -> Result<Vec<u8>, BundleError> {
        if entry.name.len() > MAX_NAME_BYTES {
            return Err(BundleError::NameTooLong {
                entry: entry.name.to_owned(),
            });
        }
        if !self.names.insert(entry.name.to_owned()) {
            return Err(BundleError::DuplicateName {
                entry: entry.name.to_owned(),
            });
        }
        let wide = |value: u64| value >= self.zip64_from;
        let sizes_wide = wide(entry.uncompressed_size) || wide(entry.compressed_size);
        let offset_wide = wide(self.offset);
        let field = |value: u64| match wide(value) {
            true => SATURATED_32,
            false => value as u32,
        };
        let flags = if entry.name.is_ascii() { 0 } else { FLAG_UTF8 };
        let name_len = entry.name.len() as u16;

        // The local header's Zip64 field has both sizes, or is left out (4.5.3).
        let mut local_extra = Vec::new();
        if sizes_wide {
            local_extra.put_u16(ZIP64_EXTRA_ID);
            local_extra.put_u16(16);
            local_extra.put_u64(entry.uncompressed_size);
            local_extra.put_u64(entry.compressed_size);
        }
        let (local_sizes, local_version) = match sizes_wide {
            true => (SATURATED_32, VERSION_ZIP64),
            false => (entry.compressed_size as u32, VERSION_PLAIN),
        };
        let mut local = Vec::with_capacity(LOCAL_HEADER_LEN as usize + entry.name.len() + 20);
        local.put_u32(LOCAL_HEADER_SIGNATURE);
        local.put_u16(local_version);
        local.put_u16(flags);
        local.put_u16(entry.method.code());
        local.put_u16(0);
        local.put_u16(DOS_DATE_1980);
        local.put_u32(entry.crc32);
        local.put_u32(local_sizes);
        local.put_u32(match sizes_wide {
            true => SATURATED_32,
            false => entry.uncompressed_size as u32,
        });
        local.put_u16(name_len);
        local.put_u16(local_extra.len() as u16);
        local.extend_from_slice(entry.name.as_bytes());
        local.extend_from_slice(&local_extra);

        // The central header's Zip64 field has only the saturated fields, in this order.
        let mut central_extra = Vec::new();
        let saturated: Vec<u64> = [entry.uncompressed_size, entry.compressed_size, self.offset]
            .into_iter()
            .filter(|&v| wide(v))
            .collect();
        if !saturated.is_empty() {
            central_extra.put_u16(ZIP64_EXTRA_ID);
            central_extra.put_u16(8 * saturated.len() as u16);
            for value in saturated {
                central_extra.put_u64(value);
            }
        }
        let version = match sizes_wide || offset_wide {
            true => VERSION_ZIP64,
            false => VERSION_PLAIN,
        };
        let central = &mut self.central;
        central.put_u32(CENTRAL_HEADER_SIGNATURE);
        central.put_u16(MADE_BY_UNIX | version);
        central.put_u16(version);
        central.put_u16(flags);
        central.put_u16(entry.method.code());
        central.put_u16(0);
        central.put_u16(DOS_DATE_1980);
        central.put_u32(entry.crc32);
        central.put_u32(field(entry.compressed_size));
        central.put_u32(field(entry.uncompressed_size));
        central.put_u16(name_len);
        central.put_u16(central_extra.len() as u16);
        central.put_u16(0);
        central.put_u16(0);
        central.put_u16(0);
        central.put_u32(EXTERNAL_ATTRIBUTES);
        central.put_u32(field(self.offset));
        central.extend_from_slice(entry.name.as_bytes());
        central.extend_from_slice(&central_extra);

        self.count += 1;
        self.offset = self
            .offset
            .saturating_add(local.len() as u64)
            .saturating_add(entry.compressed_size);
        Ok(local)
    }

    /// The central directory and the end records: the last bytes of the zip, right after
    /// the last entry's data.
    pub fn finish(self) -> Vec<u8> {
        let directory_offset = self.offset;
        let directory_size = self.central.len() as u64;
        let count_wide = self.count >= self.zip64_from.min(SATURATED_16.into());
        let size_wide = directory_size >= self.zip64_from;
        let offset_wide = directory_offset >= self.zip64_from;
        let mut out = self.central;
        if count_wide || size_wide || offset_wide {
            let record_offset = directory_offset + directory_size;
            out.put_u32(ZIP64_END_SIGNATURE);
            out.put_u64(ZIP64_END_LEN as u64 - 12);
            out.put_u16(MADE_BY_UNIX | VERSION_ZIP64);
            out.put_u16(VERSION_ZIP64);
            out.put_u32(0);
            out.put_u32(0);
            out.put_u64(self.count);
            out.put_u64(self.count);
            out.put_u64(directory_size);
            out.put_u64(directory_offset);
            out.put_u32(ZIP64_LOCATOR_SIGNATURE);
            out.put_u32(0);
            out.put_u64(record_offset);
            out.put_u32(1);
        }
        let count = match count_wide {
            true => SATURATED_16,
            false => self.count as u16,
        };
        out.put_u32(END_SIGNATURE);
        out.put_u16(0);
        out.put_u16(0);
        out.put_u16(count);
        out.put_u16(count);
        out.put_u32(match size_wide {
            true => SATURATED_32,
            false => directory_size as u32,
        });
        out.put_u32(match offset_wide {
            true => SATURATED_32,
            false => directory_offset as u32,
        });
        out.put_u16(0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::crc32;
    use super::*;

    #[test]
    fn an_empty_zip_is_its_end_record() {
        // Reference: APPNOTE 4.3.16, the 22-byte end record of an archive without entries.
        let zip = ZipParts::new().finish();
        assert_eq!(zip, [b"PK\x05\x06".as_slice(), &[0; 18]].concat());
    }

    #[test]
    fn a_stored_entry_is_laid_out_field_by_field() {
        // Reference: APPNOTE 4.3.7 and 4.3.12, written out by hand.
        let mut parts = ZipParts::new();
        let local = parts
            .entry(&NewEntry::stored("a", 5, crc32(b"hello")))
            .unwrap();
        assert_eq!(parts.offset(), 30 + 1 + 5);
        #[rustfmt::skip]
        let expected_local = [
            b'P', b'K', 3, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0,
            0x86, 0xa6, 0x10, 0x36, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, b'a',
        ];
        assert_eq!(local, expected_local);
        let end = parts.finish();
        #[rustfmt::skip]
        let expected_end = [
            &[b'P', b'K', 1, 2, 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0][..],
            &[0x86, 0xa6, 0x10, 0x36, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0, 0, 0xa4, 0x81, 0, 0, 0, 0, b'a'],
            &[b'P', b'K', 5, 6, 0, 0, 0, 0, 1, 0, 1, 0, 47, 0, 0, 0, 36, 0, 0, 0, 0, 0],
        ]
        .concat();
        assert_eq!(end, expected_end);
    }

    #[test]
    fn names_are_flagged_utf8_and_must_be_distinct() {
        // Reference: APPNOTE 4.4.4, bit 11: the name is UTF-8.
        let mut parts = ZipParts::new();
        let local = parts.entry(&NewEntry::stored("Café.wav", 0, 0)).unwrap();
        assert_eq!(local[7], 0x08, "bit 11");
        let ascii = parts.entry(&NewEntry::stored("cafe.wav", 0, 0)).unwrap();
        assert_eq!(ascii[7], 0);
        assert_eq!(
            parts.entry(&NewEntry::stored("cafe.wav", 0, 0)),
            Err(BundleError::DuplicateName {
                entry: "cafe.wav".into()
            })
        );
        assert_eq!(parts.count, 2);
    }

    #[test]
    fn zip64_records_appear_only_when_needed() {
        // Reference: APPNOTE 4.3.14, 4.3.15, 4.5.3, with the Zip64 threshold at 40 bytes.
        let mut parts = ZipParts::with_zip64_from(40);
        let small = parts.entry(&NewEntry::stored("a", 39, 0)).unwrap();
        assert_eq!(small.len(), 31, "39 bytes: no Zip64 field");
        let big = parts.entry(&NewEntry::deflated("b", 10, 40, 0)).unwrap();
        assert_eq!(
            big.len(),
            31 + 20,
            "40 bytes: both sizes in the local Zip64 field"
        );
        assert_eq!(big[18..26], [0xff; 8]);
        assert_eq!(big[31..35], [1, 0, 16, 0]);
        // "b" starts at 70 (past 40): its central offset is in the Zip64 field too.
        let end = parts.finish();
        let locator = end.len() - 22 - 20;
        assert_eq!(end[locator..locator + 4], *b"PK\x06\x07");
        assert_eq!(end[locator - 56..locator - 52], *b"PK\x06\x06");
        let plain = &end[end.len() - 22..];
        assert_eq!(plain[8..12], [2, 0, 2, 0], "two entries fit 16 bits");
        assert_eq!(plain[12..20], [0xff; 8], "size and offset are past 40");

        let mut plain_zip = ZipParts::with_zip64_from(1 << 20);
        plain_zip.entry(&NewEntry::stored("a", 39, 0)).unwrap();
        assert_eq!(plain_zip.finish().len(), 46 + 1 + 22, "no Zip64 records");
    }
}

//! Local file headers (PKWARE APPNOTE.TXT 6.3.10, 4.3.7): where an entry's data starts.
//!
//! The central directory is what counts for an entry's sizes, CRC-32 and method; the local
//! header in front of the data has its own name and extra field, whose lengths may differ
//! from the directory's, so the data's offset is known only once its fixed part is read.

use std::ops::Range;

use super::directory::Entry;
use super::format::{
    Fields, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, LOCAL_HEADER_LEN, LOCAL_HEADER_SIGNATURE,
};
use super::BundleError;

impl Entry {
    /// The bytes to read for the entry's local header: its fixed part, [`LOCAL_HEADER_LEN`]
    /// bytes at [`Entry::local_header_offset`] (offsets from the file's first byte, end
    /// excluded; always inside the file).
    ///
    /// [`LOCAL_HEADER_LEN`]: super::LOCAL_HEADER_LEN
    pub fn local_header_range(&self) -> Range<u64> {
        self.local_header_offset..self.local_header_offset + LOCAL_HEADER_LEN
    }

    /// Where the entry's data lies in the file (offsets from its first byte, end excluded;
    /// [`Entry::compressed_size`] bytes), from `local_header`, the bytes of
    /// [`Entry::local_header_range`].
    ///
    /// Errors: [`BundleError::DamagedEntry`] when the header is cut or is not a local header,
    /// its method differs from the directory's, or the data would reach into the next entry,
    /// the directory or past the file; [`BundleError::Unsupported`] when it is encrypted.
    pub fn data_range(&self, local_header: &[u8]) -> Result<Range<u64>, BundleError> {
        let damaged = || BundleError::DamagedEntry {
            entry: self.name.clone(),
        };
        let header = LocalHeader::parse(local_header).ok_or_else(damaged)?;
        if header.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            return Err(BundleError::Unsupported {
                entry: self.name.clone(),
            });
        }
        if header.method_code != self.method_code {
            return Err(damaged());
        }
        let header_len =
            LOCAL_HEADER_LEN + u64::from(header.name_len) + u64::from(header.extra_len);
        let start = self.local_header_offset.checked_add(header_len);
        match start.and_then(|start| Some(start..start.checked_add(self.compressed_size)?)) {
            Some(range) if range.end <= self.limit => Ok(range),
            _ => Err(damaged()),
        }
    }
}

/// The fields of a local header that say where the data starts and how it is stored.
struct LocalHeader {
    flags: u16,
    method_code: u16,
    name_len: u16,
    extra_len: u16,
}

impl LocalHeader {
    /// The local header at the start of `bytes`; `None` when cut or not a local header.
    fn parse(bytes: &[u8]) -> Option<LocalHeader> {
        let mut fields = Fields::new(bytes);
        if fields.u32()? != LOCAL_HEADER_SIGNATURE {
            return None;
        }
        let _version_needed = fields.u16()?;
        let flags = fields.u16()?;
        let method_code = fields.u16()?;
        let _time = fields.u16()?;
        let _date = fields.u16()?;
        // CRC-32 and sizes: the directory's count (they are zero with a data descriptor).
        let _crc32 = fields.u32()?;
        let _compressed_size = fields.u32()?;
        let _uncompressed_size = fields.u32()?;
        let name_len = fields.u16()?;
        let extra_len = fields.u16()?;
        Some(LocalHeader {
            flags,
            method_code,
            name_len,
            extra_len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::directory::{Directory, FromTail};
    use super::super::writer::{NewEntry, ZipParts};
    use super::super::{crc32, Method};
    use super::*;

    /// A zip of a stored "a" ("hello") and "b" ("!"), and its directory.
    fn zip() -> (Vec<u8>, Directory) {
        let mut parts = ZipParts::new();
        let mut zip = Vec::new();
        for (name, data) in [("a", &b"hello"[..]), ("b", b"!")] {
            let entry = NewEntry::stored(name, data.len() as u64, crc32(data));
            zip.extend(parts.entry(&entry).unwrap());
            zip.extend_from_slice(data);
        }
        zip.extend(parts.finish());
        let Ok(FromTail::Complete(directory)) = Directory::from_tail(zip.len() as u64, &zip) else {
            panic!("a directory");
        };
        (zip, directory)
    }

    fn header<'a>(zip: &'a [u8], entry: &Entry) -> &'a [u8] {
        let range = entry.local_header_range();
        &zip[range.start as usize..range.end as usize]
    }

    #[test]
    fn the_data_follows_the_local_name_and_extra_field() {
        // Reference: APPNOTE 4.3.7: 30 bytes, the name, the extra field, then the data.
        let (mut zip, directory) = zip();
        let a = directory.get("a").unwrap();
        assert_eq!(a.local_header_range(), 0..30);
        assert_eq!(a.data_range(header(&zip, a)), Ok(31..36));
        assert_eq!(&zip[31..36], b"hello");
        let b = directory.get("b").unwrap();
        assert_eq!(b.data_range(header(&zip, b)), Ok(67..68));
        // A local name two bytes longer than the directory's (as some tools write): the data
        // starts two bytes later, and then reaches into "b".
        zip[26] = 3;
        let damaged = Err(BundleError::DamagedEntry { entry: "a".into() });
        assert_eq!(a.data_range(header(&zip, a)), damaged);
        zip[26] = 1;
        zip[28] = 1;
        assert_eq!(a.data_range(header(&zip, a)), damaged, "an extra field");
        assert_eq!(a.method(), Ok(Method::Stored));
    }

    #[test]
    fn a_local_header_that_is_cut_or_differs_is_damaged() {
        // Reference: `Entry::data_range`, one problem at a time.
        let (zip, directory) = zip();
        let a = directory.get("a").unwrap();
        let damaged = Err(BundleError::DamagedEntry { entry: "a".into() });
        let whole = header(&zip, a);
        for len in 0..whole.len() {
            assert_eq!(a.data_range(&whole[..len]), damaged, "cut to {len} bytes");
        }
        let changed = |at: usize, value: u8| {
            let mut bytes = whole.to_vec();
            bytes[at] = value;
            a.data_range(&bytes)
        };
        assert_eq!(changed(0, b'X'), damaged, "signature");
        assert_eq!(
            changed(8, 8),
            damaged,
            "deflated here, stored in the directory"
        );
        assert_eq!(
            changed(6, 1),
            Err(BundleError::Unsupported { entry: "a".into() })
        );
        // Sizes the directory declares past the file: caught before any data is read.
        let mut lying = a.clone();
        lying.compressed_size = u64::MAX - 10;
        assert_eq!(lying.data_range(whole), damaged);
        lying.compressed_size = 6;
        assert_eq!(lying.data_range(whole), damaged, "one byte into \"b\"");
    }
}

//! A zip's directory, found from the end of the file (PKWARE APPNOTE.TXT 6.3.10, 4.3.12–4.3.16):
//! the end of central directory record (with its comment), the Zip64 end record and its
//! locator when sizes, offsets or counts need them, and the central directory's entries.
//!
//! Reading takes two steps at most, each on bytes the caller has read from the file:
//!
//! 1. the last [`tail_len`] bytes go to [`Directory::from_tail`], which gives the directory
//!    when it lies in that tail, or the range to read next;
//! 2. those bytes go to [`DirectoryRange::parse`].
//!
//! Everything a file declares is checked before it is used: counts and sizes against each
//! other and against the file, entries against each other (no two overlap), and bounds on
//! the number of entries, the directory's size and the names' length.

use std::collections::BTreeMap;
use std::ops::Range;

use super::format::{
    Fields, CENTRAL_HEADER_LEN, CENTRAL_HEADER_SIGNATURE, END_LEN, END_SIGNATURE, FLAG_ENCRYPTED,
    FLAG_STRONG_ENCRYPTION, LOCAL_HEADER_LEN, MAX_COMMENT_LEN, METHOD_DEFLATED, METHOD_STORED,
    SATURATED_16, SATURATED_32, ZIP64_END_LEN, ZIP64_END_SIGNATURE, ZIP64_EXTRA_ID,
    ZIP64_LOCATOR_LEN, ZIP64_LOCATOR_SIGNATURE,
};
use super::BundleError;

/// Most entries a directory may list (a project has one per audio file, and at most 256
/// tracks).
pub const MAX_ENTRIES: u64 = 4096;

/// Most bytes the central directory may take: 16 MiB.
pub const MAX_DIRECTORY_BYTES: u64 = 16 << 20;

/// Longest entry name, bytes (UTF-8).
pub const MAX_NAME_BYTES: usize = 4096;

/// How many bytes at the end of a file of `file_len` bytes to read first: the end of central
/// directory record with the longest comment (64 KiB), the Zip64 locator and the Zip64 end
/// record, or the whole file when it is shorter.
pub fn tail_len(file_len: u64) -> u64 {
    let longest = END_LEN + MAX_COMMENT_LEN + ZIP64_LOCATOR_LEN + ZIP64_END_LEN;
    file_len.min(longest as u64)
}

/// How an entry's data is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Uncompressed: the data is the file's bytes.
    Stored,
    /// Deflated (RFC 1951).
    Deflated,
}

impl Method {
    /// The method's code in zip headers.
    pub(super) fn code(self) -> u16 {
        match self {
            Method::Stored => METHOD_STORED,
            Method::Deflated => METHOD_DEFLATED,
        }
    }
}

/// What [`Directory::from_tail`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum FromTail {
    /// The directory lies in the tail: here it is.
    Complete(Directory),
    /// The directory starts before the tail: read [`DirectoryRange::range`] and give it to
    /// [`DirectoryRange::parse`].
    NeedRange(DirectoryRange),
}

/// Where a directory lies that is not in the tail read first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryRange {
    /// The central directory's bytes in the file (offsets from its first byte).
    range: Range<u64>,
    /// How many entries the end record declares.
    count: u64,
}

impl DirectoryRange {
    /// The bytes to read next: offsets from the file's first byte, end excluded, at most
    /// [`MAX_DIRECTORY_BYTES`].
    pub fn range(&self) -> Range<u64> {
        self.range.clone()
    }

    /// The directory in `bytes`, the file's bytes in [`DirectoryRange::range`].
    ///
    /// Errors: [`BundleError::NotABundle`] when `bytes` is not that long or the entries do not
    /// add up to what the end record declares, [`BundleError::NameTooLong`] and
    /// [`BundleError::DuplicateName`] for names.
    pub fn parse(self, bytes: &[u8]) -> Result<Directory, BundleError> {
        if bytes.len() as u64 != self.range.end - self.range.start {
            return Err(BundleError::NotABundle);
        }
        Directory::parse(bytes, self.range.start, self.count)
    }
}

/// A zip's central directory: its entries, in the order it lists them.
#[derive(Clone, Debug, PartialEq)]
pub struct Directory {
    entries: Vec<Entry>,
    /// Entry name → its index in `entries`.
    by_name: BTreeMap<String, usize>,
}

impl Directory {
    /// Reads the end records in `tail`, the last bytes of a file of `file_len` bytes (at least
    /// [`tail_len`] of them; more are fine, up to the whole file), and the directory when it
    /// lies in `tail`.
    ///
    /// Errors: [`BundleError::NotABundle`] when `tail` has no end record (not a zip, cut, or
    /// a comment longer than the end record allows), a spanned archive, a Zip64 end record
    /// outside `tail`, counts or sizes that do not agree or go past the file, more than
    /// [`MAX_ENTRIES`] entries or a directory over [`MAX_DIRECTORY_BYTES`]; the errors of
    /// [`DirectoryRange::parse`] when the directory is in `tail`.
    pub fn from_tail(file_len: u64, tail: &[u8]) -> Result<FromTail, BundleError> {
        let tail_start = file_len
            .checked_sub(tail.len() as u64)
            .ok_or(BundleError::NotABundle)?;
        let end = find_end(tail_start, tail).ok_or(BundleError::NotABundle)?;
        let pending = DirectoryRange {
            range: end.directory,
            count: end.count,
        };
        if pending.range.start < tail_start {
            return Ok(FromTail::NeedRange(pending));
        }
        let start = (pending.range.start - tail_start) as usize;
        let len = (pending.range.end - pending.range.start) as usize;
        let bytes = tail
            .get(start..start + len)
            .ok_or(BundleError::NotABundle)?;
        pending.parse(bytes).map(FromTail::Complete)
    }

    /// The entries, in the order the directory lists them.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry named `name` (compared byte for byte).
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// The `count` entries of the central directory `bytes`, which starts at byte `offset`
    /// of the file and ends where the end records start.
    fn parse(bytes: &[u8], offset: u64, count: u64) -> Result<Directory, BundleError> {
        let mut fields = Fields::new(bytes);
        let mut entries = Vec::new();
        for _ in 0..count {
            entries.push(Entry::parse(&mut fields)?);
        }
        if fields.len() != 0 {
            return Err(BundleError::NotABundle);
        }
        // Each entry may use the bytes from its local header up to the next entry's (or the
        // central directory): no two overlap, and none reaches past the directory.
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| entries[i].local_header_offset);
        let limits: Vec<u64> = order
            .iter()
            .skip(1)
            .map(|&i| entries[i].local_header_offset)
            .chain([offset])
            .collect();
        for (&i, limit) in order.iter().zip(limits) {
            let entry = &mut entries[i];
            if entry.local_header_offset.saturating_add(LOCAL_HEADER_LEN) > limit {
                return Err(BundleError::NotABundle);
            }
            entry.limit = limit;
        }
        let mut by_name = BTreeMap::new();
        for (i, entry) in entries.iter().enumerate() {
            if by_name.insert(entry.name.clone(), i).is_some() {
                return Err(BundleError::DuplicateName {
                    entry: entry.name.clone(),
                });
            }
        }
        Ok(Directory { entries, by_name })
    }
}

/// One entry of the central directory, as declared there (4.3.12), Zip64 fields applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name, UTF-8 (bytes that are not UTF-8 become U+FFFD).
    pub(super) name: String,
    /// The compression method's code.
    pub(super) method_code: u16,
    /// The general-purpose flags.
    pub(super) flags: u16,
    /// Bytes of data in the file.
    pub(super) compressed_size: u64,
    /// Bytes of the file once unpacked.
    pub(super) uncompressed_size: u64,
    /// CRC-32 of the unpacked bytes.
    pub(super) crc32: u32,
    /// Offset of the local header from the file's first byte.
    pub(super) local_header_offset: u64,
    /// Where the next entry's local header (or the central directory) starts: the local
    /// header and the data end at or before it.
    pub(super) limit: u64,
}

impl Entry {
    /// The entry's name: a key, never a path on disk.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the data is stored.
    ///
    /// Errors: [`BundleError::Unsupported`] for an encrypted entry or a method other than
    /// stored and deflated.
    pub fn method(&self) -> Result<Method, BundleError> {
        let unsupported = || BundleError::Unsupported {
            entry: self.name.clone(),
        };
        if self.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            return Err(unsupported());
        }
        match self.method_code {
            METHOD_STORED => Ok(Method::Stored),
            METHOD_DEFLATED => Ok(Method::Deflated),
            _ => Err(unsupported()),
        }
    }

    /// Bytes of data in the file (compressed, if deflated).
    pub fn compressed_size(&self) -> u64 {
        self.compressed_size
    }

    /// Bytes of the file once unpacked.
    pub fn uncompressed_size(&self) -> u64 {
        self.uncompressed_size
    }

    /// CRC-32 (ISO-HDLC, as zip uses it) of the unpacked bytes.
    pub fn crc32(&self) -> u32 {
        self.crc32
    }

    /// Offset of the entry's local header from the file's first byte.
    pub fn local_header_offset(&self) -> u64 {
        self.local_header_offset
    }

    /// Checks that the entry unpacks to at most `max_bytes` and that its sizes agree with
    /// its method: stored data is as long as the file; deflated data at most 1/8 longer (plus
    /// 1 KiB), which is more than any deflate encoder makes of any input.
    ///
    /// Errors: [`BundleError::EntryTooLarge`], [`BundleError::DamagedEntry`].
    pub(super) fn check_size(&self, max_bytes: u64) -> Result<(), BundleError> {
        if self.uncompressed_size > max_bytes {
            return Err(BundleError::EntryTooLarge {
                entry: self.name.clone(),
                max_bytes,
            });
        }
        let longest = match self.method_code {
            METHOD_DEFLATED => self
                .uncompressed_size
                .saturating_add(self.uncompressed_size / 8)
                .saturating_add(1024),
            _ => self.uncompressed_size,
        };
        let agrees = match self.method_code {
            METHOD_STORED => self.compressed_size == self.uncompressed_size,
            _ => self.compressed_size <= longest,
        };
        if !agrees {
            return Err(BundleError::DamagedEntry {
                entry: self.name.clone(),
            });
        }
        Ok(())
    }

    /// The next central directory header of `fields`, its Zip64 fields applied.
    fn parse(fields: &mut Fields<'_>) -> Result<Entry, BundleError> {
        let raw = RawHeader::parse(fields).ok_or(BundleError::NotABundle)?;
        let name = String::from_utf8_lossy(raw.name).into_owned();
        if name.len() > MAX_NAME_BYTES {
            return Err(BundleError::NameTooLong { entry: name });
        }
        // 4.5.3: the Zip64 field holds, in this order, only the fields saturated in the header.
        let mut zip64 = Fields::new(zip64_field(raw.extra));
        let mut widen = |value: u32| match value {
            SATURATED_32 => zip64.u64().ok_or(BundleError::NotABundle),
            value => Ok(u64::from(value)),
        };
        let uncompressed_size = widen(raw.uncompressed_size)?;
        let compressed_size = widen(raw.compressed_size)?;
        let local_header_offset = widen(raw.local_header_offset)?;
        let disk = match raw.disk {
            SATURATED_16 => zip64.u32().ok_or(BundleError::NotABundle)?,
            disk => u32::from(disk),
        };
        if disk != 0 {
            return Err(BundleError::NotABundle);
        }
        Ok(Entry {
            name,
            method_code: raw.method_code,
            flags: raw.flags,
            compressed_size,
            uncompressed_size,
            crc32: raw.crc32,
            local_header_offset,
            limit: 0,
        })
    }
}

/// A central directory header's fields as they are written, before Zip64.
struct RawHeader<'a> {
    flags: u16,
    method_code: u16,
    crc32: u32,
    compressed_size: u32,
    uncompressed_size: u32,
    disk: u16,
    local_header_offset: u32,
    name: &'a [u8],
    extra: &'a [u8],
}

impl<'a> RawHeader<'a> {
    /// The next header of `fields`, with its name, extra field and comment; `None` when it
    /// is cut or its signature is wrong.
    fn parse(fields: &mut Fields<'a>) -> Option<RawHeader<'a>> {
        if fields.u32()? != CENTRAL_HEADER_SIGNATURE {
            return None;
        }
        let _version_made_by = fields.u16()?;
        let _version_needed = fields.u16()?;
        let flags = fields.u16()?;
        let method_code = fields.u16()?;
        let _time = fields.u16()?;
        let _date = fields.u16()?;
        let crc32 = fields.u32()?;
        let compressed_size = fields.u32()?;
        let uncompressed_size = fields.u32()?;
        let name_len = fields.u16()?;
        let extra_len = fields.u16()?;
        let comment_len = fields.u16()?;
        let disk = fields.u16()?;
        let _internal_attributes = fields.u16()?;
        let _external_attributes = fields.u32()?;
        let local_header_offset = fields.u32()?;
        let name = fields.take(name_len.into())?;
        let extra = fields.take(extra_len.into())?;
        let _comment = fields.take(comment_len.into())?;
        Some(RawHeader {
            flags,
            method_code,
            crc32,
            compressed_size,
            uncompressed_size,
            disk,
            local_header_offset,
            name,
            extra,
        })
    }
}

/// The data of the last Zip64 extra field among the extra fields `extra`, or nothing. A badly
/// formed field ends the search (some tools pad extra fields). The last, not the first: the
/// zip crate (8.0) writes `large_file` entries with two, the first saying 0xffffffff for both
/// sizes and the second the true ones, and reads the last itself.
fn zip64_field(extra: &[u8]) -> &[u8] {
    let mut fields = Fields::new(extra);
    let mut found: &[u8] = &[];
    while let (Some(id), Some(len)) = (fields.u16(), fields.u16()) {
        let Some(data) = fields.take(usize::from(len)) else {
            break;
        };
        if id == ZIP64_EXTRA_ID {
            found = data;
        }
    }
    found
}

/// What the end records say.
struct End {
    /// The central directory's bytes in the file.
    directory: Range<u64>,
    /// How many entries it holds.
    count: u64,
}

/// The end records in `tail`, the file's bytes from `tail_start` to its end. `None` for
/// anything wrong (see [`Directory::from_tail`]).
fn find_end(tail_start: u64, tail: &[u8]) -> Option<End> {
    // The end record is the last one whose comment reaches exactly to the end of the file.
    let last = tail.len().checked_sub(END_LEN)?;
    let at = (last.saturating_sub(MAX_COMMENT_LEN)..=last)
        .rev()
        .find(|&at| {
            let mut f = Fields::new(&tail[at..]);
            let signature = f.u32();
            let comment_len = Fields::new(&tail[at + 20..]).u16();
            signature == Some(END_SIGNATURE)
                && comment_len.map(|len| at + END_LEN + usize::from(len)) == Some(tail.len())
        })?;
    let mut f = Fields::new(&tail[at + 4..]);
    let disk = f.u16()?;
    let directory_disk = f.u16()?;
    let disk_count = f.u16()?;
    let count = f.u16()?;
    let size = f.u32()?;
    let offset = f.u32()?;
    let record_start = tail_start + at as u64;

    let locator = at
        .checked_sub(ZIP64_LOCATOR_LEN)
        .filter(|&l| Fields::new(&tail[l..]).u32() == Some(ZIP64_LOCATOR_SIGNATURE));
    let (end, ends_at) = match locator {
        Some(l) => {
            let mut f = Fields::new(&tail[l + 4..]);
            let zip64_disk = f.u32()?;
            let zip64_offset = f.u64()?;
            let disks = f.u32()?;
            if zip64_disk != 0 || disks > 1 {
                return None;
            }
            // The Zip64 end record must lie in the tail, before the locator.
            let z = usize::try_from(zip64_offset.checked_sub(tail_start)?).ok()?;
            let record = tail.get(z..l)?;
            let mut f = Fields::new(record);
            if f.u32()? != ZIP64_END_SIGNATURE || record.len() < ZIP64_END_LEN {
                return None;
            }
            let record_len = f.u64()?;
            // The record (with any extensible data) ends where the locator starts.
            if record_len != (record.len() - 12) as u64 {
                return None;
            }
            let _version_made_by = f.u16()?;
            let _version_needed = f.u16()?;
            let disk64 = f.u32()?;
            let directory_disk64 = f.u32()?;
            let disk_count64 = f.u64()?;
            let count64 = f.u64()?;
            let size64 = f.u64()?;
            let offset64 = f.u64()?;
            // The plain record's fields say the same, or "see Zip64".
            let agrees16 =
                |plain: u16, wide: u64| plain == SATURATED_16 || u64::from(plain) == wide;
            let agrees32 =
                |plain: u32, wide: u64| plain == SATURATED_32 || u64::from(plain) == wide;
            let consistent = agrees16(disk, disk64.into())
                && agrees16(directory_disk, directory_disk64.into())
                && agrees16(disk_count, disk_count64)
                && agrees16(count, count64)
                && agrees32(size, size64)
                && agrees32(offset, offset64);
            if !consistent || disk64 != 0 || directory_disk64 != 0 || disk_count64 != count64 {
                return None;
            }
            let directory = offset64..offset64.checked_add(size64)?;
            (
                End {
                    directory,
                    count: count64,
                },
                zip64_offset,
            )
        }
        None => {
            // Saturated fields without the Zip64 records: a cut or damaged Zip64 archive.
            let saturated = [disk, directory_disk, disk_count, count].contains(&SATURATED_16)
                || size == SATURATED_32
                || offset == SATURATED_32;
            if saturated || disk != 0 || directory_disk != 0 || disk_count != count {
                return None;
            }
            let directory = u64::from(offset)..u64::from(offset) + u64::from(size);
            (
                End {
                    directory,
                    count: count.into(),
                },
                record_start,
            )
        }
    };
    let size = end.directory.end - end.directory.start;
    let fits = end.directory.end == ends_at
        && end.count <= MAX_ENTRIES
        && size <= MAX_DIRECTORY_BYTES
        && end.count * CENTRAL_HEADER_LEN as u64 <= size;
    fits.then_some(end)
}

#[cfg(test)]
mod tests {
    use super::super::writer::{NewEntry, ZipParts};
    use super::*;

    /// A zip of `entries` (name, data) stored, written by our writer, with its size.
    fn stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut parts = ZipParts::new();
        let mut zip = Vec::new();
        for (name, data) in entries {
            let entry = NewEntry::stored(name, data.len() as u64, super::super::crc32(data));
            zip.extend(parts.entry(&entry).unwrap());
            zip.extend_from_slice(data);
        }
        zip.extend(parts.finish());
        zip
    }

    /// The directory of `zip`, read as the page reads it: the tail first, then the range it
    /// asks for.
    fn directory_of(zip: &[u8]) -> Result<Directory, BundleError> {
        let len = zip.len() as u64;
        let tail = &zip[(len - tail_len(len)) as usize..];
        match Directory::from_tail(len, tail)? {
            FromTail::Complete(directory) => Ok(directory),
            FromTail::NeedRange(pending) => {
                let range = pending.range();
                pending.parse(&zip[range.start as usize..range.end as usize])
            }
        }
    }

    /// Offset of the first `magic` in `zip`.
    fn find(zip: &[u8], magic: u32) -> usize {
        let magic = magic.to_le_bytes();
        zip.windows(4).position(|w| w == magic).unwrap()
    }

    #[test]
    fn the_tail_holds_the_longest_end_record() {
        // Reference: APPNOTE 4.3.14–4.3.16: 22 + 65535 (comment) + 20 (locator) + 56 bytes.
        assert_eq!(tail_len(10), 10);
        assert_eq!(tail_len(1 << 40), 22 + 65_535 + 20 + 56);
    }

    #[test]
    fn entries_are_read_with_their_sizes_and_offsets() {
        // Reference: the layout our writer makes: local header (30 + name) then the data.
        let zip = stored(&[("a.txt", b"hello"), ("b/c", b"")]);
        let directory = directory_of(&zip).unwrap();
        let names: Vec<&str> = directory.entries().iter().map(Entry::name).collect();
        assert_eq!(names, ["a.txt", "b/c"]);
        let a = directory.get("a.txt").unwrap();
        assert_eq!(a.method(), Ok(Method::Stored));
        assert_eq!((a.compressed_size(), a.uncompressed_size()), (5, 5));
        assert_eq!(a.crc32(), 0x3610_a686, "CRC-32 of \"hello\"");
        assert_eq!(a.local_header_offset(), 0);
        assert_eq!(a.limit, 30 + 5 + 5);
        let b = directory.get("b/c").unwrap();
        assert_eq!(b.local_header_offset(), 40);
        assert!(directory.get("A.TXT").is_none(), "names are exact keys");
    }

    #[test]
    fn a_directory_before_the_tail_takes_a_second_read() {
        // Reference: 300 entries of 300-byte names make a 103 KB directory, more than the
        // 64 KiB tail.
        let names: Vec<String> = (0..300).map(|i| format!("{i:0>300}")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
        let zip = stored(&entries);
        let len = zip.len() as u64;
        let tail = &zip[(len - tail_len(len)) as usize..];
        let FromTail::NeedRange(pending) = Directory::from_tail(len, tail).unwrap() else {
            panic!("the directory is longer than the tail");
        };
        let range = pending.range();
        assert_eq!(range.start, 300 * (30 + 300 + 1));
        assert_eq!(range.end - range.start, 300 * (46 + 300));
        let bytes = &zip[range.start as usize..range.end as usize];
        assert_eq!(
            pending.clone().parse(&bytes[1..]),
            Err(BundleError::NotABundle),
            "bytes of another length"
        );
        let directory = pending.parse(bytes).unwrap();
        assert_eq!(directory.entries().len(), 300);
        assert_eq!(directory.get(&names[299]).unwrap().compressed_size(), 1);
        // The whole file as the tail finds it at once.
        assert!(matches!(
            Directory::from_tail(len, &zip),
            Ok(FromTail::Complete(_))
        ));
    }

    #[test]
    fn a_comment_at_the_end_is_skipped_even_when_it_looks_like_an_end_record() {
        // Reference: APPNOTE 4.3.16: the comment follows the end record, up to 65535 bytes.
        let mut zip = stored(&[("a", b"1")]);
        let end = zip.len() - END_LEN;
        let mut comment = vec![b'c'; MAX_COMMENT_LEN];
        // A fake end record inside the comment, whose own "comment" would not reach the end.
        comment[100..104].copy_from_slice(&END_SIGNATURE.to_le_bytes());
        zip[end + 20..end + 22].copy_from_slice(&(MAX_COMMENT_LEN as u16).to_le_bytes());
        zip.extend(&comment);
        let directory = directory_of(&zip).unwrap();
        assert_eq!(directory.entries().len(), 1);
        // One byte more than the comment length says: no end record reaches the end.
        zip.push(0);
        assert_eq!(directory_of(&zip), Err(BundleError::NotABundle));
    }

    #[test]
    fn zip64_fields_are_applied() {
        // Reference: APPNOTE 4.5.3, the Zip64 extended information extra field, written by
        // our writer with every field saturated.
        let mut parts = ZipParts::with_zip64_from(0);
        let mut zip = parts.entry(&NewEntry::stored("a", 3, 7)).unwrap();
        zip.extend(b"abc");
        zip.extend(parts.entry(&NewEntry::stored("b", 0, 0)).unwrap());
        zip.extend(parts.finish());
        let directory = directory_of(&zip).unwrap();
        let b = directory.get("b").unwrap();
        assert_eq!(b.local_header_offset(), 30 + 1 + 20 + 3);
        let a = directory.get("a").unwrap();
        assert_eq!(
            (a.compressed_size(), a.uncompressed_size(), a.crc32()),
            (3, 3, 7)
        );

        // The Zip64 extra field taken away: the saturated fields have no value.
        let mut cut = zip.clone();
        let extra = find(&cut, CENTRAL_HEADER_SIGNATURE) + CENTRAL_HEADER_LEN + 1;
        assert_eq!(cut[extra..extra + 2], ZIP64_EXTRA_ID.to_le_bytes());
        cut[extra] = 9;
        assert_eq!(directory_of(&cut), Err(BundleError::NotABundle));
        // The locator taken away: the plain record's saturated fields have no value.
        let mut no_locator = zip.clone();
        let locator = find(&no_locator, ZIP64_LOCATOR_SIGNATURE);
        no_locator[locator] ^= 1;
        assert_eq!(directory_of(&no_locator), Err(BundleError::NotABundle));
    }

    #[test]
    fn a_directory_that_lies_is_refused() {
        // Reference: the checks of `find_end` and `Directory::parse`, one lie at a time.
        let zip = stored(&[("a", b"1"), ("b", b"2")]);
        let end = zip.len() - END_LEN;
        let central = find(&zip, CENTRAL_HEADER_SIGNATURE);
        let lie = |at: usize, bytes: &[u8]| {
            let mut lying = zip.clone();
            lying[at..at + bytes.len()].copy_from_slice(bytes);
            directory_of(&lying)
        };
        assert!(directory_of(&zip).is_ok());
        // Counts: one entry fewer or more than the directory holds; disks that differ.
        assert_eq!(lie(end + 8, &[1, 0, 1, 0]), Err(BundleError::NotABundle));
        assert_eq!(lie(end + 8, &[3, 0, 3, 0]), Err(BundleError::NotABundle));
        assert_eq!(lie(end + 8, &[2, 0, 3, 0]), Err(BundleError::NotABundle));
        assert_eq!(
            lie(end + 4, &[1, 0]),
            Err(BundleError::NotABundle),
            "spanned"
        );
        // The directory's size and offset.
        assert_eq!(lie(end + 12, &[1]), Err(BundleError::NotABundle));
        assert_eq!(
            lie(end + 16, &[0, 0, 0, 0x80]),
            Err(BundleError::NotABundle)
        );
        assert_eq!(lie(end + 16, &[1]), Err(BundleError::NotABundle));
        // A name length that runs into the next header.
        assert_eq!(lie(central + 28, &[2]), Err(BundleError::NotABundle));
        // Two entries at one offset, and one whose header reaches into the directory.
        let second = central + CENTRAL_HEADER_LEN + 1;
        assert_eq!(lie(second + 42, &[0, 0]), Err(BundleError::NotABundle));
        assert_eq!(lie(second + 42, &[52, 0]), Err(BundleError::NotABundle));
        // A Zip64 entry count past the bound, written by our writer.
        let mut parts = ZipParts::with_zip64_from(0);
        let mut many = parts.entry(&NewEntry::stored("a", 0, 0)).unwrap();
        many.extend(parts.finish());
        let count = find(&many, ZIP64_END_SIGNATURE) + 24;
        many[count..count + 16].copy_from_slice(&[[0, 0x10, 0, 0, 0, 0, 0, 0]; 2].concat());
        assert!(
            directory_of(&many).is_err(),
            "4096 entries declared, one there"
        );
        many[count..count + 16].copy_from_slice(&[[1, 0x10, 0, 0, 0, 0, 0, 0]; 2].concat());
        assert_eq!(directory_of(&many), Err(BundleError::NotABundle), "4097");
        // Cut anywhere: never a directory.
        for len in 0..zip.len() {
            assert!(directory_of(&zip[..len]).is_err(), "cut at {len}");
        }
    }

    #[test]
    fn names_are_bounded_and_distinct() {
        // Reference: MAX_NAME_BYTES, and the rule that a name is one key.
        let long = "n".repeat(MAX_NAME_BYTES + 1);
        let zip = stored(&[(&long[..MAX_NAME_BYTES], b"")]);
        assert!(directory_of(&zip).is_ok());
        let mut parts = ZipParts::new();
        assert_eq!(
            parts.entry(&NewEntry::stored(&long, 0, 0)),
            Err(BundleError::NameTooLong {
                entry: long.clone()
            })
        );
        // Our writer refuses a name used twice; a zip that has one anyway is refused too.
        let mut zip = stored(&[("a", b""), ("b", b"")]);
        let second_name =
            find(&zip, CENTRAL_HEADER_SIGNATURE) + CENTRAL_HEADER_LEN + 1 + CENTRAL_HEADER_LEN;
        assert_eq!(zip[second_name], b'b');
        zip[second_name] = b'a';
        assert_eq!(
            directory_of(&zip),
            Err(BundleError::DuplicateName { entry: "a".into() })
        );
        // A name that is not UTF-8 is kept as a key, with U+FFFD.
        let mut zip = stored(&[("\u{e9}", b"")]);
        let central = find(&zip, CENTRAL_HEADER_SIGNATURE);
        zip[central + CENTRAL_HEADER_LEN] = 0xff;
        let directory = directory_of(&zip).unwrap();
        assert_eq!(directory.entries()[0].name(), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn encrypted_and_unknown_methods_are_unsupported() {
        // Reference: APPNOTE 4.4.4 (flag bits 0 and 6) and 4.4.5 (method codes).
        let zip = stored(&[("a", b"")]);
        let central = find(&zip, CENTRAL_HEADER_SIGNATURE);
        let unsupported = Err(BundleError::Unsupported { entry: "a".into() });
        for (at, value) in [(8, 1), (8, 1 << 6), (10, 12), (10, 14)] {
            let mut changed = zip.clone();
            changed[central + at] = value;
            let directory = directory_of(&changed).unwrap();
            assert_eq!(directory.get("a").unwrap().method(), unsupported);
        }
    }

    #[test]
    fn sizes_must_agree_with_the_method_and_the_bound() {
        // Reference: `Entry::check_size`.
        let entry = |method_code, compressed_size, uncompressed_size| Entry {
            name: "e".into(),
            method_code,
            flags: 0,
            compressed_size,
            uncompressed_size,
            crc32: 0,
            local_header_offset: 0,
            limit: 0,
        };
        let damaged = Err(BundleError::DamagedEntry { entry: "e".into() });
        assert_eq!(entry(METHOD_STORED, 10, 10).check_size(10), Ok(()));
        assert_eq!(entry(METHOD_STORED, 9, 10).check_size(10), damaged);
        assert_eq!(
            entry(METHOD_STORED, 11, 11).check_size(10),
            Err(BundleError::EntryTooLarge {
                entry: "e".into(),
                max_bytes: 10
            })
        );
        assert_eq!(entry(METHOD_DEFLATED, 2, 0).check_size(0), Ok(()));
        assert_eq!(
            entry(METHOD_DEFLATED, 8192 + 1024 + 1024, 8192).check_size(1 << 20),
            Ok(())
        );
        assert_eq!(
            entry(METHOD_DEFLATED, 8192 + 1024 + 1025, 8192).check_size(1 << 20),
            damaged
        );
    }
}

//! A bounded streaming unpacker: an entry's data fed in chunks as the caller reads them,
//! inflated (RFC 1951, with miniz_oxide) or passed through when stored, never to more bytes
//! than the directory declares nor than the caller allows, its CRC-32 checked at the end.

use std::fmt;

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::directory::{Entry, Method};
use super::BundleError;

/// Bytes the inflater writes at a time before they are appended to the caller's output.
const OUTPUT_CHUNK_BYTES: usize = 32 << 10;

/// An entry being unpacked: feed its data ([`Entry::data_range`]) in order, then finish.
///
/// ```
/// # use mixroom_protocol::bundle::{BundleError, Entry, Unpacker};
/// # fn unpack(entry: &Entry, chunks: &[&[u8]]) -> Result<Vec<u8>, BundleError> {
/// let mut unpacker = Unpacker::new(entry, 1 << 30)?;
/// let mut bytes = Vec::new();
/// for chunk in chunks {
///     unpacker.feed(chunk, &mut bytes)?; // or: hand what was appended on, and clear
/// }
/// unpacker.finish()?;
/// # Ok(bytes)
/// # }
/// ```
pub struct Unpacker {
    /// The inflater's state, for a deflated entry.
    inflater: Option<Box<InflateState>>,
    /// Where the inflater writes.
    buffer: Vec<u8>,
    /// What has come out so far.
    output: Output,
    /// Bytes of data fed so far.
    fed: u64,
    /// Bytes of data the entry has.
    data_len: u64,
    /// Whether the deflate stream has ended.
    ended: bool,
}

impl fmt::Debug for Unpacker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unpacker")
            .field("entry", &self.output.entry)
            .field("fed", &self.fed)
            .field("written", &self.output.written)
            .finish_non_exhaustive()
    }
}

/// The unpacked bytes so far, against what the directory declares.
struct Output {
    entry: String,
    /// Bytes declared.
    len: u64,
    /// CRC-32 declared.
    crc32: u32,
    /// Bytes so far.
    written: u64,
    /// CRC-32 so far.
    hasher: crc32fast::Hasher,
}

impl Output {
    /// Appends `bytes` to `out`, refusing more than declared.
    fn emit(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<(), BundleError> {
        self.written += bytes.len() as u64;
        if self.written > self.len {
            return Err(damaged(&self.entry));
        }
        self.hasher.update(bytes);
        out.extend_from_slice(bytes);
        Ok(())
    }
}

fn damaged(entry: &str) -> BundleError {
    BundleError::DamagedEntry {
        entry: entry.to_owned(),
    }
}

impl Unpacker {
    /// The unpacker of `entry`, which may unpack to at most `max_bytes`.
    ///
    /// Errors: [`BundleError::Unsupported`] for a method other than stored and deflated or
    /// an encrypted entry, [`BundleError::EntryTooLarge`] past `max_bytes`,
    /// [`BundleError::DamagedEntry`] for sizes that do not agree with the method.
    pub fn new(entry: &Entry, max_bytes: u64) -> Result<Unpacker, BundleError> {
        let method = entry.method()?;
        entry.check_size(max_bytes)?;
        let inflater = match method {
            Method::Stored => None,
            Method::Deflated => Some(InflateState::new_boxed(DataFormat::Raw)),
        };
        let buffer = match method {
            Method::Stored => Vec::new(),
            Method::Deflated => vec![0; OUTPUT_CHUNK_BYTES],
        };
        Ok(Unpacker {
            inflater,
            buffer,
            output: Output {
                entry: entry.name().to_owned(),
                len: entry.uncompressed_size(),
                crc32: entry.crc32(),
                written: 0,
                hasher: crc32fast::Hasher::new(),
            },
            fed: 0,
            data_len: entry.compressed_size(),
            ended: false,
        })
    }

    /// Feeds the next `chunk` of the entry's data and appends what it unpacks to to `out`.
    ///
    /// Errors: [`BundleError::DamagedEntry`] for data that is not deflate, goes on after its
    /// end or past the entry's size, or unpacks to more than declared.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<(), BundleError> {
        self.fed += chunk.len() as u64;
        if self.fed > self.data_len {
            return Err(damaged(&self.output.entry));
        }
        let Some(state) = &mut self.inflater else {
            return self.output.emit(chunk, out);
        };
        let mut input = chunk;
        while !self.ended {
            let result = inflate(state, input, &mut self.buffer, MZFlush::None);
            input = &input[result.bytes_consumed..];
            self.output
                .emit(&self.buffer[..result.bytes_written], out)?;
            let progress = result.bytes_consumed > 0 || result.bytes_written > 0;
            match result.status {
                Ok(MZStatus::StreamEnd) => self.ended = true,
                Ok(_) if progress => {}
                // Everything given is unpacked: wait for the next chunk.
                Ok(_) | Err(MZError::Buf) if input.is_empty() => return Ok(()),
                _ => return Err(damaged(&self.output.entry)),
            }
        }
        match input.is_empty() {
            true => Ok(()),
            false => Err(damaged(&self.output.entry)),
        }
    }

    /// The entry unpacked from `data`, all its data at once: [`Unpacker::feed`] then
    /// [`Unpacker::finish`].
    pub(super) fn whole(mut self, data: &[u8]) -> Result<Vec<u8>, BundleError> {
        let mut bytes = Vec::new();
        self.feed(data, &mut bytes)?;
        self.finish()?;
        Ok(bytes)
    }

    /// Ends the entry, once all its data is fed.
    ///
    /// Errors: [`BundleError::DamagedEntry`] when the data or the deflate stream stopped short,
    /// or the bytes unpacked do not have the declared length or CRC-32.
    pub fn finish(self) -> Result<(), BundleError> {
        let output = self.output;
        let complete = self.fed == self.data_len
            && (self.inflater.is_none() || self.ended)
            && output.written == output.len
            && output.hasher.finalize() == output.crc32;
        match complete {
            true => Ok(()),
            false => Err(damaged(&output.entry)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::crc32;
    use super::super::format::{METHOD_DEFLATED, METHOD_STORED};
    use super::*;

    /// A directory entry for `bytes`, `method_code`d into `data_len` bytes.
    fn entry(method_code: u16, data_len: u64, bytes: &[u8]) -> Entry {
        Entry {
            name: "e".into(),
            method_code,
            flags: 0,
            compressed_size: data_len,
            uncompressed_size: bytes.len() as u64,
            crc32: crc32(bytes),
            local_header_offset: 0,
            limit: u64::MAX,
        }
    }

    /// `data` unpacked as `entry`, fed `chunk` bytes at a time.
    fn unpack(entry: &Entry, data: &[u8], chunk: usize) -> Result<Vec<u8>, BundleError> {
        let mut unpacker = Unpacker::new(entry, 1 << 20)?;
        let mut out = Vec::new();
        for piece in data.chunks(chunk.max(1)) {
            unpacker.feed(piece, &mut out)?;
        }
        unpacker.finish()?;
        Ok(out)
    }

    /// 100 KB that deflate shrinks (a repeated pattern with a counter).
    fn music() -> Vec<u8> {
        (0..100_000u32)
            .map(|i| ((i % 251) ^ (i / 1000)) as u8)
            .collect()
    }

    #[test]
    fn deflated_data_in_any_chunks_unpacks_to_the_original() {
        // Reference: the bytes given to miniz_oxide's compressor.
        let bytes = music();
        let deflated = miniz_oxide::deflate::compress_to_vec(&bytes, 6);
        assert!(deflated.len() < bytes.len() / 2);
        let e = entry(METHOD_DEFLATED, deflated.len() as u64, &bytes);
        for chunk in [1, 7, 4096, deflated.len()] {
            assert_eq!(unpack(&e, &deflated, chunk).unwrap(), bytes, "{chunk}");
        }
        let stored = entry(METHOD_STORED, bytes.len() as u64, &bytes);
        assert_eq!(unpack(&stored, &bytes, 999).unwrap(), bytes);
        let empty = miniz_oxide::deflate::compress_to_vec(b"", 6);
        let e = entry(METHOD_DEFLATED, empty.len() as u64, b"");
        assert_eq!(unpack(&e, &empty, 1).unwrap(), b"");
    }

    #[test]
    fn damage_of_every_kind_is_caught() {
        // Reference: `Unpacker::feed` and `Unpacker::finish`, one problem at a time.
        let bytes = music();
        let deflated = miniz_oxide::deflate::compress_to_vec(&bytes, 6);
        let e = entry(METHOD_DEFLATED, deflated.len() as u64, &bytes);
        let damaged = Err(BundleError::DamagedEntry { entry: "e".into() });
        // Cut short, a byte changed (the CRC-32 or the stream catches it), garbage after.
        assert_eq!(unpack(&e, &deflated[..deflated.len() - 1], 100), damaged);
        for at in [0, 10, deflated.len() / 2, deflated.len() - 1] {
            let mut changed = deflated.clone();
            changed[at] ^= 0x10;
            assert_eq!(unpack(&e, &changed, 100), damaged, "byte {at}");
        }
        let mut longer = deflated.clone();
        longer.push(0);
        let e_longer = entry(METHOD_DEFLATED, longer.len() as u64, &bytes);
        assert_eq!(
            unpack(&e_longer, &longer, 100),
            damaged,
            "data after the end"
        );
        assert_eq!(unpack(&e, &longer, 100), damaged, "more data than declared");
        // Declared shorter than it unpacks to: stopped at the declared size.
        let mut short = e.clone();
        short.uncompressed_size = 90_000;
        assert_eq!(unpack(&short, &deflated, 100), damaged);
        let mut unpacker = Unpacker::new(&short, 90_000).unwrap();
        let mut out = Vec::new();
        assert!(unpacker.feed(&deflated, &mut out).is_err());
        assert!(out.len() <= 90_000, "never more than declared");
        // Declared longer: the stream ends early.
        let mut long = e.clone();
        long.uncompressed_size += 1;
        assert_eq!(unpack(&long, &deflated, 100), damaged);
        // Not deflate at all (block type 3 is reserved).
        let e_junk = entry(METHOD_DEFLATED, 4, &bytes);
        assert_eq!(unpack(&e_junk, &[0xff; 4], 4), damaged);
        // Stored: a byte changed, one missing.
        let stored = entry(METHOD_STORED, 3, b"abc");
        assert_eq!(unpack(&stored, b"abd", 1), damaged);
        assert_eq!(unpack(&stored, b"ab", 1), damaged);
    }

    #[test]
    fn the_bound_is_checked_before_anything_is_unpacked() {
        // Reference: `Entry::check_size`, reached through `Unpacker::new`.
        let bytes = music();
        let deflated = miniz_oxide::deflate::compress_to_vec(&bytes, 6);
        let e = entry(METHOD_DEFLATED, deflated.len() as u64, &bytes);
        assert!(Unpacker::new(&e, 100_000).is_ok());
        assert!(matches!(
            Unpacker::new(&e, 99_999),
            Err(BundleError::EntryTooLarge {
                max_bytes: 99_999,
                ..
            })
        ));
        let mut bzip2 = e.clone();
        bzip2.method_code = 12;
        assert!(matches!(
            Unpacker::new(&bzip2, 1 << 20),
            Err(BundleError::Unsupported { .. })
        ));
    }
}

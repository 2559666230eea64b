//! The zip format's fixed parts (PKWARE APPNOTE.TXT 6.3.10, sections 4.3 and 4.5): record
//! signatures and lengths, and the little-endian fields they are made of.

/// Signature of a local file header (4.3.7).
pub(super) const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
/// Signature of a central directory header (4.3.12).
pub(super) const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;
/// Signature of the end of central directory record (4.3.16).
pub(super) const END_SIGNATURE: u32 = 0x0605_4b50;
/// Signature of the Zip64 end of central directory record (4.3.14).
pub(super) const ZIP64_END_SIGNATURE: u32 = 0x0606_4b50;
/// Signature of the Zip64 end of central directory locator (4.3.15).
pub(super) const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;

/// Length of a local file header without its name and extra field, bytes.
pub const LOCAL_HEADER_LEN: u64 = 30;
/// Length of a central directory header without its name, extra field and comment, bytes.
pub(super) const CENTRAL_HEADER_LEN: usize = 46;
/// Length of the end of central directory record without its comment, bytes.
pub(super) const END_LEN: usize = 22;
/// Length of a Zip64 end of central directory record without extensible data, bytes.
pub(super) const ZIP64_END_LEN: usize = 56;
/// Length of the Zip64 end of central directory locator, bytes.
pub(super) const ZIP64_LOCATOR_LEN: usize = 20;
/// Longest comment of the end record, bytes (its length is a 16-bit field).
pub(super) const MAX_COMMENT_LEN: usize = 0xffff;

/// Header id of the Zip64 extended information extra field (4.5.3).
pub(super) const ZIP64_EXTRA_ID: u16 = 0x0001;
/// A 32-bit size or offset field that says "see the Zip64 record".
pub(super) const SATURATED_32: u32 = u32::MAX;
/// A 16-bit count or disk field that says "see the Zip64 record".
pub(super) const SATURATED_16: u16 = u16::MAX;

/// Compression method code of stored (uncompressed) data.
pub(super) const METHOD_STORED: u16 = 0;
/// Compression method code of deflated data (RFC 1951).
pub(super) const METHOD_DEFLATED: u16 = 8;
/// General-purpose flag: the entry is encrypted (traditional PKWARE encryption).
pub(super) const FLAG_ENCRYPTED: u16 = 1 << 0;
/// General-purpose flag: strong encryption.
pub(super) const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
/// General-purpose flag: the name is UTF-8 (language encoding flag, EFS).
pub(super) const FLAG_UTF8: u16 = 1 << 11;

/// Little-endian fields read one after another; every read is `None` past the end.
pub(super) struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// Fields starting at the first byte of `bytes`.
    pub(super) fn new(bytes: &'a [u8]) -> Fields<'a> {
        Fields { rest: bytes }
    }

    /// The next `n` bytes.
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(taken)
    }

    /// The next 16-bit field.
    pub(super) fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    /// The next 32-bit field.
    pub(super) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    /// The next 64-bit field.
    pub(super) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// How many bytes are left.
    pub(super) fn len(&self) -> usize {
        self.rest.len()
    }
}

/// Appends little-endian fields to a record being written.
pub(super) trait PutFields {
    /// Appends a 16-bit field.
    fn put_u16(&mut self, value: u16);
    /// Appends a 32-bit field.
    fn put_u32(&mut self, value: u32);
    /// Appends a 64-bit field.
    fn put_u64(&mut self, value: u64);
}

impl PutFields for Vec<u8> {
    fn put_u16(&mut self, value: u16) {
        self.extend_from_slice(&value.to_le_bytes());
    }

    fn put_u32(&mut self, value: u32) {
        self.extend_from_slice(&value.to_le_bytes());
    }

    fn put_u64(&mut self, value: u64) {
        self.extend_from_slice(&value.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_little_endian_and_stop_at_the_end() {
        // Reference: APPNOTE 4.4.1.1, "All values are stored in little-endian byte order".
        let mut out = Vec::new();
        out.put_u16(0x0102);
        out.put_u32(0x0304_0506);
        out.put_u64(0x0708_090a_0b0c_0d0e);
        assert_eq!(out, [2, 1, 6, 5, 4, 3, 14, 13, 12, 11, 10, 9, 8, 7]);
        let mut fields = Fields::new(&out);
        assert_eq!(fields.u16(), Some(0x0102));
        assert_eq!(fields.u32(), Some(0x0304_0506));
        assert_eq!(fields.len(), 8);
        assert_eq!(fields.u64(), Some(0x0708_090a_0b0c_0d0e));
        assert_eq!(fields.u16(), None);
        assert_eq!(Fields::new(&[1]).u16(), None);
        assert_eq!(Fields::new(&[1, 2]).take(3), None);
    }
}

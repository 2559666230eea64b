//! Interop with the `zip` crate (a dev-dependency only): it reads every zip we write, byte for
//! byte, and we read the zips it writes: stored, deflated, with and without Zip64
//! (`large_file`), with a comment, with a directory longer than the first tail read.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::layout::lay_out;
use super::*;
use crate::session::{benchmark, FileSource};

/// A zip with the given entries (name, bytes, stored or deflated), written by the zip crate.
pub(super) fn zip_of(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
    zip_with(entries, false, "")
}

/// [`zip_of`], every entry `large_file` (Zip64 fields) or not, the archive with `comment`.
fn zip_with(entries: &[(&str, &[u8], CompressionMethod)], large: bool, comment: &str) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, method) in entries {
        let options = SimpleFileOptions::default()
            .compression_method(*method)
            .large_file(large);
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.set_comment(comment);
    zip.finish().unwrap().into_inner()
}

/// Every entry of `zip` as the zip crate reads it (checking CRC-32s itself): name → bytes.
fn unzipped(zip: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        entries.insert(file.name().to_owned(), bytes);
    }
    entries
}

/// A session of a file track ("a.wav", then "b.wav") per file, and a demo stem.
fn two_files() -> (Session, Vec<(&'static str, Vec<u8>)>) {
    let mut session = benchmark(3, false);
    let file = |path: &str| {
        Source::File(FileSource {
            path: path.into(),
            sha256: None,
        })
    };
    session.tracks[0].source = file("a.wav");
    session.tracks[1].source = file("b.flac");
    session.tracks[2].source = Source::Demo("kick".into());
    let a: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
    let b = b"fLaC not really, and short".to_vec();
    (session, vec![("a.wav", a), ("b.flac", b)])
}

#[test]
fn the_zip_crate_reads_our_bundles_byte_for_byte() {
    // Reference: the session and the files given to `write`.
    let (session, files) = two_files();
    let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    let written = write(&session, &borrowed).unwrap();
    let expected: BTreeMap<String, Vec<u8>> = [
        (
            SESSION_ENTRY.to_owned(),
            written.session.to_json().into_bytes(),
        ),
        ("audio/a.wav".to_owned(), files[0].1.clone()),
        ("audio/b.flac".to_owned(), files[1].1.clone()),
    ]
    .into();
    assert_eq!(unzipped(&written.bytes), expected);

    // The same bundle with Zip64 fields and records everywhere.
    let sums: Vec<(&str, Sums)> = borrowed
        .iter()
        .map(|(path, bytes)| {
            let mut digest = Digest::new();
            digest.update(bytes);
            (*path, digest.finish())
        })
        .collect();
    let laid_out = lay_out(Contents::Mix(&session), &sums, ZipParts::with_zip64_from(0)).unwrap();
    let given: BTreeMap<&str, &[u8]> = borrowed.iter().copied().collect();
    let zip64 = concatenate(&laid_out, &given).unwrap();
    assert!(zip64.len() > written.bytes.len());
    assert_eq!(unzipped(&zip64), expected);
}

#[test]
fn the_zip_crate_reads_our_zips_of_any_entries() {
    // Reference: the entries given to `ZipParts` (a stems zip: stored WAVs, plus a deflated
    // entry and a name in UTF-8), with Zip64 from 0 bytes, from 40 bytes, and at 4 GiB.
    let wav: Vec<u8> = (0..3000u32).map(|i| (i % 200) as u8).collect();
    let text = "Mixroom stems ".repeat(100);
    let deflated = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 6);
    for zip64_from in [0, 40, u64::from(u32::MAX)] {
        let mut parts = ZipParts::with_zip64_from(zip64_from);
        let mut zip = Vec::new();
        for name in ["01 Kick.wav", "02 Café.wav", "Drums (bus).wav"] {
            let entry = NewEntry::stored(name, wav.len() as u64, crc32(&wav));
            zip.extend(parts.entry(&entry).unwrap());
            zip.extend_from_slice(&wav);
        }
        let entry = NewEntry::deflated(
            "README.txt",
            deflated.len() as u64,
            text.len() as u64,
            crc32(text.as_bytes()),
        );
        zip.extend(parts.entry(&entry).unwrap());
        zip.extend_from_slice(&deflated);
        assert_eq!(parts.offset(), zip.len() as u64);
        zip.extend(parts.finish());
        let entries = unzipped(&zip);
        assert_eq!(entries.len(), 4, "Zip64 from {zip64_from}");
        assert_eq!(entries["02 Café.wav"], wav);
        assert_eq!(entries["README.txt"], text.as_bytes());
    }
}

#[test]
fn we_read_the_zip_crates_zips() {
    // Reference: the zip crate's own reading of the same bytes, and the files it was given.
    let (session, files) = two_files();
    let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    let written = write(&session, &borrowed).unwrap();
    let expected = read(&written.bytes).unwrap();
    let json = written.session.to_json();
    for method in [CompressionMethod::Stored, CompressionMethod::Deflated] {
        for large in [false, true] {
            for comment in ["", "made by the zip crate, PK\x05\x06 and all"] {
                let zip = zip_with(
                    &[
                        (SESSION_ENTRY, json.as_bytes(), method),
                        ("audio/a.wav", &files[0].1, method),
                        ("audio/b.flac", &files[1].1, method),
                    ],
                    large,
                    comment,
                );
                let case = format!("{method:?}, large_file {large}, comment {comment:?}");
                assert!(read(&zip) == Ok(expected.clone()), "{case}");
                // Our data ranges are where the zip crate finds the data.
                let Ok(FromTail::Complete(directory)) =
                    Directory::from_tail(zip.len() as u64, &zip)
                else {
                    panic!("{case}: a directory");
                };
                let mut archive = ZipArchive::new(Cursor::new(&zip[..])).unwrap();
                for entry in directory.entries() {
                    let theirs = archive.by_name(entry.name()).unwrap();
                    let start = theirs.data_start().unwrap();
                    let range = entry.local_header_range();
                    let header = &zip[range.start as usize..range.end as usize];
                    let data = entry.data_range(header).unwrap();
                    assert_eq!(data, start..start + theirs.compressed_size(), "{case}");
                    assert_eq!(entry.crc32(), theirs.crc32());
                }
            }
        }
    }

    // A directory of 300 more entries with long names: longer than the first tail read.
    let mut entries = vec![
        (SESSION_ENTRY.to_owned(), json.into_bytes()),
        ("audio/a.wav".to_owned(), files[0].1.clone()),
        ("audio/b.flac".to_owned(), files[1].1.clone()),
    ];
    entries.extend((0..300).map(|i| (format!("junk/{i:0>300}"), Vec::new())));
    let entries: Vec<(&str, &[u8], CompressionMethod)> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice(), CompressionMethod::Deflated))
        .collect();
    let zip = zip_of(&entries);
    let len = zip.len() as u64;
    let tail = &zip[(len - tail_len(len)) as usize..];
    assert!(matches!(
        Directory::from_tail(len, tail),
        Ok(FromTail::NeedRange(_))
    ));
    assert!(read(&zip) == Ok(expected), "read in two steps");
}

//! The project bundle (`.mixroom`): a zip archive that moves a whole project between computers.
//!
//! | entry | what | compression |
//! |---|---|---|
//! | `session.json` | the session ([`Session::to_json`]), each file source pointing at its entry | deflate |
//! | `audio/<name>` | each audio file in its original encoding, byte for byte | stored |
//!
//! Reading accepts stored and deflated entries (what any zip tool writes by default), applies
//! the session's migrations ([`Session::from_json`]) and checks every audio file against its
//! SHA-256. Other entries are ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{Cursor, Read, Write};

use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::hash::sha256_hex;
use crate::session::{FileSource, Session, SessionError, Source};

/// Name of the session entry.
pub const SESSION_ENTRY: &str = "session.json";

/// Folder of the audio entries.
pub const AUDIO_FOLDER: &str = "audio/";

/// Most bytes the entries of a bundle may unpack to, together (declared sizes): 4 GiB.
pub const MAX_BUNDLE_BYTES: u64 = 4 << 30;

/// Most bytes `session.json` may unpack to: 16 MiB (a full 64-track session is under 1 MiB).
pub const MAX_SESSION_BYTES: u64 = 16 << 20;

/// A project read from a bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// The session, migrated to the current version; its file sources' paths are keys of
    /// `files`.
    pub session: Session,
    /// The audio files the session refers to: entry path (`audio/<name>`) → the file's bytes.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A bundle as written, and the session inside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// The `.mixroom` file's bytes.
    pub bytes: Vec<u8>,
    /// The session as stored in the bundle: each file source's path is its entry
    /// (`audio/<name>`), and its SHA-256 is filled in when it was missing.
    pub session: Session,
}

/// Why a bundle could not be written or read. `Display` is for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum BundleError {
    /// Not a zip archive, or its directory is damaged.
    NotABundle,
    /// The archive has no `session.json`.
    NoSession,
    /// A file the session refers to is not in the bundle (or, when writing, was not given).
    MissingAudio {
        /// The file's path as the session names it.
        path: String,
    },
    /// An audio file's bytes do not have the SHA-256 the session records.
    ChecksumMismatch {
        /// The file's path as the session names it.
        path: String,
    },
    /// An entry cannot be unpacked: its data or its CRC-32 is wrong.
    DamagedEntry {
        /// The entry's name.
        entry: String,
    },
    /// An entry is compressed or encrypted in a way Mixroom does not read.
    Unsupported {
        /// The entry's name.
        entry: String,
    },
    /// The entries unpack to more than [`MAX_BUNDLE_BYTES`] (or `session.json` to more than
    /// [`MAX_SESSION_BYTES`]).
    TooLarge,
    /// The session inside is refused.
    Refused(SessionError),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::NotABundle => write!(
                f,
                "this file is not a Mixroom project (.mixroom), or it is damaged"
            ),
            BundleError::NoSession => write!(
                f,
                "this project file has no session inside ({SESSION_ENTRY} is missing)"
            ),
            BundleError::MissingAudio { path } => {
                write!(f, "the audio file \"{path}\" is missing from the project")
            }
            BundleError::ChecksumMismatch { path } => write!(
                f,
                "the audio file \"{path}\" in the project does not match its checksum: it was \
                 changed or damaged"
            ),
            BundleError::DamagedEntry { entry } => {
                write!(f, "\"{entry}\" in this project file is damaged")
            }
            BundleError::Unsupported { entry } => write!(
                f,
                "\"{entry}\" in this project file is compressed or encrypted in a way Mixroom \
                 cannot read"
            ),
            BundleError::TooLarge => write!(
                f,
                "this project file unpacks to more than Mixroom accepts (4 GiB in all)"
            ),
            BundleError::Refused(why) => {
                write!(f, "the session in this project cannot be opened: {why}")
            }
        }
    }
}

impl std::error::Error for BundleError {}

/// A bundle of `session` and its audio. `files` pairs each file source's path, as `session`
/// names it, with the file's bytes; several tracks may share one. Files whose names collide
/// get distinct entries (`bass.wav`, `bass (2).wav`; compared ignoring case). Files given
/// that no track uses are left out.
///
/// Errors: [`BundleError::MissingAudio`] when a file source's path is not in `files`,
/// [`BundleError::ChecksumMismatch`] when its bytes do not have the SHA-256 the session records,
/// [`BundleError::TooLarge`] past [`MAX_BUNDLE_BYTES`].
pub fn write(session: &Session, files: &[(&str, &[u8])]) -> Result<Written, BundleError> {
    let given: BTreeMap<&str, &[u8]> = files.iter().copied().collect();
    let mut stored = session.clone();
    // Each file once, in the order the tracks first use it.
    let mut entries: Vec<Entry> = Vec::new();
    let mut taken = BTreeSet::new();
    let mut total: u64 = 0;
    for track in &mut stored.tracks {
        let Source::File(file) = &mut track.source else {
            continue;
        };
        let position = match entries.iter().position(|e| e.source_path == file.path) {
            Some(position) => position,
            None => {
                let bytes =
                    *given
                        .get(file.path.as_str())
                        .ok_or_else(|| BundleError::MissingAudio {
                            path: file.path.clone(),
                        })?;
                total = total.saturating_add(bytes.len() as u64);
                entries.push(Entry {
                    source_path: file.path.clone(),
                    name: unique_entry(file.name(), &mut taken),
                    sha256: sha256_hex(bytes),
                    bytes,
                });
                entries.len() - 1
            }
        };
        let entry = &entries[position];
        if let Some(expected) = &file.sha256 {
            if !expected.eq_ignore_ascii_case(&entry.sha256) {
                return Err(BundleError::ChecksumMismatch {
                    path: file.path.clone(),
                });
            }
        }
        *file = FileSource {
            path: entry.name.clone(),
            sha256: Some(entry.sha256.clone()),
        };
    }
    let json = stored.to_json();
    if total.saturating_add(json.len() as u64) > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }

    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let written = (|| -> Result<Vec<u8>, ZipError> {
        zip.start_file(SESSION_ENTRY, deflated)?;
        zip.write_all(json.as_bytes())?;
        for entry in &entries {
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .large_file(entry.bytes.len() as u64 >= u64::from(u32::MAX));
            zip.start_file(entry.name.as_str(), options)?;
            zip.write_all(entry.bytes)?;
        }
        Ok(zip.finish()?.into_inner())
    })();
    // Writing into memory fails only on sizes, which are checked above.
    let bytes = written.map_err(|_| BundleError::TooLarge)?;
    Ok(Written {
        bytes,
        session: stored,
    })
}

/// One audio file of a bundle being written.
struct Entry<'a> {
    /// The path the session gave.
    source_path: String,
    /// Its entry, `audio/<name>`.
    name: String,
    /// SHA-256 of `bytes`, hex.
    sha256: String,
    bytes: &'a [u8],
}

/// `audio/<name>`, or `audio/<stem> (n).<ext>` with the smallest n ≥ 2 not yet `taken`
/// (compared in lower case). A name that is empty or a dot folder becomes `audio`.
fn unique_entry(name: &str, taken: &mut BTreeSet<String>) -> String {
    let name = match name {
        "" | "." | ".." => "audio",
        name => name,
    };
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    };
    let mut candidate = format!("{AUDIO_FOLDER}{name}");
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{AUDIO_FOLDER}{stem} ({n}){ext}");
        n += 1;
    }
    candidate
}

/// The project in the `.mixroom` file `bytes`.
pub fn read(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| BundleError::NotABundle)?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| BundleError::NotABundle)?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }

    let json = match read_entry(&mut zip, SESSION_ENTRY, MAX_SESSION_BYTES) {
        Err(BundleError::MissingAudio { .. }) => return Err(BundleError::NoSession),
        other => other?,
    };
    let json = String::from_utf8(json).map_err(|_| {
        BundleError::Refused(SessionError::Malformed("it is not UTF-8 text".to_owned()))
    })?;
    let session = Session::from_json(&json).map_err(BundleError::Refused)?;

    let mut files = BTreeMap::new();
    for track in &session.tracks {
        let Source::File(file) = &track.source else {
            continue;
        };
        if files.contains_key(&file.path) {
            continue;
        }
        let data = read_entry(&mut zip, &file.path, MAX_BUNDLE_BYTES)?;
        if let Some(expected) = &file.sha256 {
            if !expected.eq_ignore_ascii_case(&sha256_hex(&data)) {
                return Err(BundleError::ChecksumMismatch {
                    path: file.path.clone(),
                });
            }
        }
        files.insert(file.path.clone(), data);
    }
    Ok(Bundle { session, files })
}

/// The bytes of entry `name`, unpacked and checked against its CRC-32. A missing entry is
/// [`BundleError::MissingAudio`]; the caller renames it when it is the session.
fn read_entry(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, BundleError> {
    let damaged = || BundleError::DamagedEntry {
        entry: name.to_owned(),
    };
    let mut entry = match zip.by_name(name) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => {
            return Err(BundleError::MissingAudio {
                path: name.to_owned(),
            })
        }
        Err(ZipError::UnsupportedArchive(_) | ZipError::InvalidPassword) => {
            return Err(BundleError::Unsupported {
                entry: name.to_owned(),
            })
        }
        Err(_) => return Err(damaged()),
    };
    let declared = entry.size();
    if declared > max_bytes {
        return Err(BundleError::TooLarge);
    }
    let mut data = Vec::new();
    // One byte more than declared: an entry that unpacks to more than it says is damaged.
    (&mut entry)
        .take(declared + 1)
        .read_to_end(&mut data)
        .map_err(|_| damaged())?;
    if data.len() as u64 != declared {
        return Err(damaged());
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::benchmark;

    const BASS: &[u8] = b"RIFF fake wav bytes \x00\x01\x02\xff";
    const GUITAR: &[u8] = b"fLaC fake flac bytes, not compressible twice";

    /// Three tracks on two files (two tracks share the bass), plus a demo stem.
    fn project() -> Session {
        let mut session = benchmark(4, false);
        let file = |path: &str| {
            Source::File(FileSource {
                path: path.into(),
                sha256: None,
            })
        };
        session.tracks[0].source = file("/home/me/stems/bass.wav");
        session.tracks[1].source = file("/home/me/stems/bass.wav");
        session.tracks[2].source = file("D:\\takes\\gtr.flac");
        session.tracks[3].source = Source::Demo("kick".into());
        session
    }

    fn files() -> Vec<(&'static str, &'static [u8])> {
        vec![
            ("/home/me/stems/bass.wav", BASS),
            ("D:\\takes\\gtr.flac", GUITAR),
            ("unused.wav", b"not in any track"),
        ]
    }

    /// A zip with the given entries (name, bytes, stored or deflated).
    fn zip_of(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes, method) in entries {
            let options = SimpleFileOptions::default().compression_method(*method);
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn write_then_read_gives_the_project_back_byte_for_byte() {
        // Reference: the bytes given to `write` and `Written::session`.
        let written = write(&project(), &files()).unwrap();
        let bundle = read(&written.bytes).unwrap();
        assert_eq!(bundle.session, written.session);
        let paths: Vec<&str> = bundle.files.keys().map(String::as_str).collect();
        assert_eq!(paths, ["audio/bass.wav", "audio/gtr.flac"]);
        assert_eq!(bundle.files["audio/bass.wav"], BASS);
        assert_eq!(bundle.files["audio/gtr.flac"], GUITAR);
        let tracks = &bundle.session.tracks;
        assert_eq!(
            tracks[0].source, tracks[1].source,
            "one entry for a shared file"
        );
        let Source::File(bass) = &tracks[0].source else {
            panic!("a file source")
        };
        assert_eq!(bass.sha256.as_deref(), Some(sha256_hex(BASS).as_str()));
        assert_eq!(tracks[3].source, Source::Demo("kick".into()));
        assert_eq!(tracks[0].strip, project().tracks[0].strip);

        let mut archive = ZipArchive::new(Cursor::new(&written.bytes[..])).unwrap();
        let audio = archive.by_name("audio/gtr.flac").unwrap();
        assert_eq!(audio.compression(), CompressionMethod::Stored);
        assert_eq!(audio.compressed_size(), GUITAR.len() as u64);
        drop(audio);
        let names: Vec<&str> = archive.file_names().collect();
        assert_eq!(names.len(), 3, "the unused file is left out: {names:?}");
    }

    #[test]
    fn colliding_names_get_distinct_entries() {
        // Reference: the rule on `write`: "bass.wav", "bass (2).wav", case ignored.
        let mut session = project();
        session.tracks[1].source = Source::File(FileSource {
            path: "other/BASS.wav".into(),
            sha256: None,
        });
        let mut given = files();
        given.push(("other/BASS.wav", GUITAR));
        let bundle = read(&write(&session, &given).unwrap().bytes).unwrap();
        let paths: Vec<&str> = bundle.files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            ["audio/BASS (2).wav", "audio/bass.wav", "audio/gtr.flac"]
        );
        assert_eq!(bundle.files["audio/BASS (2).wav"], GUITAR);
        let mut taken = BTreeSet::new();
        let names: Vec<String> = ["a", "a", ".wav", "", ".."]
            .iter()
            .map(|n| unique_entry(n, &mut taken))
            .collect();
        assert_eq!(
            names,
            [
                "audio/a",
                "audio/a (2)",
                "audio/.wav",
                "audio/audio",
                "audio/audio (2)"
            ]
        );
    }

    #[test]
    fn a_version_1_session_inside_migrates() {
        // Reference: migrate.rs (version 1 named a file by a bare path).
        let v1 = r#"{ "version": 1,
            "tracks": [ { "name": "Bass", "source": { "file": "audio/bass.wav" },
                          "params": { "gain_db": -6.0 } } ] }"#;
        let zip = zip_of(&[
            (SESSION_ENTRY, v1.as_bytes(), CompressionMethod::Deflated),
            ("audio/bass.wav", BASS, CompressionMethod::Deflated),
        ]);
        let bundle = read(&zip).unwrap();
        assert_eq!(bundle.session.version, 2);
        assert_eq!(bundle.session.tracks[0].source_name(), "bass.wav");
        assert_eq!(bundle.files["audio/bass.wav"], BASS);
    }

    #[test]
    fn each_problem_gets_its_error() {
        // Reference: the BundleError variants.
        let session_json = |s: &Session| s.to_json().into_bytes();
        let deflated = CompressionMethod::Deflated;
        let written = write(&project(), &files()).unwrap();

        assert_eq!(read(b""), Err(BundleError::NotABundle));
        assert_eq!(read(b"PK\x03\x04 not really"), Err(BundleError::NotABundle));
        assert_eq!(
            read(&written.bytes[..written.bytes.len() / 2]),
            Err(BundleError::NotABundle)
        );

        let no_session = zip_of(&[("audio/bass.wav", BASS, deflated)]);
        assert_eq!(read(&no_session), Err(BundleError::NoSession));

        let without_audio = zip_of(&[(SESSION_ENTRY, &session_json(&written.session), deflated)]);
        let missing = BundleError::MissingAudio {
            path: "audio/bass.wav".into(),
        };
        assert_eq!(read(&without_audio), Err(missing));

        let mut swapped = written.session.clone();
        swapped.tracks.truncate(1);
        let swapped = zip_of(&[
            (SESSION_ENTRY, &session_json(&swapped), deflated),
            ("audio/bass.wav", GUITAR, CompressionMethod::Stored),
        ]);
        let mismatch = BundleError::ChecksumMismatch {
            path: "audio/bass.wav".into(),
        };
        assert_eq!(read(&swapped), Err(mismatch.clone()));

        let mut damaged = written.bytes.clone();
        let at = damaged.windows(BASS.len()).position(|w| w == BASS).unwrap();
        damaged[at] ^= 1;
        let damaged_entry = BundleError::DamagedEntry {
            entry: "audio/bass.wav".into(),
        };
        assert_eq!(read(&damaged), Err(damaged_entry), "CRC-32 catches it");

        let refused = zip_of(&[(SESSION_ENTRY, br#"{"version": 7, "tracks": []}"#, deflated)]);
        let too_new = BundleError::Refused(SessionError::TooNew { found: 7 });
        assert_eq!(read(&refused), Err(too_new));
        let not_text = zip_of(&[(SESSION_ENTRY, b"\xff\xfe", deflated)]);
        assert!(matches!(
            read(&not_text),
            Err(BundleError::Refused(SessionError::Malformed(_)))
        ));

        // Sizes declared in the central directory (uncompressed size: offset 24 of each
        // header), as a zip bomb would declare them.
        let declare = |zip: &mut Vec<u8>, size: u32| {
            let headers: Vec<usize> = (0..zip.len() - 4)
                .filter(|&i| zip[i..i + 4] == *b"PK\x01\x02")
                .collect();
            for at in headers {
                zip[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
            }
        };
        let stored = CompressionMethod::Stored;
        let mut two_4_gib = zip_of(&[(SESSION_ENTRY, b"{}", stored), ("a", b"", stored)]);
        declare(&mut two_4_gib, u32::MAX - 1);
        assert_eq!(read(&two_4_gib), Err(BundleError::TooLarge));
        let mut long_session = zip_of(&[(SESSION_ENTRY, b"{}", stored)]);
        declare(&mut long_session, MAX_SESSION_BYTES as u32 + 1);
        assert_eq!(read(&long_session), Err(BundleError::TooLarge));
        let mut short_session = zip_of(&[(SESSION_ENTRY, b"{}", stored)]);
        declare(&mut short_session, 1);
        let damaged_session = BundleError::DamagedEntry {
            entry: SESSION_ENTRY.into(),
        };
        assert_eq!(
            read(&short_session),
            Err(damaged_session),
            "a size that lies"
        );

        // Compression method 12 (bzip2), in the local (offset 8) and central (offset 10) headers.
        let mut bzip2 = zip_of(&[(SESSION_ENTRY, b"{}", stored)]);
        let at = |zip: &[u8], magic: &[u8]| zip.windows(4).position(|w| w == magic).unwrap();
        let (local, central) = (at(&bzip2, b"PK\x03\x04"), at(&bzip2, b"PK\x01\x02"));
        bzip2[local + 8] = 12;
        bzip2[central + 10] = 12;
        let unsupported = BundleError::Unsupported {
            entry: SESSION_ENTRY.into(),
        };
        assert_eq!(read(&bzip2), Err(unsupported));

        let unknown = write(&project(), &files()[..1]).unwrap_err();
        assert_eq!(
            unknown,
            BundleError::MissingAudio {
                path: "D:\\takes\\gtr.flac".into()
            }
        );
        let mut wrong = project();
        if let Source::File(file) = &mut wrong.tracks[2].source {
            file.sha256 = Some(sha256_hex(BASS));
        }
        let err = write(&wrong, &files()).unwrap_err();
        assert_eq!(
            err,
            BundleError::ChecksumMismatch {
                path: "D:\\takes\\gtr.flac".into()
            }
        );
    }

    #[test]
    fn messages_name_the_project_and_what_is_wrong() {
        // Reference: the house rule, one sentence that names the thing and what is wrong.
        let path = || "audio/bass.wav".to_owned();
        let entry = path;
        let refused = BundleError::Refused(SessionError::TooNew { found: 7 });
        for (err, words) in [
            (BundleError::NotABundle, "not a Mixroom project"),
            (BundleError::NoSession, "no session"),
            (
                BundleError::MissingAudio { path: path() },
                "\"audio/bass.wav\" is missing",
            ),
            (
                BundleError::ChecksumMismatch { path: path() },
                "does not match its checksum",
            ),
            (
                BundleError::DamagedEntry { entry: entry() },
                "\"audio/bass.wav\" in this",
            ),
            (BundleError::Unsupported { entry: entry() }, "cannot read"),
            (BundleError::TooLarge, "4 GiB"),
            (refused, "saved by a newer Mixroom"),
        ] {
            let text = err.to_string();
            assert!(text.contains("project") && text.contains(words), "{text}");
        }
    }
}

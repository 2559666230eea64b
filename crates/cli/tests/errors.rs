//! Bad input through the binary: every failure is one line on stderr, `mixroom: ...`, naming
//! the file or track and what is wrong, with exit code 1 (2 for a wrong command line or a file
//! over the memory budget).

use std::path::{Path, PathBuf};
use std::process::Command;

use mixroom_protocol::session::{FileSource, Source};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mixroom-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs mixroom with `args`; returns the exit code and stderr, which must be lines that each
/// start with "mixroom: ".
fn mixroom(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mixroom"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    for line in stderr.lines() {
        assert!(line.starts_with("mixroom: "), "{stderr}");
    }
    (output.status.code().unwrap(), stderr)
}

/// Asserts that `mixroom args` fails with `code` and one stderr line containing `expected`.
fn fails(args: &[&str], code: i32, expected: &str) {
    let (got, stderr) = mixroom(args);
    assert_eq!(got, code, "mixroom {args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(expected),
        "{stderr} should say {expected:?}"
    );
}

/// A 16-bit stereo WAV file of `frames` frames at `rate_hz`.
fn write_wav(path: &Path, rate_hz: u32, frames: usize) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for n in 0..frames * 2 {
        writer.write_sample((n % 2000) as i16 - 1000).unwrap();
    }
    writer.finalize().unwrap();
}

/// Writes a one-track session ("Kick") playing `source` into `dir`; returns its path.
fn session_with(dir: &Path, name: &str, source: Source) -> String {
    let mut session = mixroom_demo::session();
    session.tracks.truncate(1);
    session.tracks[0].source = source;
    let path = dir.join(name);
    std::fs::write(&path, session.to_json()).unwrap();
    path.to_str().unwrap().to_owned()
}

fn file(path: &str) -> Source {
    Source::File(FileSource {
        path: path.to_owned(),
        sha256: None,
    })
}

#[test]
fn command_line_mistakes_exit_with_2() {
    fails(&["mix"], 2, "unknown command \"mix\"");
    fails(
        &["render", "s.json", "-o", "o.wav", "--loud"],
        2,
        "unknown option --loud",
    );
    fails(&["render", "s.json"], 2, "no output given");
    fails(&["loudness", "--all"], 2, "unknown option --all");
    fails(&["demo"], 2, "no folder given");
    fails(
        &["demo", "-o", "d", "--sample-rate", "200000"],
        2,
        "--sample-rate takes 8000 to 192000 Hz, not \"200000\"",
    );
    let help = " (`mixroom help` shows the usage)";
    fails(
        &["bench", "--tracks", "257"],
        2,
        &format!("mixroom: --tracks takes 1 to 256 tracks, not \"257\"{help}"),
    );
    fails(
        &["bench", "--tracks", "0"],
        2,
        "--tracks takes 1 to 256 tracks, not \"0\"",
    );
    for seconds in ["0", "600.001", "-5", "NaN"] {
        fails(
            &["bench", "--seconds", seconds],
            2,
            &format!("--seconds takes more than 0 and at most 600 seconds, not \"{seconds}\""),
        );
    }
}

#[test]
fn render_options_are_bounded() {
    // Refused before the session is read, whatever the order of the options.
    let render = |options: &[&str], expected: &str| {
        let mut args = vec!["render", "no-such-session.json", "-o", "out.wav"];
        args.extend(options);
        fails(&args, 2, expected)
    };
    for block in ["0", "4097", "1000000000000"] {
        render(
            &["--block", block],
            &format!("--block takes 1 to 4096 frames, not \"{block}\""),
        );
    }
    render(
        &["--frames", "4147200001"],
        "--frames takes at most 24 hours at the render rate (4147200000 frames at 48000 Hz), \
         not \"4147200001\"",
    );
    render(
        &["--frames", "16588800001", "--sample-rate", "192000"],
        "(16588800000 frames at 192000 Hz), not \"16588800001\"",
    );
    render(
        &["--frames", "-1"],
        "--frames takes a whole number, not \"-1\"",
    );
    render(
        &["--sample-rate", "192001"],
        "--sample-rate takes 8000 to 192000 Hz, not \"192001\"",
    );
    // At the limits, the options are taken (and the missing session is what fails).
    fails(
        &[
            "render",
            "no-such-session.json",
            "-o",
            "out.wav",
            "--block",
            "4096",
            "--frames",
            "4147200000",
        ],
        1,
        "cannot find no-such-session.json",
    );
    let (code, stdout) = {
        let output = Command::new(env!("CARGO_BIN_EXE_mixroom"))
            .arg("help")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    assert_eq!(code, Some(0));
    assert!(stdout.contains("mixroom loudness FILE..."));
}

#[test]
fn bad_sessions_and_bad_audio_name_the_track_and_the_file() {
    let dir = temp_dir("errors");
    let d = dir.to_str().unwrap();
    let out = dir.join("out.wav");
    let out = out.to_str().unwrap();
    let render = |session: &str, code: i32, expected: &str| {
        fails(&["render", session, "-o", out], code, expected)
    };

    // The session itself.
    render(
        &format!("{d}/none.json"),
        1,
        &format!("cannot find {d}/none.json"),
    );
    render(d, 1, &format!("{d} is a folder, not a session file"));
    std::fs::write(dir.join("song.mixroom"), b"PK\x03\x04....").unwrap();
    render(
        &format!("{d}/song.mixroom"),
        1,
        "is not a Mixroom project (.mixroom), or it is damaged",
    );
    std::fs::write(dir.join("bad.json"), b"{\"version\": 2, \"tracks\": 7}").unwrap();
    render(&format!("{d}/bad.json"), 1, "is not a Mixroom session");

    // A track's audio.
    let missing = session_with(&dir, "missing.json", file("kick.wav"));
    render(
        &missing,
        1,
        &format!("track \"Kick\": cannot find {d}/kick.wav"),
    );
    std::fs::create_dir_all(dir.join("folder.wav")).unwrap();
    let folder = session_with(&dir, "folder.json", file("folder.wav"));
    render(
        &folder,
        1,
        &format!("track \"Kick\": {d}/folder.wav is a folder"),
    );
    std::fs::write(dir.join("empty.wav"), b"").unwrap();
    let empty = session_with(&dir, "empty.json", file("empty.wav"));
    render(
        &empty,
        1,
        &format!("track \"Kick\": {d}/empty.wav is empty"),
    );
    std::fs::write(dir.join("x.mp3"), b"These are my notes for the mix.\n").unwrap();
    let text = session_with(&dir, "text.json", file("x.mp3"));
    render(
        &text,
        1,
        &format!("track \"Kick\": {d}/x.mp3 is not an audio file"),
    );
    write_wav(&dir.join("whole.wav"), 48_000, 10_000);
    let whole = std::fs::read(dir.join("whole.wav")).unwrap();
    std::fs::write(dir.join("cut.wav"), &whole[..whole.len() / 2]).unwrap();
    let cut = session_with(&dir, "cut.json", file("cut.wav"));
    render(&cut, 1, &format!("track \"Kick\": {d}/cut.wav ends early"));
    let demo = session_with(&dir, "demo.json", Source::Demo("cowbell".to_owned()));
    render(
        &demo,
        1,
        "track \"Kick\" uses the demo stem \"cowbell\", which the demo song does not have",
    );
    let url = session_with(
        &dir,
        "url.json",
        Source::Url("https://example.com/a.wav".to_owned()),
    );
    render(&url, 1, "download it and point the session at the file");

    // loudness: each bad file gets its line, exit 1.
    let (code, stderr) = mixroom(&[
        "loudness",
        &format!("{d}/empty.wav"),
        &format!("{d}/x.mp3"),
        &format!("{d}/cut.wav"),
        &format!("{d}/folder.wav"),
        &format!("{d}/none.wav"),
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!("mixroom: {d}/empty.wav is empty"),
            format!(
                "mixroom: {d}/x.mp3 is not an audio file Mixroom can read (WAV, AIFF, FLAC, \
                 MP3, Ogg Vorbis, or AAC/ALAC in MP4)"
            ),
            format!("mixroom: {d}/cut.wav ends early: the file is cut short"),
            format!("mixroom: {d}/folder.wav is a folder, not an audio file"),
            format!("mixroom: cannot find {d}/none.wav"),
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn memory_is_bounded_by_the_budget_not_by_the_file() {
    // Reference: issue 23. 20 s of stereo at 48 kHz decodes to 7.3 MiB of f32 samples (more
    // as its Vecs grow): over a 4 MiB budget, refused with one line and exit 2 before the
    // memory is asked for; a render of its first 0.1 s decodes only that and passes.
    let dir = temp_dir("budget");
    write_wav(&dir.join("long.wav"), 48_000, 20 * 48_000);
    let session = session_with(&dir, "s.json", file("long.wav"));
    let out = dir.join("out.wav");
    let out = out.to_str().unwrap();
    fails(
        &["render", &session, "-o", out, "--max-memory", "4M"],
        2,
        "long.wav needs more than 4 MiB of memory for its samples",
    );
    let (code, stderr) = mixroom(&[
        "render",
        &session,
        "-o",
        out,
        "--max-memory",
        "4M",
        "--frames",
        "4800",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(hound::WavReader::open(out).unwrap().duration(), 4800);
    fails(
        &["render", &session, "-o", out, "--max-memory", "lots"],
        2,
        "--max-memory takes a size",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_budget_bounds_the_files_together() {
    // Reference: issue 23. Two files of 3 MiB of f32 samples each fit a 5 MiB budget alone,
    // not together: the second is refused, naming what the first one takes.
    let dir = temp_dir("together");
    for name in ["a.wav", "b.wav"] {
        write_wav(&dir.join(name), 48_000, 393_216);
    }
    let mut session = mixroom_demo::session();
    session.tracks.truncate(2);
    session.tracks[0].source = file("a.wav");
    session.tracks[1].source = file("b.wav");
    let both = dir.join("both.json");
    std::fs::write(&both, session.to_json()).unwrap();
    let one = session_with(&dir, "one.json", file("b.wav"));
    let out = dir.join("out.wav");
    let out = out.to_str().unwrap();
    let (code, stderr) = mixroom(&["render", &one, "-o", out, "--max-memory", "5M"]);
    assert_eq!(code, 0, "{stderr}");
    fails(
        &[
            "render",
            both.to_str().unwrap(),
            "-o",
            out,
            "--max-memory",
            "5M",
        ],
        2,
        "b.wav needs more memory for its samples than the budget of 5 MiB leaves beside the 3 \
         MiB that the audio before it takes",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Bits written most significant first, for [`silent_flac`].
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    used: u32,
}

impl Bits {
    /// Appends the low `count` bits of `value`.
    fn put(&mut self, value: u64, count: u32) {
        for bit in (0..count).rev() {
            if self.used.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let last = self.bytes.last_mut().unwrap();
            *last |= (((value >> bit) & 1) as u8) << (7 - self.used % 8);
            self.used += 1;
        }
    }
}

/// A CRC of `bits` bits (8 or 16), most significant bit first, of polynomial `poly` (its
/// x^bits term left out) and initial value 0: FLAC's frame header CRC-8 (`0x07`: x^8 + x^2 +
/// x + 1) and frame CRC-16 (`0x8005`: x^16 + x^15 + x^2 + 1).
fn crc(bytes: &[u8], bits: u32, poly: u32) -> u32 {
    let (top, mask) = (1 << (bits - 1), (1 << bits) - 1);
    bytes.iter().fold(0, |mut crc, &byte| {
        crc ^= u32::from(byte) << (bits - 8);
        for _ in 0..8 {
            crc = if crc & top != 0 {
                ((crc << 1) ^ poly) & mask
            } else {
                (crc << 1) & mask
            };
        }
        crc
    })
}

/// A FLAC file of `seconds` of 16-bit stereo silence at 48 kHz, in frames of one second whose
/// subframes are constant (three bytes each): 18 bytes a second, so six hours take 0.4 MB and
/// decode to 8 GB of f32 samples. Written by hand after the FLAC format (RFC 9639), as a
/// stranger's small file that asks for a lot of memory.
fn silent_flac(seconds: u32) -> Vec<u8> {
    const RATE_HZ: u64 = 48_000;
    let mut file = b"fLaC".to_vec();
    let mut info = Bits::default();
    info.put(1, 1); // The last metadata block,
    info.put(0, 7); // STREAMINFO,
    info.put(34, 24); // of 34 bytes:
    info.put(RATE_HZ, 16); // smallest block, frames
    info.put(RATE_HZ, 16); // largest block, frames
    info.put(0, 24); // smallest frame, bytes (unknown)
    info.put(0, 24); // largest frame, bytes (unknown)
    info.put(RATE_HZ, 20);
    info.put(2 - 1, 3); // channels − 1
    info.put(16 - 1, 5); // bits per sample − 1
    info.put(u64::from(seconds) * RATE_HZ, 36);
    info.put(0, 64); // MD5 of the samples: not computed
    info.put(0, 64);
    file.extend(info.bytes);
    for second in 0..seconds {
        let mut frame = Bits::default();
        frame.put(0b11_1111_1111_1110, 14); // sync code
        frame.put(0, 1);
        frame.put(0, 1); // fixed block size: the frame's number follows
        frame.put(0b0111, 4); // the block size − 1 follows in 16 bits
        frame.put(0b1010, 4); // 48 kHz
        frame.put(0b0001, 4); // left, right
        frame.put(0b100, 3); // 16 bits per sample
        frame.put(0, 1);
        // The frame's number, UTF-8 coded (three bytes below 2^16).
        let n = u64::from(second);
        assert!(n < 1 << 16);
        frame.put(0b1110_0000 | (n >> 12), 8);
        frame.put(0b1000_0000 | ((n >> 6) & 0x3f), 8);
        frame.put(0b1000_0000 | (n & 0x3f), 8);
        frame.put(RATE_HZ - 1, 16);
        let header_crc = crc(&frame.bytes, 8, 0x07);
        frame.put(u64::from(header_crc), 8);
        for _channel in 0..2 {
            frame.put(0, 8); // padding bit, CONSTANT subframe, no wasted bits
            frame.put(0, 16); // the sample
        }
        let frame_crc = crc(&frame.bytes, 16, 0x8005);
        frame.put(u64::from(frame_crc), 16);
        file.extend(frame.bytes);
    }
    file
}

#[test]
fn a_small_flac_of_hours_renders_its_first_second_and_is_refused_whole() {
    // Reference: issue 23. Six hours of silence at 48 kHz in 0.4 MB of FLAC: a render of its
    // first second decodes only that second; the whole file needs 8 GB of samples and is
    // refused with one line and exit 2 (here under a budget of 64 MiB, so that the test does
    // not fill memory up to the default 4 GiB first).
    let dir = temp_dir("flac-hours");
    let flac = silent_flac(6 * 3_600);
    assert!(flac.len() < 512 << 10, "{} bytes", flac.len());
    std::fs::write(dir.join("hours.flac"), flac).unwrap();
    let session = session_with(&dir, "s.json", file("hours.flac"));
    let out = dir.join("out.wav");
    let out = out.to_str().unwrap();
    let (code, stderr) = mixroom(&["render", &session, "-o", out, "--frames", "48000"]);
    assert_eq!(code, 0, "{stderr}");
    let mut rendered = hound::WavReader::open(out).unwrap();
    assert_eq!(rendered.duration(), 48_000);
    assert!(rendered.samples::<f32>().all(|s| s.unwrap() == 0.0));
    fails(
        &["render", &session, "-o", out, "--max-memory", "64M"],
        2,
        "hours.flac needs more than 64 MiB of memory for its samples",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_session_reads_files_only_inside_its_folder() {
    // Reference: path traversal (CWE-22). A stranger's session naming a file outside its
    // folder is refused by name; --allow-paths-outside reads it.
    let dir = temp_dir("outside");
    let inner = dir.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    write_wav(&dir.join("secret.wav"), 48_000, 4_800);
    let session = session_with(&inner, "s.json", file("../secret.wav"));
    let out = dir.join("out.wav");
    let out = out.to_str().unwrap();
    fails(
        &["render", &session, "-o", out],
        1,
        "../secret.wav climbs out of its folder (..)",
    );
    let absolute = dir.join("secret.wav");
    let session = session_with(&inner, "abs.json", file(absolute.to_str().unwrap()));
    fails(&["render", &session, "-o", out], 1, "is an absolute path");
    let (code, stderr) = mixroom(&["render", &session, "-o", out, "--allow-paths-outside"]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_at_another_rate_is_resampled_with_a_note() {
    let dir = temp_dir("resampled");
    write_wav(&dir.join("a.wav"), 44_100, 44_100);
    let session = session_with(&dir, "s.json", file("a.wav"));
    let out = dir.join("out.wav");
    let (code, stderr) = mixroom(&["render", &session, "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "mixroom: note: track \"Kick\": a.wav is at 44100 Hz, resampled to 48000 Hz\n"
    );
    let reader = hound::WavReader::open(&out).unwrap();
    assert_eq!(reader.spec().sample_rate, 48_000);
    assert_eq!(reader.duration(), 48_000, "1 s at 48 kHz");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rf64_input_is_named_as_such() {
    // symphonia 0.6 reads no RF64 (EBU Tech 3306, what `render` writes over 4 GiB): the file
    // is refused by its signature, with a reason, not as "not an audio file".
    let dir = temp_dir("rf64-in");
    write_wav(&dir.join("a.wav"), 48_000, 100);
    let mut bytes = std::fs::read(dir.join("a.wav")).unwrap();
    bytes[..8].copy_from_slice(b"RF64\xff\xff\xff\xff");
    std::fs::write(dir.join("big.wav"), bytes).unwrap();
    let big = dir.join("big.wav");
    let big = big.to_str().unwrap();
    fails(
        &["loudness", big],
        1,
        &format!(
            "mixroom: {big} is an RF64 file (a WAV over 4 GiB), which Mixroom cannot read yet"
        ),
    );
    let session = session_with(&dir, "s.json", file("big.wav"));
    let out = dir.join("out.wav");
    fails(
        &["render", &session, "-o", out.to_str().unwrap()],
        1,
        &format!("track \"Kick\": {big} is an RF64 file"),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_panic_in_the_decoder_is_one_line_and_exit_1() {
    // symphonia 0.6.1 computes a WAV's block align as channels × bytes per sample in 16 bits
    // (symphonia-format-riff, wave/chunks.rs:100): 32768 channels of 16 bits overflow it,
    // which panics where overflow checks are on, as in this test's build (`cargo xtask fuzz`
    // found it). The panic is caught: one line, no panic message, exit 1, and the other files
    // are still measured.
    if !cfg!(debug_assertions) {
        return; // without overflow checks the product wraps and nothing panics
    }
    let dir = temp_dir("crash");
    write_wav(&dir.join("good.wav"), 48_000, 4_800);
    let mut bytes = std::fs::read(dir.join("good.wav")).unwrap();
    assert_eq!(&bytes[20..24], [1, 0, 2, 0], "WAVE_FORMAT_PCM, 2 channels");
    bytes[22..24].copy_from_slice(&0x8000_u16.to_le_bytes());
    std::fs::write(dir.join("hostile.wav"), bytes).unwrap();
    let (hostile, good) = (dir.join("hostile.wav"), dir.join("good.wav"));
    let (hostile, good) = (hostile.to_str().unwrap(), good.to_str().unwrap());
    let crashed = format!(
        "{hostile} could not be decoded (the decoder crashed: attempt to multiply with \
         overflow); the file may be damaged"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_mixroom"))
        .args(["loudness", hostile, good])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!("mixroom: {crashed}\n")
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "the good file is measured: {stdout}"
    );
    let session = session_with(&dir, "s.json", file("hostile.wav"));
    let out = dir.join("out.wav");
    fails(
        &["render", &session, "-o", out.to_str().unwrap()],
        1,
        &format!("mixroom: track \"Kick\": {crashed}"),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

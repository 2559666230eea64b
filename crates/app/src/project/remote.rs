//! Audio by URL. A mix from outside (a link, a bundle) fetches nothing until the user agrees,
//! one answer per host ("This mix loads audio from audio.example.com: Load / Skip"); the hosts
//! agreed to are kept with the mix, so reopening it does not ask again. Remote audio loads in
//! the background while the rest of the mix plays: each fetch shows its progress, can be
//! cancelled, stops at [`Limits::max_bytes`], and gives up on a server that stalls or takes too
//! long. The fetches of one mix's audio hold at most [`Limits::max_set_bytes`] together (a
//! [`FetchSet`]), whatever the number of its tracks. Opening another mix cancels every fetch
//! still running.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::strips::StripIndex;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, File, ReadableStreamDefaultReader, RequestInit, RequestMode, Response,
};

use super::{Action, Notice, Project};
use crate::audio::import::import_file;
use crate::audio::{describe, get, sleep_ms};
use crate::persist::now_ms;

/// What a fetch may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Longest wait for the next bytes (or the answer), ms.
    pub stall_ms: f64,
    /// Longest a whole fetch may take, ms.
    pub total_ms: f64,
    /// Largest file, bytes.
    pub max_bytes: f64,
    /// Most that the files of one [`FetchSet`] may hold together, bytes.
    pub max_set_bytes: f64,
}

/// The limits of every fetch: 20 s without a byte, 10 min in all, 512 MiB, and 1 GiB for all
/// of one mix's audio by URL.
pub const LIMITS: Limits = Limits {
    stall_ms: 20_000.0,
    total_ms: 600_000.0,
    max_bytes: 512.0 * 1024.0 * 1024.0,
    max_set_bytes: 1024.0 * 1024.0 * 1024.0,
};

thread_local! {
    /// The limits in force ([`LIMITS`]; the end-to-end suite shortens them).
    static IN_FORCE: Cell<Limits> = const { Cell::new(LIMITS) };
}

/// Sets the limits of the fetches that start from now on (test hook).
#[cfg(feature = "e2e")]
pub fn set_limits(limits: Limits) {
    IN_FORCE.set(limits);
}

/// How often the watchdog looks at a fetch, ms.
const WATCH_EVERY_MS: i32 = 250;

/// Why a fetch stopped before the end, as the watchdog or the user decided.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stop {
    Stalled,
    TooLong,
    TooLarge,
    SetTooLarge,
    Cancelled,
}

impl Stop {
    /// Whether the fetch stopped for its size (the file's, or its set's).
    fn for_size(self) -> bool {
        matches!(self, Stop::TooLarge | Stop::SetTooLarge)
    }
}

/// Fetches whose files are kept together (one mix's audio by URL: the files stay in the page
/// as the tracks' origins), and the bytes they hold: declared by the servers, or received
/// when more. Each fetch counts itself in, and out again when it fails.
#[derive(Clone, Default)]
pub struct FetchSet(Rc<Cell<f64>>);

/// A fetch under way: what cancels it, why it stopped, and what it counts in its set.
#[derive(Clone)]
pub struct Fetching {
    controller: AbortController,
    stopped: Rc<Cell<Option<Stop>>>,
    set: FetchSet,
    counted: Rc<Cell<f64>>,
}

impl Fetching {
    /// A fetch not started yet, in a set of its own.
    pub fn new() -> Result<Fetching, String> {
        Fetching::in_set(&FetchSet::default())
    }

    /// A fetch not started yet, whose file counts in `set`.
    pub fn in_set(set: &FetchSet) -> Result<Fetching, String> {
        Ok(Fetching {
            controller: AbortController::new().map_err(|e| describe(&e))?,
            stopped: Rc::new(Cell::new(None)),
            set: set.clone(),
            counted: Rc::new(Cell::new(0.0)),
        })
    }

    /// Counts `bytes` of this fetch in its set (when more than counted so far): false, and
    /// nothing counted, when the set would pass `limits.max_set_bytes`.
    fn count(&self, bytes: f64, limits: &Limits) -> bool {
        let more = bytes - self.counted.get();
        if more <= 0.0 {
            return true;
        }
        let held = self.set.0.get() + more;
        if held > limits.max_set_bytes {
            return false;
        }
        self.set.0.set(held);
        self.counted.set(bytes);
        true
    }

    /// Takes this fetch's bytes out of its set (its file is not kept).
    fn release(&self) {
        self.set
            .0
            .set((self.set.0.get() - self.counted.get()).max(0.0));
        self.counted.set(0.0);
    }

    /// Stops the fetch; it ends with "cancelled".
    pub fn cancel(&self) {
        self.stop(Stop::Cancelled);
    }

    fn stop(&self, why: Stop) {
        if self.stopped.get().is_none() {
            self.stopped.set(Some(why));
        }
        self.controller.abort();
    }

    /// The reason the fetch ended early, for "could not be fetched from URL: …", when it did.
    fn reason(&self, limits: &Limits) -> Option<String> {
        self.stopped.get().map(|stop| match stop {
            Stop::Stalled => format!("the server sent nothing for {} s", seconds(limits.stall_ms)),
            Stop::TooLong => format!("it took longer than {} s", seconds(limits.total_ms)),
            Stop::TooLarge => format!(
                "the file is larger than the {:.0} MB Mixroom fetches",
                limits.max_bytes / 1e6
            ),
            Stop::SetTooLarge => format!(
                "with the audio this mix fetched before it, it would pass the {:.0} MB Mixroom \
                 fetches for one mix",
                limits.max_set_bytes / 1e6
            ),
            Stop::Cancelled => "it was cancelled".to_owned(),
        })
    }
}

/// `ms` in seconds with at most one decimal: "20", "1.5".
fn seconds(ms: f64) -> f64 {
    (ms / 100.0).round() / 10.0
}

/// The host of an http(s) `url` as the browser fetches it ("audio.example.com", with its
/// port if it has one; an internationalized name in punycode): read by the platform's URL
/// parser, the one `fetch` uses, so the host the user agrees to is the host fetched. Empty
/// when `url` does not parse.
pub fn host_of(url: &str) -> String {
    web_sys::Url::new(url)
        .map(|u| u.host().to_lowercase())
        .unwrap_or_default()
}

/// `host` (from [`host_of`]) as the user reads it: an internationalized name in punycode,
/// beside its Unicode form as `url` writes it ("xn--r8jz45g.jp (例え.jp)"), so that two hosts
/// that look alike are told apart.
pub fn host_label(host: &str, url: &str) -> String {
    let written = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if written != host && !written.is_ascii() {
        format!("{host} ({})", mixroom_protocol::text::shown(&written))
    } else {
        host.to_owned()
    }
}

/// Fetches the audio file at `url` over http(s) with CORS, as a `File` named after the URL's
/// last segment, within the limits in force; `progress(bytes, of)` hears how far it got (`of`
/// when the server said). The error says why not, for "could not be fetched from URL: …".
pub async fn fetch(
    url: &str,
    fetching: &Fetching,
    mut progress: impl FnMut(f64, Option<f64>),
) -> Result<File, String> {
    if let Some(problem) = mixroom_protocol::validate::url_problem(url) {
        return Err(problem);
    }
    let limits = IN_FORCE.get();
    let window = web_sys::window().ok_or("there is no window")?;
    let init = RequestInit::new();
    init.set_mode(RequestMode::Cors);
    init.set_signal(Some(&fetching.controller.signal()));
    let started = now_ms();
    let last = Rc::new(Cell::new(started));
    let done = Rc::new(Cell::new(false));
    // The watchdog: stops a fetch that stalls or takes too long.
    {
        let (fetching, last, done) = (fetching.clone(), Rc::clone(&last), Rc::clone(&done));
        spawn_local(async move {
            while !done.get() {
                let _ = sleep_ms(WATCH_EVERY_MS).await;
                let now = now_ms();
                if now - last.get() > limits.stall_ms {
                    fetching.stop(Stop::Stalled);
                } else if now - started > limits.total_ms {
                    fetching.stop(Stop::TooLong);
                }
            }
        });
    }
    let result = fetch_body(url, &window, &init, fetching, &limits, &last, &mut progress).await;
    done.set(true);
    result.map_err(|e| {
        fetching.release();
        fetching.reason(&limits).unwrap_or(e)
    })
}

async fn fetch_body(
    url: &str,
    window: &web_sys::Window,
    init: &RequestInit,
    fetching: &Fetching,
    limits: &Limits,
    last: &Cell<f64>,
    progress: &mut impl FnMut(f64, Option<f64>),
) -> Result<File, String> {
    let network = |e: JsValue| {
        format!(
            "the request failed ({}); the server may be down, or may not allow other sites to \
             fetch it (CORS)",
            describe(&e)
        )
    };
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .and_then(|r| r.dyn_into())
        .map_err(network)?;
    last.set(now_ms());
    // The user agreed to one host: a redirect elsewhere is not followed into the mix.
    let (asked, answered) = (host_of(url), host_of(&response.url()));
    if answered != asked {
        return Err(format!(
            "{asked} sent the request on to {answered}, which you did not agree to"
        ));
    }
    if !response.ok() {
        return Err(format!(
            "the server answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|n| n.parse::<f64>().ok());
    if declared.is_some_and(|n| n > limits.max_bytes) {
        fetching.stop(Stop::TooLarge);
        return Err("too large".to_owned());
    }
    // What the server declares is counted before a byte is read.
    if !fetching.count(declared.unwrap_or(0.0), limits) {
        fetching.stop(Stop::SetTooLarge);
        return Err("too large".to_owned());
    }
    let body = response.body().ok_or("the server sent no body")?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let chunks = Array::new();
    let mut received = 0.0;
    loop {
        let read = JsFuture::from(reader.read()).await.map_err(network)?;
        if get(&read, "done").as_bool() == Some(true) {
            break;
        }
        let chunk: Uint8Array = get(&read, "value").unchecked_into();
        received += f64::from(chunk.length());
        last.set(now_ms());
        if received > limits.max_bytes {
            fetching.stop(Stop::TooLarge);
            return Err("too large".to_owned());
        }
        if !fetching.count(received, limits) {
            fetching.stop(Stop::SetTooLarge);
            return Err("too large".to_owned());
        }
        chunks.push(&chunk);
        progress(received, declared);
    }
    let name = url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or("audio");
    File::new_with_u8_array_sequence(&chunks, name).map_err(|e| describe(&e))
}

/// A track of the open mix whose audio is at a URL.
#[derive(Clone)]
pub struct RemoteTrack {
    /// The open it belongs to.
    pub serial: u32,
    /// Its position in the session (and its engine track).
    pub index: usize,
    /// Its name.
    pub name: String,
    /// The URL.
    pub url: String,
    /// The URL's host.
    pub host: String,
    /// The fetches of the open's audio by URL, which this track's counts in.
    pub set: FetchSet,
    /// Its fetch, once started.
    pub fetching: Option<Fetching>,
}

/// "1.2 MB".
fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

impl Project {
    /// Loads the remote audio of the mix opened by open number `serial`: at once from hosts
    /// the mix was agreed to load from, after asking for the others.
    pub(super) fn load_remote(&self, serial: u32, tracks: Vec<RemoteTrack>) {
        let allowed = self
            .with_tab_mix(|m| m.allowed_hosts.clone())
            .unwrap_or_default();
        let mut hosts: Vec<String> = tracks.iter().map(|t| t.host.clone()).collect();
        hosts.dedup();
        hosts.sort();
        hosts.dedup();
        self.remote.set_value(tracks);
        for host in hosts {
            if allowed.contains(&host) {
                self.load_host(&host);
            } else {
                self.ask_for(serial, &host);
            }
        }
    }

    /// The notice that asks whether to load audio from `host`.
    fn ask_for(&self, serial: u32, host: &str) {
        let (names, label): (Vec<String>, String) = self.remote.with_value(|r| {
            let asked: Vec<&RemoteTrack> = r
                .iter()
                .filter(|t| t.serial == serial && t.host == host)
                .collect();
            let label = asked
                .first()
                .map_or_else(|| host.to_owned(), |t| host_label(host, &t.url));
            let names = asked
                .iter()
                .map(|t| format!("“{}”", mixroom_protocol::text::shown(&t.name)))
                .collect();
            (names, label)
        });
        let tracks = if names.len() == 1 { "track" } else { "tracks" };
        self.notify(
            Notice::info(
                &format!("remote-{host}"),
                format!(
                    "This mix loads audio from {label} (the {tracks} {}). Nothing is fetched \
                     from there until you agree; meanwhile the rest plays.",
                    names.join(", ")
                ),
            )
            .with_actions(vec![
                Action::LoadHost(host.to_owned()),
                Action::SkipHost(host.to_owned()),
            ]),
        );
    }

    /// The user agreed to `host` (or the mix was agreed to before): its tracks are fetched,
    /// and the mix keeps the answer.
    pub fn load_host(&self, host: &str) {
        self.allow_host(host);
        let pending: Vec<RemoteTrack> = self.remote.with_value(|r| {
            r.iter()
                .filter(|t| t.host == host && t.fetching.is_none())
                .cloned()
                .collect()
        });
        if pending.is_empty() {
            // Agreed to for what asks next (a lesson's reference recording): nothing waits.
            self.clear_notice(&format!("remote-{host}"));
            return;
        }
        self.notify(
            Notice::info(
                &format!("remote-{host}"),
                format!("Loading audio from {host}…"),
            )
            .with_actions(vec![Action::CancelHost(host.to_owned())]),
        );
        let project = *self;
        let host = host.to_owned();
        spawn_local(async move {
            // All at once: a slow one holds up none of the others.
            futures::future::join_all(pending.into_iter().map(|t| project.fetch_track(t))).await;
            // Done, unless cancelled or replaced meanwhile (then the notice says so).
            let loading = project
                .remote
                .with_value(|r| r.iter().any(|t| t.host == host));
            if loading {
                project
                    .remote
                    .update_value(|r| r.retain(|t| t.host != host));
                project.clear_notice(&format!("remote-{host}"));
            }
        });
    }

    /// Fetches one remote track and loads it into the engine, unless a newer open came first.
    async fn fetch_track(&self, mut track: RemoteTrack) {
        let superseded = |p: &Project| p.opens.with_value(|o| o.get()) != track.serial;
        let wanted = self.remote.with_value(|r| {
            r.iter()
                .any(|t| t.serial == track.serial && t.index == track.index)
        });
        if superseded(self) || !wanted {
            return;
        }
        let Ok(fetching) = Fetching::in_set(&track.set) else {
            return;
        };
        track.fetching = Some(fetching.clone());
        let (index, serial) = (track.index, track.serial);
        self.remote.update_value(|r| {
            if let Some(t) = r
                .iter_mut()
                .find(|t| t.serial == serial && t.index == index)
            {
                t.fetching = Some(fetching.clone());
            }
        });
        let key = format!("remote-{}", track.host);
        let shown = track.name.clone();
        let host = track.host.clone();
        let project = *self;
        let fetched = fetch(&track.url, &fetching, |bytes, of| {
            let of = of.map_or(String::new(), |n| format!(" of {}", megabytes(n)));
            project.notify(
                Notice::info(
                    &key,
                    format!(
                        "Loading audio from {host}: “{shown}”, {}{of}…",
                        megabytes(bytes)
                    ),
                )
                .with_actions(vec![Action::CancelHost(host.clone())]),
            );
        })
        .await;
        if superseded(self) {
            return;
        }
        let failed = |why: String| {
            Notice::error(
                &format!("open-remote-{index}"),
                format!(
                    "Track “{}”: its audio could not be fetched from {}: {why}.",
                    track.name, track.url
                ),
            )
        };
        let file = match fetched {
            Ok(file) => file,
            // The user knows: they cancelled it.
            Err(_) if fetching.stopped.get() == Some(Stop::Cancelled) => return,
            // The user agreed to a host, not to any size: reopening the mix asks again rather
            // than fetching the same too-large file without a word.
            Err(why) if fetching.stopped.get().is_some_and(Stop::for_size) => {
                self.withdraw_host(&host);
                return self.notify(failed(format!(
                    "{why}; Mixroom asks again before it fetches from {host}"
                )));
            }
            Err(why) => return self.notify(failed(why)),
        };
        let Some(bridge) = self.mixer.with_bridge(Rc::clone) else {
            return;
        };
        let mut imported = match import_file(bridge.context(), file).await {
            Ok(imported) => imported,
            Err(e) => {
                fetching.release();
                return self.notify(failed(e.to_string()));
            }
        };
        imported.info.source = mixroom_protocol::session::Source::Url(track.url.clone());
        if superseded(self) {
            return;
        }
        let whole_song = self.mixer.snapshot().session.transport.loop_end_s.is_none();
        match bridge.load_track(index, imported).await {
            Ok(_) if !superseded(self) => {
                if let Some(strip) = StripIndex::track(index) {
                    self.mixer.found(strip);
                }
                self.song_may_be_longer(&bridge, whole_song);
            }
            Ok(_) => {}
            Err(e) => {
                fetching.release();
                self.notify(failed(e.to_string()));
            }
        }
    }

    /// Keeps with the tab's mix that the user agreed to fetch its audio from `host`.
    pub fn allow_host(&self, host: &str) {
        self.with_tab_mix(|m| {
            if !m.allowed_hosts.iter().any(|h| h == host) {
                m.allowed_hosts.push(host.to_owned());
                // Saved with the mix: written again even if nothing else changes.
                m.saved = None;
            }
        });
    }

    /// Whether the user agreed to fetch from `url`'s host for this tab's mix (`what` is what
    /// is there: "the lesson's reference recording"). When not, the page asks (Load / Skip,
    /// as for a track's audio) and the error says so: nothing is fetched before the answer.
    pub fn agreed_to_fetch(&self, url: &str, what: &str) -> Result<(), String> {
        let host = host_of(url);
        let agreed = self
            .with_tab_mix(|m| m.allowed_hosts.contains(&host))
            .unwrap_or(false);
        if agreed {
            return Ok(());
        }
        self.notify(
            Notice::info(
                &format!("remote-{host}"),
                format!(
                    "{} is on {}. Nothing is fetched from there until you agree.",
                    crate::text::upper_first(what),
                    host_label(&host, url)
                ),
            )
            .with_actions(vec![
                Action::LoadHost(host.clone()),
                Action::SkipHost(host.clone()),
            ]),
        );
        Err(format!(
            "{what} is on {host}, which you have not agreed to load from: press Load, then \
             try again"
        ))
    }

    /// Forgets that the user agreed to fetch from `host` for this tab's mix (kept with it).
    fn withdraw_host(&self, host: &str) {
        self.with_tab_mix(|m| {
            if m.allowed_hosts.iter().any(|h| h == host) {
                m.allowed_hosts.retain(|h| h != host);
                m.saved = None;
            }
        });
    }

    /// The user said no to `host`: its tracks stay silent.
    pub fn skip_host(&self, host: &str) {
        self.forget_host(host, &format!("Nothing was fetched from {host}"));
    }

    /// Stops the fetches from `host` (the user's Cancel).
    pub fn cancel_host(&self, host: &str) {
        self.remote.with_value(|r| {
            for track in r.iter().filter(|t| t.host == host) {
                if let Some(fetching) = &track.fetching {
                    fetching.cancel();
                }
            }
        });
        self.forget_host(host, &format!("Stopped loading audio from {host}"));
    }

    /// Drops the remote tracks from `host` and says so: `what`, then how many stay silent.
    fn forget_host(&self, host: &str, what: &str) {
        let count = self
            .remote
            .with_value(|r| r.iter().filter(|t| t.host == host).count());
        self.remote.update_value(|r| r.retain(|t| t.host != host));
        self.notify(Notice::info(
            &format!("remote-{host}"),
            format!(
                "{what}: {count} {} of this mix {}.",
                if count == 1 { "track" } else { "tracks" },
                if count == 1 {
                    "stays silent"
                } else {
                    "stay silent"
                }
            ),
        ));
    }

    /// Stops every fetch of the mix being replaced.
    pub(super) fn cancel_remote(&self) {
        self.remote.with_value(|r| {
            for fetching in r.iter().filter_map(|t| t.fetching.as_ref()) {
                fetching.cancel();
            }
        });
        let hosts: Vec<String> = self
            .remote
            .with_value(|r| r.iter().map(|t| t.host.clone()).collect());
        for host in hosts {
            self.clear_notice(&format!("remote-{host}"));
        }
        self.remote.set_value(Vec::new());
    }
}

//! The demo session: one track per stem, deliberately unmixed.

use mixroom_protocol::params::{ParamId, DELAY_SYNCS, RETURN_EFFECTS, REVERB_KINDS};
use mixroom_protocol::session::{
    NamedStrip, Session, Source, Strip, Track, Transport, SESSION_VERSION,
};
use mixroom_protocol::units::SILENCE_DB;

use crate::{STEMS, TEMPO_BPM};

/// Stems routed to the "Drums" bus: the eight kit microphones.
pub const DRUM_STEMS: usize = 8;

/// Strip colours (CSS): the kit in warm shades, each instrument its own.
const DRUM_COLOR: &str = "#e8804f";
const COLORS: [(&str, &str); 6] = [
    ("bass", "#8fce5a"),
    ("guitar", "#e6b84f"),
    ("keys", "#4fc3b0"),
    ("pad", "#9a7cf0"),
    ("lead", "#e06fb5"),
    ("shaker", "#d9a36b"),
];

/// Delay feedback of the "Delay" return, 0..1.
const DELAY_FEEDBACK: f32 = 0.3;

/// The index of `label` in a parameter's choice list.
fn choice(labels: &[&str], label: &str) -> f32 {
    labels
        .iter()
        .position(|l| *l == label)
        .expect("the label is in the parameter table") as f32
}

/// A strip with its fader at 0 dB, centred, and both sends at −∞.
fn unmixed_strip(pan: bool) -> Strip {
    let mut strip = Strip::default();
    strip.set(ParamId::GainDb, 0.0);
    if pan {
        strip.set(ParamId::Pan, 0.0);
    }
    strip.set(ParamId::send_db(0), SILENCE_DB);
    strip.set(ParamId::send_db(1), SILENCE_DB);
    strip
}

/// The unmixed demo session (see [`crate::session()`]).
pub fn session() -> Session {
    let tracks = STEMS
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            let mut strip = unmixed_strip(true);
            let output = if i < DRUM_STEMS { 1.0 } else { 0.0 };
            strip.set(ParamId::Output, output);
            let color = if i < DRUM_STEMS {
                DRUM_COLOR
            } else {
                COLORS
                    .iter()
                    .find(|(stem, _)| stem == id)
                    .map_or(DRUM_COLOR, |(_, c)| c)
            };
            Track {
                name: (*name).to_owned(),
                source: Source::Demo((*id).to_owned()),
                color: Some(color.to_owned()),
                strip,
            }
        })
        .collect();

    let mut reverb = Strip::default();
    reverb.set(ParamId::ReturnEffect, choice(RETURN_EFFECTS, "reverb"));
    reverb.set(ParamId::ReverbKind, choice(REVERB_KINDS, "hall"));
    let mut delay = Strip::default();
    delay.set(ParamId::ReturnEffect, choice(RETURN_EFFECTS, "delay"));
    delay.set(ParamId::DelaySync, choice(DELAY_SYNCS, "1/8 dotted"));
    delay.set(ParamId::DelayFeedback, DELAY_FEEDBACK);

    let mut master = Strip::default();
    master.set(ParamId::TempoBpm, TEMPO_BPM);

    Session {
        version: SESSION_VERSION,
        tracks,
        buses: vec![NamedStrip {
            name: "Drums".to_owned(),
            color: Some(DRUM_COLOR.to_owned()),
            strip: unmixed_strip(true),
        }],
        returns: vec![
            NamedStrip {
                name: "Reverb".to_owned(),
                color: None,
                strip: reverb,
            },
            NamedStrip {
                name: "Delay".to_owned(),
                color: None,
                strip: delay,
            },
        ],
        master,
        transport: Transport::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixroom_protocol::params::DELAY_SYNC_BEATS;

    #[test]
    fn is_valid_and_round_trips() {
        // Reference: the protocol's own check and JSON round trip.
        let s = session();
        s.check().unwrap();
        assert_eq!(Session::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn references_every_stem_once_in_order() {
        // Reference: STEMS (the stem table).
        let s = session();
        assert_eq!(s.tracks.len(), STEMS.len());
        for (track, (id, name)) in s.tracks.iter().zip(STEMS) {
            assert_eq!(track.source, Source::Demo((*id).to_owned()));
            assert_eq!(track.name, *name);
        }
    }

    #[test]
    fn routes_exactly_the_drums_to_the_drum_bus() {
        // Reference: the brief: 8 drum tracks → bus 1 "Drums", everything else → master.
        let s = session();
        assert_eq!(s.buses.len(), 1);
        assert_eq!(s.buses[0].name, "Drums");
        for (i, track) in s.tracks.iter().enumerate() {
            let expected = if i < DRUM_STEMS { 1.0 } else { 0.0 };
            assert_eq!(
                track.strip.value(ParamId::Output),
                expected,
                "{}",
                track.name
            );
        }
        let drums: Vec<&str> = STEMS[..DRUM_STEMS].iter().map(|s| s.0).collect();
        assert_eq!(
            drums,
            [
                "kick",
                "snare",
                "hihat",
                "tom_hi",
                "tom_lo",
                "overhead_l",
                "overhead_r",
                "room"
            ]
        );
    }

    #[test]
    fn starts_unmixed_with_no_space() {
        // Reference: 0 dB faders, centre pans, every send at SILENCE_DB (−∞).
        let s = session();
        let strips = s
            .tracks
            .iter()
            .map(|t| &t.strip)
            .chain(s.buses.iter().map(|b| &b.strip));
        for strip in strips {
            assert_eq!(strip.value(ParamId::GainDb), 0.0);
            assert_eq!(strip.value(ParamId::Pan), 0.0);
            for send in 0..mixroom_protocol::strips::MAX_RETURNS {
                assert_eq!(strip.value(ParamId::send_db(send)), SILENCE_DB);
            }
        }
    }

    #[test]
    fn has_a_hall_reverb_and_a_synced_delay_at_the_song_tempo() {
        // Reference: the parameter table's choice lists.
        let s = session();
        let names: Vec<&str> = s.returns.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Reverb", "Delay"]);
        let (reverb, delay) = (&s.returns[0].strip, &s.returns[1].strip);
        assert_eq!(reverb.value(ParamId::ReturnEffect), 1.0, "reverb");
        assert_eq!(reverb.value(ParamId::ReverbKind), 1.0, "hall");
        assert_eq!(delay.value(ParamId::ReturnEffect), 2.0, "delay");
        let sync = delay.value(ParamId::DelaySync) as usize;
        assert_eq!(DELAY_SYNCS[sync], "1/8 dotted");
        assert_eq!(DELAY_SYNC_BEATS[sync], 0.75);
        assert_eq!(delay.value(ParamId::DelayFeedback), DELAY_FEEDBACK);
        assert_eq!(s.master.value(ParamId::TempoBpm), TEMPO_BPM);
    }
}

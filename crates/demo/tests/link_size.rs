//! The demo song's share link stays under 2 KB (2048 characters), unmixed and fully mixed.

use mixroom_protocol::link;
use mixroom_protocol::params::{EqField, ParamId, EQ_BANDS};
use mixroom_protocol::session::{Session, Strip};

/// Most characters a share link's payload may have (the issue: "under 2 KB").
const MAX_LINK_CHARS: usize = 2048;

/// Every strip of `session` with what a person changes while mixing: fader, pan, the four EQ
/// bands (frequency, gain, Q), the compressor (on, threshold, ratio, attack, release, makeup)
/// and both sends. Values are what the UI's controls produce (a tenth of a dB, a whole
/// percent of pan, whole Hz), different on every strip.
fn mixed(mut session: Session) -> Session {
    let strips = session
        .tracks
        .iter_mut()
        .map(|t| &mut t.strip)
        .chain(session.buses.iter_mut().map(|b| &mut b.strip));
    for (i, strip) in strips.enumerate() {
        mix_strip(strip, i as f32);
    }
    session
}

fn mix_strip(strip: &mut Strip, i: f32) {
    strip.set(ParamId::GainDb, -3.0 - 0.7 * i);
    strip.set(
        ParamId::Pan,
        (((i * 0.37) % 2.0 - 1.0) * 100.0).round() / 100.0,
    );
    for band in 0..EQ_BANDS {
        let b = band as f32;
        strip.set(
            ParamId::eq(band, EqField::Hz),
            (80.0 * 4.0_f32.powf(b) + 7.0 * i).round(),
        );
        strip.set(
            ParamId::eq(band, EqField::GainDb),
            ((b - 1.5) * 2.0 + 0.3 * i) % 6.0,
        );
        strip.set(ParamId::eq(band, EqField::Q), 0.7 + 0.1 * b);
    }
    strip.set(ParamId::CompBypass, 0.0);
    strip.set(ParamId::CompThresholdDb, -12.0 - i);
    strip.set(ParamId::CompRatio, 2.0 + 0.5 * (i % 4.0));
    strip.set(ParamId::CompAttackMs, 5.0 + i);
    strip.set(ParamId::CompReleaseMs, 80.0 + 10.0 * i);
    strip.set(ParamId::CompMakeupDb, 1.0 + 0.5 * (i % 3.0));
    strip.set(ParamId::send_db(0), -18.0 + 0.5 * i);
    strip.set(ParamId::send_db(1), -24.0 + 0.4 * i);
}

#[test]
fn demo_links_are_under_2_kb() {
    // Reference: the limit, MAX_LINK_CHARS.
    let demo = mixroom_demo::session();
    let mixed = mixed(demo.clone());
    for (what, session) in [("demo", &demo), ("mixed demo", &mixed)] {
        let payload = link::encode(session);
        println!("{what}: {} characters", payload.len());
        assert!(payload.len() < MAX_LINK_CHARS, "{what}: {}", payload.len());
        assert_eq!(link::decode(&payload).unwrap(), link::normalize(session));
    }
}

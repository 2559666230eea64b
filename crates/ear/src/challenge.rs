//! A challenge: one fixed round of an exercise, carried in a link beside the mix
//! (`…/#mix=MIX&challenge=PAYLOAD`), so that whoever opens it plays the same round on the
//! same mix and scores the same.
//!
//! `PAYLOAD` is base64url without padding of one format byte ([`CHALLENGE_FORMAT`]) and the
//! challenge as JSON, every byte XORed with a fixed SplitMix64 keystream. That keeps the
//! answer out of sight in the address bar; it is **not secret**: anyone who reads this code
//! can undo it. A payload is a stranger's bytes: it is bounded, must be JSON of exactly this
//! shape, and every value must be one the exercise offers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::ladder::{eq_level, MAX_LEVEL, MIN_LEVEL};
use crate::progress::Exercise;
use crate::track::TrackRound;

/// What precedes the payload in the app's URL fragment.
pub const CHALLENGE_KEY: &str = "challenge=";

/// The format this build writes and reads: the first byte of the payload.
pub const CHALLENGE_FORMAT: u8 = 1;

/// Largest payload read, characters.
const MAX_PAYLOAD_CHARS: usize = 1_024;

/// The keystream's seed (any fixed number: this hides, it does not protect).
const KEYSTREAM_SEED: u64 = 0x6D69_7872_6F6F_6D21;

/// One fixed round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// The exercise.
    pub exercise: Exercise,
    /// Its difficulty (which answers are offered).
    pub level: u8,
    /// For an EQ exercise: the centre hidden, Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centre_hz: Option<f32>,
    /// For an EQ exercise: the gain hidden, dB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gain_db: Option<f32>,
    /// For a track exercise: the track changed, by its index in the mix's tracks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<usize>,
    /// For a track exercise: the hidden answer ([`TrackRound::value`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f32>,
}

/// Why a challenge could not be read. `Display` says it for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChallengeError {
    /// Not a challenge Mixroom made, or damaged.
    Damaged,
    /// Made by a newer Mixroom.
    TooNew,
}

impl std::fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChallengeError::Damaged => write!(f, "the challenge in this link is damaged"),
            ChallengeError::TooNew => write!(
                f,
                "the challenge in this link was made by a newer Mixroom; update Mixroom to play it"
            ),
        }
    }
}

impl std::error::Error for ChallengeError {}

fn keystream(bytes: &mut [u8]) {
    let mut state = KEYSTREAM_SEED;
    for chunk in bytes.chunks_mut(8) {
        let key = mixroom_protocol::splitmix::next(&mut state).to_le_bytes();
        for (b, k) in chunk.iter_mut().zip(key) {
            *b ^= k;
        }
    }
}

impl Challenge {
    /// The payload of this challenge (no URL, no [`CHALLENGE_KEY`]).
    pub fn encode(&self) -> String {
        let mut body = serde_json::to_vec(self).expect("a challenge always serializes");
        keystream(&mut body);
        let mut bytes = vec![CHALLENGE_FORMAT];
        bytes.extend(body);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The challenge in `text`: a payload, or a fragment or URL holding [`CHALLENGE_KEY`];
    /// `None` when there is none. Its values are checked against what the exercise offers;
    /// a track exercise's track is checked by the page, against the mix.
    pub fn find(text: &str) -> Option<Result<Challenge, ChallengeError>> {
        let fragment = text.split_once('#').map_or(text, |(_, f)| f);
        let payload = fragment
            .split('&')
            .find_map(|part| part.trim().strip_prefix(CHALLENGE_KEY))?;
        Some(Challenge::decode(payload))
    }

    /// The challenge in payload `payload`.
    pub fn decode(payload: &str) -> Result<Challenge, ChallengeError> {
        if payload.len() > MAX_PAYLOAD_CHARS {
            return Err(ChallengeError::Damaged);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| ChallengeError::Damaged)?;
        let (&format, body) = bytes.split_first().ok_or(ChallengeError::Damaged)?;
        if format != CHALLENGE_FORMAT {
            return Err(if format > CHALLENGE_FORMAT && format < 16 {
                ChallengeError::TooNew
            } else {
                ChallengeError::Damaged
            });
        }
        let mut body = body.to_vec();
        keystream(&mut body);
        let challenge: Challenge =
            serde_json::from_slice(&body).map_err(|_| ChallengeError::Damaged)?;
        challenge
            .is_valid()
            .then_some(challenge)
            .ok_or(ChallengeError::Damaged)
    }

    /// Whether every value is one the exercise offers at the level.
    fn is_valid(&self) -> bool {
        if !(MIN_LEVEL..=MAX_LEVEL).contains(&self.level) {
            return false;
        }
        match self.exercise {
            Exercise::EqFrequency | Exercise::EqCorrection => {
                let level = eq_level(self.level);
                let centre_ok = self
                    .centre_hz
                    .is_some_and(|hz| level.resolution.centres().contains(&hz));
                let gain_ok = self.gain_db.is_some_and(|g| g.abs() == level.gain_db);
                centre_ok && gain_ok && self.track.is_none() && self.value.is_none()
            }
            exercise => {
                let offered = self
                    .value
                    .is_some_and(|v| TrackRound::fixed(exercise, self.level, 0, v).is_some());
                offered
                    && self.track.is_some()
                    && self.centre_hz.is_none()
                    && self.gain_db.is_none()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq() -> Challenge {
        Challenge {
            exercise: Exercise::EqFrequency,
            level: 1,
            centre_hz: Some(2_000.0),
            gain_db: Some(-12.0),
            track: None,
            value: None,
        }
    }

    #[test]
    fn a_challenge_reads_back_from_a_link_and_hides_its_answer() {
        let gain = Challenge {
            exercise: Exercise::Gain,
            level: 3,
            centre_hz: None,
            gain_db: None,
            track: Some(4),
            value: Some(-3.0),
        };
        for challenge in [eq(), gain] {
            let payload = challenge.encode();
            assert!(
                !payload.contains("eyJ"),
                "plain JSON would start so: {payload}"
            );
            let url = format!("https://x/#mix=abc&{CHALLENGE_KEY}{payload}");
            assert_eq!(Challenge::find(&url), Some(Ok(challenge)));
        }
        assert_eq!(Challenge::find("https://x/#mix=abc"), None);
    }

    #[test]
    fn a_strangers_challenge_is_refused_unless_the_exercise_offers_it() {
        let refused = |c: Challenge| Challenge::decode(&c.encode());
        assert_eq!(
            refused(Challenge {
                centre_hz: Some(1_234.0),
                ..eq()
            }),
            Err(ChallengeError::Damaged)
        );
        assert_eq!(
            refused(Challenge { level: 9, ..eq() }),
            Err(ChallengeError::Damaged)
        );
        assert_eq!(
            refused(Challenge {
                gain_db: Some(-3.0),
                ..eq()
            }),
            Err(ChallengeError::Damaged)
        );
        assert_eq!(
            refused(Challenge {
                exercise: Exercise::Pan,
                track: Some(0),
                value: Some(0.3),
                centre_hz: None,
                gain_db: None,
                ..eq()
            }),
            Err(ChallengeError::Damaged)
        );
        for text in ["", "!!", "AQ", &"A".repeat(5_000)] {
            assert_eq!(
                Challenge::decode(text),
                Err(ChallengeError::Damaged),
                "{text}"
            );
        }
        let mut newer = URL_SAFE_NO_PAD.decode(eq().encode()).unwrap();
        newer[0] = 2;
        assert_eq!(
            Challenge::decode(&URL_SAFE_NO_PAD.encode(newer)),
            Err(ChallengeError::TooNew)
        );
    }
}

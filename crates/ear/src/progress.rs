//! What a student has answered, kept in the browser: every round's result, the accuracy over
//! time, and for EQ which bands are confused with which.

use serde::{Deserialize, Serialize};

use crate::bands::{nearest, OCTAVES_HZ};
use crate::score::FULL_POINTS;

/// Results kept at most; the oldest go first.
pub const MAX_RESULTS: usize = 5_000;

/// The rounds one point of the accuracy plot averages.
pub const ROUNDS_PER_POINT: usize = 5;

/// An exercise, as its results are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exercise {
    /// Naming the band and the direction of a hidden peak or dip.
    EqFrequency,
    /// Undoing a hidden peak or dip with the master's EQ.
    EqCorrection,
    /// Which track changed, and by how much.
    Gain,
    /// Where a track sits.
    Pan,
    /// How much compression is on a track.
    Compression,
    /// How much reverb a track is sent.
    Space,
}

impl Exercise {
    /// Every exercise, in the order the page lists them.
    pub const ALL: [Exercise; 6] = [
        Exercise::EqFrequency,
        Exercise::EqCorrection,
        Exercise::Gain,
        Exercise::Pan,
        Exercise::Compression,
        Exercise::Space,
    ];

    /// Its name on the page.
    pub fn name(self) -> &'static str {
        match self {
            Exercise::EqFrequency => "EQ frequency",
            Exercise::EqCorrection => "EQ correction",
            Exercise::Gain => "Gain",
            Exercise::Pan => "Pan",
            Exercise::Compression => "Compression",
            Exercise::Space => "Space",
        }
    }

    /// Its position in [`Exercise::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One answered round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundResult {
    /// The exercise.
    pub exercise: Exercise,
    /// When it was answered, ms since the Unix epoch.
    pub at_ms: f64,
    /// The difficulty it was played at.
    pub level: u8,
    /// Points scored, of [`FULL_POINTS`].
    pub points: f32,
    /// For EQ frequency: the band hidden and the band named, Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands_hz: Option<(f32, f32)>,
}

/// Every result kept, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// The results.
    pub results: Vec<RoundResult>,
}

/// Why kept progress could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreadable(pub String);

impl Progress {
    /// Reads progress as [`Progress::to_json`] wrote it.
    pub fn from_json(text: &str) -> Result<Progress, Unreadable> {
        serde_json::from_str(text).map_err(|e| Unreadable(e.to_string()))
    }

    /// The progress as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Adds `result`, forgetting the oldest beyond [`MAX_RESULTS`].
    pub fn add(&mut self, result: RoundResult) {
        self.results.push(result);
        let over = self.results.len().saturating_sub(MAX_RESULTS);
        self.results.drain(..over);
    }

    /// The results of `exercise`, oldest first.
    pub fn of(&self, exercise: Exercise) -> impl Iterator<Item = &RoundResult> {
        self.results.iter().filter(move |r| r.exercise == exercise)
    }

    /// The accuracy of `exercise` over time: per [`ROUNDS_PER_POINT`] rounds (the last group
    /// may be shorter), the share of the possible points scored, 0..=1.
    pub fn accuracy(&self, exercise: Exercise) -> Vec<f32> {
        let points: Vec<f32> = self.of(exercise).map(|r| r.points).collect();
        points
            .chunks(ROUNDS_PER_POINT)
            .map(|group| group.iter().sum::<f32>() / (group.len() as f32 * FULL_POINTS))
            .collect()
    }

    /// For the EQ rounds, how often each octave band was named when each was hidden:
    /// `counts[hidden][named]`, bands as in [`OCTAVES_HZ`] (a third octave counts in the
    /// octave band it lies in).
    pub fn confusion(&self) -> [[u32; OCTAVES_HZ.len()]; OCTAVES_HZ.len()] {
        let mut counts = [[0; OCTAVES_HZ.len()]; OCTAVES_HZ.len()];
        for (hidden, named) in self.of(Exercise::EqFrequency).filter_map(|r| r.bands_hz) {
            counts[nearest(hidden, &OCTAVES_HZ)][nearest(named, &OCTAVES_HZ)] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(points: f32, hidden: f32, named: f32) -> RoundResult {
        RoundResult {
            exercise: Exercise::EqFrequency,
            at_ms: 0.0,
            level: 1,
            points,
            bands_hz: Some((hidden, named)),
        }
    }

    #[test]
    fn accuracy_averages_groups_of_rounds() {
        let mut progress = Progress::default();
        for points in [10.0, 10.0, 9.0, 8.0, 3.0, 10.0, 5.0] {
            progress.add(eq(points, 1_000.0, 1_000.0));
        }
        let accuracy = progress.accuracy(Exercise::EqFrequency);
        assert_eq!(accuracy.len(), 2);
        assert!((accuracy[0] - 0.8).abs() < 1e-6, "{accuracy:?}");
        assert!((accuracy[1] - 0.75).abs() < 1e-6, "{accuracy:?}");
    }

    #[test]
    fn the_confusion_counts_octave_bands() {
        let mut progress = Progress::default();
        progress.add(eq(9.0, 1_000.0, 2_000.0));
        progress.add(eq(9.0, 1_000.0, 2_000.0));
        progress.add(eq(10.0, 63.0, 63.0));
        // 1.25 kHz lies in the 1 kHz octave band, 3.15 kHz in the 4 kHz one.
        progress.add(eq(9.3, 1_250.0, 3_150.0));
        let counts = progress.confusion();
        assert_eq!(counts[4][5], 2);
        assert_eq!(counts[0][0], 1);
        assert_eq!(counts[4][6], 1);
        assert_eq!(counts.iter().flatten().sum::<u32>(), 4);
    }

    #[test]
    fn progress_reads_back_and_refuses_what_it_did_not_write() {
        let mut progress = Progress::default();
        progress.add(eq(7.0, 250.0, 500.0));
        assert_eq!(Progress::from_json(&progress.to_json()), Ok(progress));
        assert!(Progress::from_json("{\"results\":[{\"exercise\":\"nope\"}]}").is_err());
        assert!(Progress::from_json("").is_err());
    }

    #[test]
    fn the_oldest_results_go_beyond_the_limit() {
        let mut progress = Progress::default();
        for i in 0..MAX_RESULTS + 3 {
            progress.add(RoundResult {
                at_ms: i as f64,
                ..eq(10.0, 1_000.0, 1_000.0)
            });
        }
        assert_eq!(progress.results.len(), MAX_RESULTS);
        assert_eq!(progress.results[0].at_ms, 3.0);
    }
}

//! What a check found: one result per goal, in the lesson's order, for the page to show.

/// The verdict on every goal of a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// One result per goal, in the lesson's order.
    pub goals: Vec<GoalResult>,
}

impl Report {
    /// Whether every goal passed; a report with no goal (a lesson whose goals were all
    /// refused) passes nothing.
    pub fn passed(&self) -> bool {
        !self.goals.is_empty() && self.goals.iter().all(|g| g.passed)
    }

    /// The result of the goal with id `id`.
    pub fn goal(&self, id: &str) -> Option<&GoalResult> {
        self.goals.iter().find(|g| g.id == id)
    }
}

/// The verdict on one goal.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalResult {
    /// The goal's id.
    pub id: String,
    /// The goal's sentence, as the lesson gives it.
    pub text: String,
    /// What was measured, in [`GoalResult::unit`]; `None` when it could not be (the strips it
    /// names are silent, the reference is missing, the goal's kind is too new).
    pub measured: Option<f64>,
    /// The range that passes, for the student: "−16 to −12 LUFS", "at most −1 dBTP".
    pub target: String,
    /// The unit of `measured`: "LUFS", "dBTP", "LU", "dB", "%", or "" for a correlation.
    pub unit: &'static str,
    /// Whether the measurement is within the target.
    pub passed: bool,
    /// What to do about it, with the number and the control: "“Bass” is 4.2 dB too loud
    /// against “Kick” in 40–120 Hz: pull “Bass” down or cut it around 69 Hz". Says so when the
    /// goal is met.
    pub hint: String,
}

impl GoalResult {
    /// The measured value as the student reads it: one decimal (two for a correlation), a
    /// true minus sign, the unit ("−4.5 dB", "0.62"), or "not measured".
    pub fn measured_text(&self) -> String {
        let decimals = if self.unit.is_empty() { 2 } else { 1 };
        self.measured.map_or_else(
            || "not measured".to_owned(),
            |value| crate::format::with_unit(value, self.unit, decimals),
        )
    }
}

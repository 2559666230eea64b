//! The class table: many hand-ins for one lesson (links, hand-in files, or projects carrying a
//! hand-in and its audio), each read, matched to the lesson and checked, one row per hand-in, downloadable as CSV. A hand-in that cannot be read, answers another
//! lesson or cannot be checked is flagged in its row with the reason, never dropped.

use std::rc::Rc;
use std::sync::Arc;

use mixroom_lesson::Report;
use mixroom_protocol::lesson::{
    same_as_reference, same_work, violations, wire, HandIn, IncomingHandIn, Lesson, Violation,
};

use crate::project::BundleFiles;
use crate::text::upper_first;

/// One row of the class table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Where it came from: "line 3", or a file's name.
    pub from: String,
    /// The hand-in, when it could be read.
    pub hand_in: Option<Arc<HandIn>>,
    /// The audio files of the bundle it came in, if it came in one.
    pub files: Option<Rc<BundleFiles>>,
    /// What the hand-in changed that the lesson does not allow ([`violations`]): a row with
    /// any does not pass, whatever it sounds like.
    pub violations: Vec<Violation>,
    /// How far it is.
    pub state: RowState,
}

/// Where a row is.
#[derive(Clone, Debug, PartialEq)]
pub enum RowState {
    /// Read, waiting for its check.
    Waiting,
    /// Being checked: share done, 0–100.
    Checking(u32),
    /// Checked.
    Checked(Arc<Report>),
    /// Not checked; the sentence says why (damaged, another lesson, missing audio).
    Flagged(String),
}

impl Row {
    /// The student's name, or a dash when the hand-in could not be read.
    pub fn student(&self) -> String {
        self.hand_in
            .as_ref()
            .map_or_else(|| "—".to_owned(), |h| h.student.clone())
    }

    /// Whether the row passes: checked, every goal met, and nothing changed that the lesson
    /// does not allow.
    pub fn passed(&self) -> bool {
        matches!(&self.state, RowState::Checked(report) if report.passed())
            && self.violations.is_empty()
    }
}

/// For each row that answers the lesson, what the teacher should look at without it failing
/// the row: "same as the reference" ([`same_as_reference`]), "the same mix as Ada (line 2)"
/// for a hand-in that is another such row's mix, not the lesson's start untouched
/// ([`same_work`]; both rows say so).
pub fn flags(lesson: &Lesson, rows: &[Row]) -> Vec<Vec<String>> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let Some(hand_in) = row.hand_in.as_ref().filter(|_| answers(row)) else {
                return Vec::new();
            };
            let mut flags = Vec::new();
            if same_as_reference(lesson, &hand_in.mix) {
                flags.push("same as the reference".to_owned());
            }
            for (j, other) in rows.iter().enumerate() {
                if j != i
                    && answers(other)
                    && other
                        .hand_in
                        .as_ref()
                        .is_some_and(|h| same_work(lesson, &h.mix, &hand_in.mix))
                {
                    flags.push(format!(
                        "the same mix as {} ({})",
                        other.student(),
                        other.from
                    ));
                }
            }
            flags
        })
        .collect()
}

/// [`flags`] of the rows last asked about, worked out again only when the lesson, or which
/// hand-ins the rows hold and which of them answer it, change: a row's progress through its
/// check leaves its flags as they are, so the table's many redraws while checking compare each
/// hand-in once, not every pair.
#[derive(Default)]
pub struct FlagsCache {
    /// The lesson and, for each row, where it came from, its hand-in and whether it answers:
    /// the hand-ins held, so that no other can take an address compared here.
    key: Option<(Arc<Lesson>, Vec<RowKey>)>,
    flags: Vec<Vec<String>>,
}

/// What a row's flags depend on.
struct RowKey {
    from: String,
    hand_in: Option<Arc<HandIn>>,
    answers: bool,
}

impl RowKey {
    fn of(row: &Row) -> RowKey {
        RowKey {
            from: row.from.clone(),
            hand_in: row.hand_in.clone(),
            answers: answers(row),
        }
    }

    fn is(&self, row: &Row) -> bool {
        let same_hand_in = match (&self.hand_in, &row.hand_in) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_hand_in && self.answers == answers(row) && self.from == row.from
    }
}

impl FlagsCache {
    /// [`flags`] of `rows` against `lesson`, from the last answer when nothing they depend on
    /// changed.
    pub fn of(&mut self, lesson: &Arc<Lesson>, rows: &[Row]) -> Vec<Vec<String>> {
        let fresh = self.key.as_ref().is_some_and(|(l, keys)| {
            Arc::ptr_eq(l, lesson)
                && keys.len() == rows.len()
                && keys.iter().zip(rows).all(|(key, row)| key.is(row))
        });
        if !fresh {
            self.flags = flags(lesson, rows);
            self.key = Some((Arc::clone(lesson), rows.iter().map(RowKey::of).collect()));
        }
        self.flags.clone()
    }
}

/// Whether `row` holds a hand-in of the lesson (one that answers another is flagged).
fn answers(row: &Row) -> bool {
    !matches!(row.state, RowState::Flagged(_))
}

/// The rows for `text` from `from` ("line", a file name): a hand-in JSON file is one row;
/// otherwise each line that is not blank is a hand-in link, numbered after `from`.
pub fn read(from: &str, text: &str, lesson: &Lesson) -> Vec<Row> {
    if text.trim_start().starts_with('{') {
        let read = HandIn::open_json(text).map_err(|e| e.to_string());
        return vec![row(from.to_owned(), read, lesson)];
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let from = format!("{from} {}", i + 1);
            let read = wire::open_hand_in(line.trim()).map_err(|e| e.to_string());
            row(from, read, lesson)
        })
        .collect()
}

/// A row for something that is not a hand-in, saying why.
pub fn flagged(from: String, why: String) -> Row {
    Row {
        from,
        hand_in: None,
        files: None,
        state: RowState::Flagged(why),
        violations: Vec::new(),
    }
}

/// The row of a hand-in that came in a bundle (`.mixroom`) from `from`, with the bundle's
/// audio `files`.
pub fn from_bundle(
    from: String,
    incoming: IncomingHandIn,
    files: BundleFiles,
    lesson: &Lesson,
) -> Row {
    Row {
        files: Some(Rc::new(files)),
        ..row(from, Ok(incoming), lesson)
    }
}

fn row(from: String, read: Result<IncomingHandIn, String>, lesson: &Lesson) -> Row {
    match read {
        Ok(incoming) => {
            let hand_in = incoming.hand_in;
            let state = if hand_in.lesson_id != lesson.id {
                RowState::Flagged(format!(
                    "This hand-in answers another lesson (“{}”).",
                    hand_in.lesson_id
                ))
            } else if !hand_in.answers(lesson) {
                RowState::Flagged(
                    "This hand-in answers another version of this lesson (its goals or start \
                     differ): check it against that version."
                        .to_owned(),
                )
            } else {
                RowState::Waiting
            };
            let violations = match state {
                RowState::Waiting => violations(lesson, &hand_in.mix),
                _ => Vec::new(),
            };
            Row {
                from,
                hand_in: Some(Arc::new(hand_in)),
                files: None,
                state,
                violations,
            }
        }
        Err(why) => flagged(from, upper_first(&why)),
    }
}

/// The table as CSV (RFC 4180, starting with a UTF-8 byte order mark so that spreadsheets
/// read names in any script): student, where from, passed, goals met, total, then each goal's
/// measured value and whether it was met, then the changes the lesson does not allow, then
/// the note of a flagged row or of a mix another row handed in too.
pub fn csv(lesson: &Lesson, rows: &[Row]) -> String {
    let mut header = vec![
        "student".to_owned(),
        "from".to_owned(),
        "passed".to_owned(),
        "goals met".to_owned(),
        "goals".to_owned(),
    ];
    for goal in &lesson.goals {
        header.push(format!("{} (measured)", goal.id));
        header.push(format!("{} (met)", goal.id));
    }
    header.push("not allowed".to_owned());
    header.push("note".to_owned());
    let mut lines = vec![header];
    for (row, flags) in rows.iter().zip(flags(lesson, rows)) {
        let passed = if row.passed() { "yes" } else { "no" };
        let mut cells = vec![row.student(), row.from.clone(), passed.to_owned()];
        let not_allowed: Vec<String> = row.violations.iter().map(ToString::to_string).collect();
        match &row.state {
            RowState::Checked(report) => {
                let met = report.goals.iter().filter(|g| g.passed).count();
                cells.push(met.to_string());
                cells.push(report.goals.len().to_string());
                for goal in &lesson.goals {
                    let result = report.goal(&goal.id);
                    cells.push(
                        result
                            .and_then(|r| r.measured)
                            .map(|v| format!("{v:.2}"))
                            .unwrap_or_default(),
                    );
                    cells.push(
                        result
                            .map_or("", |r| if r.passed { "yes" } else { "no" })
                            .to_owned(),
                    );
                }
                cells.push(not_allowed.join("; "));
                cells.push(flags.join("; "));
            }
            other => {
                cells.push(String::new());
                cells.push(lesson.goals.len().to_string());
                cells.extend(std::iter::repeat_n(String::new(), 2 * lesson.goals.len()));
                cells.push(not_allowed.join("; "));
                cells.push(match other {
                    RowState::Flagged(why) => why.clone(),
                    _ => "not checked yet".to_owned(),
                });
            }
        }
        lines.push(cells);
    }
    let table: String = lines
        .iter()
        .map(|cells| {
            cells
                .iter()
                .map(|c| quoted(c))
                .collect::<Vec<_>>()
                .join(",")
        })
        .map(|line| line + "\r\n")
        .collect();
    format!("\u{FEFF}{table}")
}

/// A CSV field, quoted when it holds a comma, a quote or a line break; a field a spreadsheet
/// would run as a formula or whose start it would take apart (`=`, `+`, `-`, `@`, a tab or a
/// carriage return first; a number, negative or not, stays a number) gets a leading
/// apostrophe (OWASP, CSV injection).
fn quoted(cell: &str) -> String {
    let cell = if cell.starts_with(['=', '+', '@', '\t', '\r'])
        || (cell.starts_with('-') && cell.parse::<f64>().is_err())
    {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row for `student`'s hand-in of `lesson` playing `mix`, not checked yet.
    fn row_of(lesson: &Lesson, student: &str, mix: mixroom_protocol::session::Session) -> Row {
        let hand_in = HandIn::new(lesson, student, mix);
        row(
            format!("{student}.json"),
            Ok(IncomingHandIn {
                hand_in,
                refused: Vec::new(),
            }),
            lesson,
        )
    }

    #[test]
    fn the_csv_opens_right_in_a_spreadsheet_and_runs_nothing() {
        // Reference: OWASP "CSV Injection" (a leading =, +, -, @, tab or CR), RFC 4180 quoting,
        // and the UTF-8 byte order mark that spreadsheets read as "this is UTF-8".
        let lesson = mixroom_demo::lessons::lesson("static-balance").expect("a built-in lesson");
        let mut locked = lesson.start.clone();
        locked.tracks[0]
            .strip
            .set(mixroom_protocol::params::ParamId::Eq1GainDb, 6.0);
        let mut moved = lesson.start.clone();
        moved.tracks[1]
            .strip
            .set(mixroom_protocol::params::ParamId::GainDb, -6.0);
        let rows = [
            row_of(&lesson, "=HYPERLINK(\"x\")", moved.clone()),
            row_of(&lesson, "\tTab", moved),
            row_of(&lesson, "-2+3", locked),
            row_of(&lesson, "زهرا\u{200C}ی", lesson.start.clone()),
            row_of(&lesson, "Linus", lesson.start.clone()),
        ];
        let csv = csv(&lesson, &rows);
        assert!(csv.starts_with('\u{FEFF}'), "a byte order mark first");
        let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').split("\r\n").collect();
        assert!(lines[0].starts_with("student,from,passed,goals met,goals,"));
        let formula = "\"'=HYPERLINK(\"\"x\"\")\",\"'=HYPERLINK(\"\"x\"\").json\",no,";
        assert!(lines[1].starts_with(formula), "{}", lines[1]);
        assert!(lines[2].starts_with("'\tTab,"), "{}", lines[2]);
        assert!(lines[3].starts_with("'-2+3,'-2+3.json,no,"), "{}", lines[3]);
        assert!(lines[3].contains("locked control changed"), "{}", lines[3]);
        assert!(
            lines[4].starts_with("زهرا\u{200C}ی,"),
            "names in any script as written"
        );
        // The same mix twice, both rows told; the one with the EQ boost matches neither; two
        // hand-ins of the start left as it was copy nobody.
        let flags = flags(&lesson, &rows);
        assert!(flags[0].iter().any(|f| f.contains("the same mix as")));
        assert!(!flags[2].iter().any(|f| f.contains("the same mix as")));
        assert!(flags[3].is_empty() && flags[4].is_empty(), "{flags:?}");
        assert_eq!(quoted("-14.25"), "-14.25", "a number stays a number");
    }

    #[test]
    fn cached_flags_follow_rows_added_one_by_one_and_their_states() {
        // The cache answers as `flags` does at every step: rows added one at a time (the
        // class table's "Add hand-ins"), a row's check moving on, a row flagged, a row removed.
        let lesson = Arc::new(mixroom_demo::lessons::lesson("static-balance").unwrap());
        let mut other = lesson.start.clone();
        other.tracks[1]
            .strip
            .set(mixroom_protocol::params::ParamId::GainDb, -6.0);
        let mut mine = lesson.start.clone();
        mine.tracks[2]
            .strip
            .set(mixroom_protocol::params::ParamId::GainDb, -3.0);
        let mixes = [mine.clone(), other.clone(), mine.clone(), other, mine];
        let mut cache = FlagsCache::default();
        let mut rows = Vec::new();
        for (i, mix) in mixes.into_iter().enumerate() {
            rows.push(row_of(&lesson, &format!("S{i}"), mix));
            assert_eq!(
                cache.of(&lesson, &rows),
                flags(&lesson, &rows),
                "{} rows",
                i + 1
            );
        }
        let same = |flags: &[String]| flags.iter().filter(|f| f.contains("same mix")).count();
        assert_eq!(same(&cache.of(&lesson, &rows)[0]), 2, "S2 and S4");
        rows[0].state = RowState::Checking(40);
        assert_eq!(cache.of(&lesson, &rows), flags(&lesson, &rows));
        rows[2].state = RowState::Flagged("Not checked: no audio.".to_owned());
        assert_eq!(cache.of(&lesson, &rows), flags(&lesson, &rows));
        assert_eq!(
            same(&cache.of(&lesson, &rows)[0]),
            1,
            "a flagged row is no match"
        );
        rows.remove(4);
        assert_eq!(cache.of(&lesson, &rows), flags(&lesson, &rows));
        assert_eq!(same(&cache.of(&lesson, &rows)[0]), 0);
        // The same hand-in added again is another row, with its own line.
        let again = rows[1].clone();
        rows.push(again);
        assert_eq!(cache.of(&lesson, &rows), flags(&lesson, &rows));
        let another = Arc::new((*lesson).clone());
        assert_eq!(cache.of(&another, &rows), flags(&another, &rows));
    }
}

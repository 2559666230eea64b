//! The lessons as data: valid, strictly; through JSON and `#lesson=` links unchanged.

use mixroom_protocol::lesson::{wire, Lesson, Reference};

use super::*;

#[test]
fn every_lesson_opens_strictly_and_round_trips() {
    // Reference: the protocol's strict reader (nothing refused) and its link codec.
    let all = lessons();
    assert!(all.len() >= 6);
    for lesson in &all {
        let strict =
            Lesson::from_json(&lesson.to_json()).unwrap_or_else(|e| panic!("{}: {e}", lesson.id));
        assert_eq!(&strict, lesson);
        let link = format!(
            "https://mixroom.example/#lesson={}",
            wire::encode_lesson(lesson)
        );
        let opened = wire::open_lesson(&link).unwrap();
        assert!(
            opened.refused.is_empty(),
            "{}: {:?}",
            lesson.id,
            opened.refused
        );
        assert_eq!(&opened.lesson, lesson);
        assert_eq!(opened.lesson.fingerprint(), lesson.fingerprint());
        lesson.start.check().unwrap();
        let Some(Reference::Mix(reference)) = &lesson.reference else {
            panic!("{} has a reference mix", lesson.id)
        };
        reference.check().unwrap();
        assert_ne!(
            &lesson.start, reference,
            "{}: there is work to do",
            lesson.id
        );
        assert!(lesson.unknown_goal_kinds().is_empty());
    }
}

#[test]
fn ids_are_unique_and_found() {
    let all = lessons();
    for (i, lesson) in all.iter().enumerate() {
        assert!(all[..i].iter().all(|l| l.id != lesson.id), "{}", lesson.id);
        assert_eq!(super::lesson(&lesson.id).as_ref(), Some(lesson));
    }
    assert_eq!(super::lesson("no-such-lesson"), None);
}

#[test]
fn each_lesson_starts_where_the_one_before_ends() {
    let all = lessons();
    assert_eq!(all[0].start, crate::session());
    for pair in all.windows(2) {
        let Some(Reference::Mix(before)) = &pair[0].reference else {
            panic!()
        };
        let start = &pair[1].start;
        // Lessons 3 and 6 start from the previous reference with one flaw put in.
        let flawed = ["eq-unmask", "mastering"].contains(&pair[1].id.as_str());
        assert_eq!(start == before, !flawed, "{}", pair[1].id);
    }
}

#[test]
fn a_reference_changes_only_what_its_lesson_unlocks() {
    // Reference: Lesson::allows; the teacher plays by the student's rules.
    for lesson in lessons() {
        let Some(Reference::Mix(reference)) = &lesson.reference else {
            panic!()
        };
        let pairs = lesson
            .start
            .tracks
            .iter()
            .map(|t| &t.strip)
            .zip(reference.tracks.iter().map(|t| &t.strip))
            .chain(
                lesson
                    .start
                    .buses
                    .iter()
                    .map(|b| &b.strip)
                    .zip(reference.buses.iter().map(|b| &b.strip)),
            )
            .chain(
                lesson
                    .start
                    .returns
                    .iter()
                    .map(|r| &r.strip)
                    .zip(reference.returns.iter().map(|r| &r.strip)),
            )
            .chain([(&lesson.start.master, &reference.master)]);
        for (start, reference) in pairs {
            for spec in mixroom_protocol::params::PARAMS.iter() {
                if start.value(spec.id) != reference.value(spec.id) {
                    assert!(
                        lesson.allows(spec.id),
                        "{}: {} is locked",
                        lesson.id,
                        spec.key
                    );
                }
            }
        }
    }
}

#[test]
fn fingerprints_do_not_change() {
    // Reference: each lesson's fingerprint as computed before the fingerprint named files by
    // their name alone (these lessons play demo stems, named by id, so none may move):
    // hand-ins already sent answer these.
    let pinned = [
        (
            "static-balance",
            "fde61084d19f02fc188c00ed2f5a8f7aa9461129ec16bb0c7539d086da49a927",
        ),
        (
            "stereo-field",
            "c0e5da4f7a364c5b08dd44eeed432c2ccf74f372ea76c991d7ccd212dd74dc32",
        ),
        (
            "eq-unmask",
            "ef0152e8f25fd6849697fdf4c4138ffe6cadbec2a4a1c450efa0512a0943c8f1",
        ),
        (
            "compression",
            "b4ce07903ed58994d5e9531ebbac056480821e8985bf0b1f3c09cf9e305fd74d",
        ),
        (
            "space",
            "ab840548569795cd9a79067f690f9b52097a08019bce8ba96f69635019390fc7",
        ),
        (
            "mastering",
            "ba8584f436d30832a67483a7f5a56ab864324ceebbb90179f261c6bb6ef353b1",
        ),
    ];
    let all = lessons();
    assert_eq!(all.len(), pinned.len());
    for (lesson, (id, fingerprint)) in all.iter().zip(pinned) {
        assert_eq!(lesson.id, id);
        assert_eq!(lesson.fingerprint(), fingerprint, "{id}");
    }
}

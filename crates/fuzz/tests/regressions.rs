//! Every input under `regressions/<target>/` (failures `cargo xtask fuzz` found, since fixed,
//! and inputs that make a decoder panic) runs through its target again: no panic escapes and
//! no contract is broken.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use mixroom_fuzz::targets::{self, Verdict};

#[test]
fn found_inputs_keep_their_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let targets = targets::all();
    let mut checked = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue; // the README
        }
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let target = targets
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no target named {name}"));
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            let verdict = panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)))
                .unwrap_or_else(|_| panic!("{} panics", path.display()));
            assert!(
                !matches!(verdict, Verdict::Violation(_)),
                "{}: {verdict:?}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked} inputs");
}

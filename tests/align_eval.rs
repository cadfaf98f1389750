//! The clause-alignment evaluation as a test: floors on the hand-annotated
//! set of `tests/eval/align/` (how it was annotated: its GUIDE.md; the full
//! report: `cargo run --release --example align_eval`, figures in
//! EVALUATION.md). The floors sit a little under the figures measured at the
//! default settings, so that a change that makes alignment worse fails here.

#[path = "eval/harness.rs"]
mod harness;

use harness::{evaluate, load_all, run_before, score, Part, Scores};
use policy_diff::compare::clauses::Settings;

#[test]
fn every_annotation_resolves_to_clauses() {
    let sets = load_all();
    assert_eq!(sets.len(), 5);
    let count = |k: &str| -> usize {
        sets.iter()
            .map(|s| s.lines.iter().filter(|l| l.kind == k).count())
            .sum()
    };
    // What the issue asks of the set: 60+ links over the seeds, 40+ between
    // laws, 20+ clauses without counterpart.
    let seed_links: usize = sets
        .iter()
        .filter(|s| !s.name.starts_with("laws"))
        .map(|s| s.lines.iter().filter(|l| l.kind == "link").count())
        .sum();
    assert!(seed_links >= 60, "{seed_links}");
    assert!(count("link") - seed_links >= 40);
    assert!(count("only_a") + count("only_b") >= 20);
    // Both parts are populated.
    for set in &sets {
        assert!(set.lines.iter().any(|l| l.tune), "{}", set.name);
        assert!(set.lines.iter().any(|l| !l.tune), "{}", set.name);
    }
}

#[test]
fn clause_alignment_beats_whole_provisions_on_the_test_part() {
    let sets = load_all();
    let after = evaluate(&sets, Part::Test, &Settings::default());
    let mut before = Scores::default();
    for set in &sets {
        let (links, pairs) = run_before(set);
        before.add(score(set, Part::Test, &links, &pairs));
    }
    // Measured (EVALUATION.md): clause F1 0.45 vs 0.15, pair F1 0.64 vs 0.46
    // (0.34 and 0.50 with words alone, before the word vectors and citations).
    assert!(after.clauses.f1() >= 0.43, "{after:?}");
    assert!(
        after.clauses.f1() > 2.0 * before.clauses.f1(),
        "{after:?} {before:?}"
    );
    assert!(after.provisions.f1() >= 0.61, "{after:?}");
    assert!(
        after.provisions.f1() > before.provisions.f1(),
        "{after:?} {before:?}"
    );
    // Parallel vs merely related: annotated related pairs are rarely linked,
    // and clauses without counterpart mostly stay alone.
    assert!(
        (after.related_linked as f64) < 0.15 * after.related as f64,
        "{after:?}"
    );
    assert!(
        after.unique_kept as f64 >= 0.85 * after.unique as f64,
        "{after:?}"
    );
}

#[test]
fn tuning_part_floors() {
    let sets = load_all();
    let s = evaluate(&sets, Part::Tune, &Settings::default());
    assert!(s.clauses.f1() >= 0.52, "{s:?}");
    assert!(s.provisions.f1() >= 0.71, "{s:?}");
}

#[test]
fn compare_rows_place_parallel_measures_together() {
    // Same-row placement over every topic, the seeds one column per document
    // (EVALUATION.md): measured F1 0.26 on the test part, 0.07 before.
    let sets = load_all();
    let after = harness::score_rows(&sets, Part::Test, &harness::compare_rows());
    let before = harness::score_rows(&sets, Part::Test, &harness::compare_rows_before());
    assert!(after.f1() >= 0.25, "{after:?}");
    assert!(
        after.precision() > 3.0 * before.precision(),
        "{after:?} {before:?}"
    );
    assert!(after.recall() >= before.recall(), "{after:?} {before:?}");
}

//! Metadata detection on the hand-annotated sample of the laws bench corpus
//! (`tests/eval/meta/`, NOTES.md says how each value was decided). Before the
//! adoption and amendment lines were read, 74 of the 270 values were right
//! (27%, most of them documents with nothing to detect); EVALUATION.md has
//! the figures and `cargo run --release --example meta_eval` prints them.

#[path = "eval/meta_harness.rs"]
mod meta_harness;

use meta_harness::{load_sample, score_sample};

#[test]
fn annotated_sample_accuracy() {
    let sample = load_sample();
    assert!(sample.len() >= 30, "{} documents annotated", sample.len());
    let s = score_sample(&sample);
    let accuracy = s.correct as f64 / s.values as f64;
    assert!(
        accuracy >= 0.97,
        "accuracy {accuracy:.3} ({}/{}); wrong:\n{}",
        s.correct,
        s.values,
        s.errors.join("\n")
    );
    for (field, (ok, n)) in &s.per_field {
        assert!(
            *ok as f64 >= 0.9 * *n as f64,
            "{field}: {ok}/{n}; wrong:\n{}",
            s.errors.join("\n")
        );
    }
}

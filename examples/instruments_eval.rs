//! The policy-instrument evaluation report (EVALUATION.md takes its figures
//! from here): `cargo run --release --example instruments_eval`.
//!
//! Prints the threshold sweep on the tuning part of `tests/eval/instruments/`
//! and, at the shipped threshold, per-family and per-sub-type precision,
//! recall and F1 and Cohen's kappa on the tuning and the test part.

#[path = "../tests/eval/instruments_harness.rs"]
mod harness;

use harness::{evaluate, load, Part, Scores};
use policy_diff::instruments::{Framework, DEFAULT, THRESHOLD};

fn line(name: &str, s: &Scores) -> String {
    format!(
        "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
        s.clauses,
        s.family_micro.precision(),
        s.family_micro.recall(),
        s.family_micro.f1(),
        s.family_kappa,
        s.subtype_micro.precision(),
        s.subtype_micro.recall(),
        s.subtype_micro.f1(),
        s.subtype_kappa,
    )
}

fn main() {
    let fw = Framework::builtin(DEFAULT).expect("built-in framework");
    let (tune, test) = (load(Part::Tune), load(Part::Test));
    println!("## Threshold sweep (tuning part)\n");
    println!("| threshold | clauses | family P | family R | family F1 | family κ | sub-type P | sub-type R | sub-type F1 | sub-type κ |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for t in [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0] {
        println!("{}", line(&format!("{t}"), &evaluate(&fw, &tune, t)));
    }
    println!("\n## At the shipped threshold {THRESHOLD}\n");
    println!("| part | clauses | family P | family R | family F1 | family κ | sub-type P | sub-type R | sub-type F1 | sub-type κ |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let (a, b) = (
        evaluate(&fw, &tune, THRESHOLD),
        evaluate(&fw, &test, THRESHOLD),
    );
    println!("{}", line("tune", &a));
    println!("{}", line("test", &b));
    println!(
        "\ncoded vs uncoded (does the clause state an instrument?): tune P {:.3} R {:.3} κ {:.3}; test P {:.3} R {:.3} κ {:.3}",
        a.coded.precision(),
        a.coded.recall(),
        a.coded_kappa,
        b.coded.precision(),
        b.coded.recall(),
        b.coded_kappa
    );
    println!("\n## Per label, test part\n");
    println!("| label | gold | coded | P | R | F1 |");
    println!("|---|---|---|---|---|---|");
    for (name, p) in b.families.iter().chain(&b.subtypes) {
        println!(
            "| {name} | {} | {} | {:.3} | {:.3} | {:.3} |",
            p.tp + p.fn_,
            p.tp + p.fp,
            p.precision(),
            p.recall(),
            p.f1()
        );
    }
}

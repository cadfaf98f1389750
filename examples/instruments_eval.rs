//! The policy-instrument evaluation report (EVALUATION.md takes its figures
//! from here): `cargo run --release --example instruments_eval`.
//!
//! Prints, on the tuning part of `tests/eval/instruments/` only, the sweep
//! of the coding settings (threshold × ratio × most codes) and a 5-fold
//! cross-validation of choosing them (folds by provision); then, at the
//! shipped settings, per-family and per-sub-type precision, recall and F1
//! and Cohen's kappa on the tuning and the test part.

#[path = "../tests/eval/instruments_harness.rs"]
mod harness;

use harness::{evaluate, fold, load, shipped, Item, Part, Scores, TEST_COPIES_OF_TUNE};
use policy_diff::instruments::{Framework, Settings, DEFAULT, SETTINGS};

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
    let grid: Vec<Settings> = [0.5, 1.0, 1.5, 2.0]
        .into_iter()
        .flat_map(|threshold| {
            [0.0, 0.5, 0.6, 0.7, 0.8, 1.0]
                .into_iter()
                .flat_map(move |ratio| {
                    [1, 2, 3, 15].into_iter().map(move |max_codes| Settings {
                        threshold,
                        ratio,
                        max_codes,
                    })
                })
        })
        .collect();
    let kappa = |items: &[Item], s: Settings| evaluate(&fw, items, s).family_kappa;
    let best = |items: &[Item]| {
        // Best family kappa; ties to the earlier (lower) settings.
        let mut best = (f64::MIN, grid[0]);
        for s in &grid {
            let k = kappa(items, *s);
            if k > best.0 + 1e-12 {
                best = (k, *s);
            }
        }
        best.1
    };
    println!(
        "## Settings (tuning part): the best 12 of {} by family κ\n",
        grid.len()
    );
    println!("| threshold · ratio · most codes | clauses | family P | family R | family F1 | family κ | sub-type P | sub-type R | sub-type F1 | sub-type κ |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut ranked: Vec<(f64, Settings)> = grid.iter().map(|s| (kappa(&tune, *s), *s)).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let name = |s: &Settings| format!("{} · {} · {}", s.threshold, s.ratio, s.max_codes);
    for (_, s) in ranked.iter().take(12) {
        println!("{}", line(&name(s), &evaluate(&fw, &tune, *s)));
    }
    let cue_only = Settings {
        threshold: 1.0,
        ratio: 0.0,
        max_codes: 15,
    };
    println!(
        "{}",
        line(
            "1 · 0 · 15 (no ratio, no limit)",
            &evaluate(&fw, &tune, cue_only)
        )
    );
    // Cross-validation inside the tuning part: settings chosen on four
    // folds, the fifth coded with them.
    let mut pairs = vec![];
    for k in 0..5 {
        let (train, held): (Vec<Item>, Vec<Item>) =
            tune.iter().cloned().partition(|i| fold(i) != k);
        let s = best(&train);
        println!("\nfold {k}: {} held out, chosen {}", held.len(), name(&s));
        pairs.push((held, s));
    }
    let cv = cv_scores(&fw, &pairs);
    println!(
        "\ncross-validated on the tuning part: family F1 {:.3}, κ {:.3}; sub-type F1 {:.3}, κ {:.3}",
        cv.family_micro.f1(),
        cv.family_kappa,
        cv.subtype_micro.f1(),
        cv.subtype_kappa
    );
    println!("shipped: {}", name(&SETTINGS));
    println!(
        "\n## The cue-term rules alone, at the shipped settings {}\n",
        name(&SETTINGS)
    );
    println!("| part | clauses | family P | family R | family F1 | family κ | sub-type P | sub-type R | sub-type F1 | sub-type κ |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let (a, b) = (
        evaluate(&fw, &tune, SETTINGS),
        evaluate(&fw, &test, SETTINGS),
    );
    let fresh: Vec<_> = test
        .iter()
        .filter(|i| !TEST_COPIES_OF_TUNE.contains(&i.clause_id.as_str()))
        .cloned()
        .collect();
    let c = evaluate(&fw, &fresh, SETTINGS);
    println!("{}", line("tune", &a));
    println!("{}", line("test", &b));
    println!("{}", line("test without the 16 copies of tune clauses", &c));
    let held = evaluate(&fw, &load(Part::Held), SETTINGS);
    println!("{}", line("held-out (second coder)", &held));
    println!(
        "\n## The shipped coding: the rules, then the learned model (trained on tune + train)\n"
    );
    println!("| part | clauses | family P | family R | family F1 | family κ | sub-type P | sub-type R | sub-type F1 | sub-type κ |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let (b, c, held) = (
        shipped(&fw, &test),
        shipped(&fw, &fresh),
        shipped(&fw, &load(Part::Held)),
    );
    println!("{}", line("test", &b));
    println!("{}", line("test without the 16 copies of tune clauses", &c));
    println!("{}", line("held-out (second coder)", &held));
    println!("\n(The tables below are of the shipped coding.)");
    println!(
        "\ncoded vs uncoded (does the clause state an instrument?): test P {:.3} R {:.3} κ {:.3}",
        b.coded.precision(),
        b.coded.recall(),
        b.coded_kappa
    );
    println!("\n## Per family, test part: clauses where tool and hand coding agree or not\n");
    println!("| family | both | tool only | hand only | neither |");
    println!("|---|---|---|---|---|");
    for (name, p) in &b.families {
        println!(
            "| {name} | {} | {} | {} | {} |",
            p.tp,
            p.fp,
            p.fn_,
            b.clauses - p.tp - p.fp - p.fn_
        );
    }
    println!("\n## Per family, held-out set (second coder)\n");
    println!("| family | P | R | F1 | both | tool only | hand only |");
    println!("|---|---|---|---|---|---|---|");
    for (name, p) in &held.families {
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
            p.precision(),
            p.recall(),
            p.f1(),
            p.tp,
            p.fp,
            p.fn_
        );
    }
    println!(
        "\ncoded vs uncoded, held-out: P {:.3} R {:.3} κ {:.3}",
        held.coded.precision(),
        held.coded.recall(),
        held.coded_kappa
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

/// The figures of the held-out folds pooled: each fold coded with the
/// settings chosen without it.
fn cv_scores(fw: &Framework, folds: &[(Vec<Item>, Settings)]) -> Scores {
    harness::pool(
        &folds
            .iter()
            .map(|(items, s)| (items.as_slice(), *s))
            .collect::<Vec<_>>(),
        fw,
    )
}

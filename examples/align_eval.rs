//! The clause-alignment evaluation report (EVALUATION.md takes its figures
//! from here): `cargo run --release --example align_eval`.
//!
//! Prints, for the annotation sets of `tests/eval/align/`: the figures of
//! the whole-provision aligner this replaced ("before") and of clause
//! alignment at the default settings ("after") on the tuning and the test
//! part, the threshold sweep on the tuning part, and the score distribution
//! of annotated parallel and related pairs.

#[path = "../tests/eval/harness.rs"]
mod harness;

use harness::{evaluate, gold_scores, load_all, run_before, score, Part, Scores};
use policy_diff::compare::clauses::semantic::WordVectors;
use policy_diff::compare::clauses::Settings;

fn row(name: &str, s: &Scores) -> String {
    format!(
        "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {}/{} | {}/{} | {}/{} |",
        s.provisions.precision(),
        s.provisions.recall(),
        s.provisions.f1(),
        s.clauses.precision(),
        s.clauses.recall(),
        s.clauses.f1(),
        s.unique_kept,
        s.unique,
        s.related_linked,
        s.related,
        s.secondary_tp,
        s.secondary_judged,
    )
}

const HEADER: &str = "| run | pair P | pair R | pair F1 | clause P | clause R | clause F1 | unique kept | related linked | secondary pairs correct |\n|---|---|---|---|---|---|---|---|---|---|";

/// `base` with the `key=value` pairs of `spec` (comma-separated) applied.
fn with(base: Settings, spec: &str) -> Settings {
    let mut s = base;
    for kv in spec.split(',').filter(|x| !x.trim().is_empty()) {
        let (k, v) = kv.split_once('=').expect("key=value");
        let v: f64 = v.trim().parse().expect("a number");
        match k.trim() {
            "close" => s.close = v,
            "related" => s.related = v,
            "ratio" => s.ratio = v,
            "ratio_short" => s.ratio_short = v,
            "cover" => s.cover_share = v,
            "short" => s.short_chars = v,
            "rare" => s.rare_weight = v,
            "raise" => s.rare_raise = v,
            "context" => s.context = v,
            "sem" => s.semantic = v,
            "second" => s.second = v,
            "cite" => s.cite = v,
            "floor" => s.semantic_floor = v,
            "background" => s.background = v > 0.0,
            other => panic!("unknown setting {other}"),
        }
    }
    s
}

fn main() {
    if let Some(path) = std::env::var_os("ALIGN_EVAL_VECTORS") {
        // A candidate word-vector table instead of data/word_vectors.bin.
        let bytes = std::fs::read(&path).expect("ALIGN_EVAL_VECTORS: a readable file");
        let table = WordVectors::parse(&bytes).expect("ALIGN_EVAL_VECTORS: a word-vector table");
        WordVectors::use_instead(table);
    }
    let sets = load_all();
    let settings = Settings::default();
    if std::env::var_os("ALIGN_EVAL_GRID").is_some() {
        // Grid search on the tuning part: the settings with the best mean of
        // provision-pair F1 and clause-link F1.
        let mut results = vec![];
        for close in [0.30, 0.36, 0.42] {
            for rare_raise in [0.1, 0.2, 0.3, 1.0] {
                for rare_weight in [0.5, 0.7] {
                    for cover_share in [0.5, 0.75] {
                        let s = Settings {
                            close,
                            rare_raise,
                            rare_weight,
                            cover_share,
                            ..settings
                        };
                        let r = evaluate(&sets, Part::Tune, &s);
                        let mean = (r.provisions.f1() + r.clauses.f1()) / 2.0;
                        results.push((
                            mean,
                            format!("close {close} raise {rare_raise} rare {rare_weight} cover {cover_share}"),
                            r,
                        ));
                    }
                }
            }
        }
        results.sort_by(|a, b| b.0.total_cmp(&a.0));
        println!("{HEADER}");
        for (_, name, r) in results.iter().take(15) {
            println!("{}", row(name, r));
        }
        return;
    }
    if let Ok(spec) = std::env::var("ALIGN_EVAL_TRY") {
        // Settings to try on the tuning part: `key=value,key=value;…`.
        println!("{HEADER}");
        for one in spec.split(';').filter(|x| !x.trim().is_empty()) {
            let s = with(settings, one);
            println!("{}", row(one.trim(), &evaluate(&sets, Part::Tune, &s)));
        }
        return;
    }
    if std::env::var_os("ALIGN_EVAL_RANKS").is_some() {
        // How often an annotated link's gold partner is its clause's best
        // partner (tuning part), by the lexical score, the semantic cosine
        // and blends of the two.
        let s = Settings {
            semantic: 1e-9,
            ..settings
        };
        type Measure = Box<dyn Fn(&policy_diff::compare::clauses::ClauseScore) -> f64>;
        let mut measures: Vec<(String, Measure)> = vec![
            ("lexical".into(), Box::new(|c| c.similarity)),
            ("semantic".into(), Box::new(|c| c.semantic)),
        ];
        for w in [0.1, 0.2, 0.3, 0.5] {
            for f in [0.0, 0.2, 0.4] {
                measures.push((
                    format!("lexical + {w} (semantic - {f})+"),
                    Box::new(move |c| c.similarity + w * (c.semantic - f).max(0.0)),
                ));
            }
        }
        println!("| measure | links | best for A | best for B | both |\n|---|---|---|---|---|");
        for (name, m) in &measures {
            let mut t = (0, 0, 0, 0);
            for set in &sets {
                let r = harness::gold_ranks(set, Part::Tune, &s, m.as_ref());
                t = (t.0 + r.0, t.1 + r.1, t.2 + r.2, t.3 + r.3);
            }
            println!("| {name} | {} | {} | {} | {} |", t.0, t.1, t.2, t.3);
        }
        return;
    }
    if let Ok(name) = std::env::var("ALIGN_EVAL_ERRORS") {
        // Reading the tuning part's errors (never the test part's).
        for set in sets.iter().filter(|s| s.name.contains(&name)) {
            println!("# {}", set.name);
            for e in harness::tuning_errors(set, &settings) {
                println!("{e}");
            }
        }
        return;
    }
    println!("## Sets\n");
    println!("| set | A | B | links | related | unique | tuning lines | test lines |\n|---|---|---|---|---|---|---|---|");
    for s in &sets {
        let count = |k: &str| s.lines.iter().filter(|l| l.kind == k).count();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            s.name,
            s.a_name,
            s.b_name,
            count("link"),
            count("related"),
            count("only_a") + count("only_b"),
            s.lines.iter().filter(|l| l.tune).count(),
            s.lines.iter().filter(|l| !l.tune).count()
        );
    }
    for part in [Part::Tune, Part::Test] {
        println!("\n## {part:?} part: before and after\n\n{HEADER}");
        let mut before = Scores::default();
        for set in &sets {
            let (links, pairs) = run_before(set);
            before.add(score(set, part, &links, &pairs));
        }
        println!("{}", row("before: whole provisions", &before));
        println!(
            "{}",
            row("after: clauses", &evaluate(&sets, part, &settings))
        );
        let no_bg = Settings {
            background: false,
            ..settings
        };
        println!(
            "{}",
            row("after, no background IDF", &evaluate(&sets, part, &no_bg))
        );
        // What issue 14's third session added, one part at a time.
        let lexical = Settings {
            semantic: 0.0,
            cite: 0.0,
            ..settings
        };
        println!(
            "{}",
            row(
                "after, words only (no vectors, no citations)",
                &evaluate(&sets, part, &lexical)
            )
        );
        let no_vectors = Settings {
            semantic: 0.0,
            ..settings
        };
        println!(
            "{}",
            row(
                "after, no word vectors",
                &evaluate(&sets, part, &no_vectors)
            )
        );
        let no_cite = Settings {
            cite: 0.0,
            ..settings
        };
        println!(
            "{}",
            row("after, no citations", &evaluate(&sets, part, &no_cite))
        );
        for set in &sets {
            let (links, pairs) = harness::run(set, &settings);
            println!(
                "{}",
                row(
                    &format!("  {}", set.name),
                    &score(set, part, &links, &pairs)
                )
            );
        }
    }
    println!(
        "\n## `compare`: same-row placement (seed sets, every topic, one column per document)\n"
    );
    println!("| run | part | P | R | F1 |\n|---|---|---|---|---|");
    let (after_rows, before_rows) = (harness::compare_rows(), harness::compare_rows_before());
    for part in [Part::Tune, Part::Test] {
        for (name, rows) in [
            ("before: whole provisions", &before_rows),
            ("after: measures", &after_rows),
        ] {
            let c = harness::score_rows(&sets, part, rows);
            println!(
                "| {name} | {part:?} | {:.3} | {:.3} | {:.3} |",
                c.precision(),
                c.recall(),
                c.f1()
            );
        }
    }
    println!("\n## Threshold sweep (tuning part)\n\n{HEADER}");
    for t in [
        0.18, 0.20, 0.22, 0.24, 0.26, 0.28, 0.30, 0.32, 0.34, 0.36, 0.40, 0.45,
    ] {
        let s = Settings {
            close: t,
            ..settings
        };
        println!(
            "{}",
            row(&format!("close ≥ {t:.2}"), &evaluate(&sets, Part::Tune, &s))
        );
    }
    println!("\n## Ratio sweep (tuning part)\n\n{HEADER}");
    for r in [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0] {
        let s = Settings {
            ratio: r,
            ..settings
        };
        println!(
            "{}",
            row(&format!("ratio {r:.2}"), &evaluate(&sets, Part::Tune, &s))
        );
    }
    println!("\n## Coverage share sweep (tuning part)\n\n{HEADER}");
    for c in [0.0, 0.25, 0.5, 0.75] {
        let s = Settings {
            cover_share: c,
            ..settings
        };
        println!(
            "{}",
            row(&format!("cover {c:.2}"), &evaluate(&sets, Part::Tune, &s))
        );
    }
    println!("\n## Rare-word evidence sweep (tuning part)\n\n{HEADER}");
    for c in [0.0, 0.4, 0.5, 0.6, 0.8] {
        for r in [0.8, 0.9, 1.0] {
            let s = Settings {
                rare_weight: c,
                ratio: r,
                ..settings
            };
            println!(
                "{}",
                row(
                    &format!("rare {c:.2}, ratio {r:.2}"),
                    &evaluate(&sets, Part::Tune, &s)
                )
            );
        }
    }
    println!("\n## Context sweep (tuning part)\n\n{HEADER}");
    for c in [0.0, 0.1, 0.2, 0.3] {
        let s = Settings {
            context: c,
            ..settings
        };
        println!(
            "{}",
            row(&format!("context {c:.2}"), &evaluate(&sets, Part::Tune, &s))
        );
    }
    println!("\n## Word-vector share sweep (tuning part)\n\n{HEADER}");
    for (share, floor) in [
        (0.0, 0.3),
        (0.1, 0.3),
        (0.15, 0.3),
        (0.2, 0.2),
        (0.2, 0.3),
        (0.2, 0.4),
        (0.3, 0.3),
        (0.5, 0.3),
    ] {
        let s = Settings {
            semantic: share,
            semantic_floor: floor,
            ..settings
        };
        println!(
            "{}",
            row(
                &format!("vectors {share:.2}, floor {floor:.1}"),
                &evaluate(&sets, Part::Tune, &s)
            )
        );
    }
    println!("\n## Citation bonus sweep (tuning part)\n\n{HEADER}");
    for c in [0.0, 0.1, 0.2, 0.3, 0.4, 0.5] {
        let s = Settings {
            cite: c,
            ..settings
        };
        println!(
            "{}",
            row(&format!("cite {c:.1}"), &evaluate(&sets, Part::Tune, &s))
        );
    }
    println!("\n## Many-to-one sweep (tuning part)\n\n{HEADER}");
    for c in [0.5, 0.6, 0.7, 0.8, 2.0] {
        let s = Settings {
            second: c,
            ..settings
        };
        let name = if c > 1.0 {
            "second partner: never".to_string()
        } else {
            format!("second partner ≥ {c:.1}")
        };
        println!("{}", row(&name, &evaluate(&sets, Part::Tune, &s)));
    }
    println!("\n## Short-clause length sweep (tuning part)\n\n{HEADER}");
    for c in [1.0, 8.0, 12.0, 20.0] {
        let s = Settings {
            short_chars: c,
            ..settings
        };
        println!(
            "{}",
            row(&format!("short {c:.0}"), &evaluate(&sets, Part::Tune, &s))
        );
    }
    println!("\n## Score distribution (all annotated pairs)\n");
    let (mut links, mut related) = (vec![], vec![]);
    for set in &sets {
        let (l, r) = gold_scores(set, &settings);
        links.extend(l);
        related.extend(r);
    }
    println!("| score | parallel (link) | related |\n|---|---|---|");
    let bins = [
        0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8, 1.01,
    ];
    for w in bins.windows(2) {
        let c = |v: &[f64]| v.iter().filter(|&&x| x >= w[0] && x < w[1]).count();
        println!(
            "| {:.2}–{:.2} | {} | {} |",
            w[0],
            w[1].min(1.0),
            c(&links),
            c(&related)
        );
    }
}

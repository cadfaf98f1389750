//! The input of the instrument model's training script
//! (`tests/eval/instruments/train_model.py`): every hand-coded clause of
//! `tests/eval/instruments/`, one a line, tab-separated: part, clause id,
//! the hand codes, the codes of the cue-term rules alone (what the model
//! reads beside the text), the text and its context (the clause's headings)
//! in the form the model reads ([`model_text`]).
//!
//! `cargo run --release --example instrument_features > /tmp/features.tsv`

#[path = "../tests/eval/instruments_harness.rs"]
mod harness;

use harness::{load, Part};
use policy_diff::instruments::{model_text, rules, Framework, DEFAULT};

fn main() {
    let fw = Framework::builtin(DEFAULT).expect("built-in framework");
    println!("part\tclause_id\tgold\trules\ttext\tcontext");
    for (name, part) in [
        ("tune", Part::Tune),
        ("train", Part::Train),
        ("test", Part::Test),
        ("held", Part::Held),
    ] {
        for item in load(part) {
            let gold: Vec<&str> = item.codes.iter().map(String::as_str).collect();
            let coded: Vec<String> = rules(&fw, &item.text)
                .into_iter()
                .map(|c| c.instrument)
                .collect();
            println!(
                "{name}\t{}\t{}\t{}\t{}\t{}",
                item.clause_id,
                gold.join(";"),
                coded.join(";"),
                model_text(&item.text),
                model_text(&item.context)
            );
        }
    }
}

//! Coding a clause: which instruments its wording uses, with the cue terms
//! as evidence. Pure.
//!
//! Every cue term of every instrument is found in the clause's matching form
//! (the topic matcher); a term inside one of its instrument's exclude
//! contexts does not count, and of overlapping terms of one instrument only
//! the longest does. An instrument's score is the sum of the weights of the
//! distinct terms found (a term repeated counts once: long clauses are not
//! favoured). The clause carries every instrument whose score reaches
//! [`THRESHOLD`]; a clause that reaches none is left uncoded.

use serde::{Deserialize, Serialize};

use super::framework::Framework;
use crate::topics::matcher::{MatchText, Role};

/// The score an instrument needs in a clause (chosen on the tuning part of
/// `tests/eval/instruments/`, see EVALUATION.md).
pub const THRESHOLD: f64 = 1.0;

/// Version of the coding rules (bump when they change what is coded).
pub const CODING_VERSION: u32 = 1;

/// One instrument a clause carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Code {
    pub instrument: String,
    pub family: String,
    pub score: f64,
    /// The cue terms found, as written in the clause (left empty in caches).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// Every instrument's score in `text`, with its evidence, strongest first
/// (all instruments with a cue, reached the threshold or not).
pub fn scores(fw: &Framework, text: &str) -> Vec<Code> {
    let t = MatchText::new(text, true);
    let mut hits = vec![];
    fw.matcher.find(&t.chars, 0..t.chars.len(), &mut hits);
    // Exclude contexts per instrument.
    let excluded: Vec<(usize, usize, usize)> = hits
        .iter()
        .filter_map(|h| match fw.matcher.patterns[h.pattern].role {
            Role::Exclude { topic } => Some((topic, h.start, h.end)),
            Role::Term { .. } => None,
        })
        .collect();
    // (instrument, start, end, weight, pattern) of the terms that count.
    let mut terms: Vec<(usize, usize, usize, f64, usize)> = hits
        .iter()
        .filter_map(|h| match fw.matcher.patterns[h.pattern].role {
            Role::Term { topic, weight } => Some((topic, h.start, h.end, weight, h.pattern)),
            Role::Exclude { .. } => None,
        })
        .filter(|(i, s, e, _, _)| {
            !excluded
                .iter()
                .any(|(x, xs, xe)| x == i && xs <= s && e <= xe)
        })
        .collect();
    // Longest first, so that a term inside a longer one of the same
    // instrument is dropped.
    terms.sort_by_key(|(i, s, e, _, _)| (*i, std::cmp::Reverse(e - s), *s));
    let mut kept: Vec<(usize, usize, usize, f64, usize)> = vec![];
    for t in terms {
        let inside = kept.iter().any(|k| k.0 == t.0 && k.1 < t.2 && t.1 < k.2);
        if !inside {
            kept.push(t);
        }
    }
    let mut out: Vec<Code> = vec![];
    for (n, instrument) in fw.instruments.iter().enumerate() {
        let mut seen_patterns = vec![];
        let mut score = 0.0;
        let mut evidence: Vec<String> = vec![];
        let mut mine: Vec<&(usize, usize, usize, f64, usize)> =
            kept.iter().filter(|k| k.0 == n).collect();
        mine.sort_by_key(|k| k.1);
        for k in mine {
            if seen_patterns.contains(&k.4) {
                continue;
            }
            seen_patterns.push(k.4);
            score += k.3;
            evidence.push(t.original(k.1..k.2).to_string());
        }
        if score > 0.0 {
            out.push(Code {
                instrument: instrument.id.clone(),
                family: instrument.family.clone(),
                score,
                evidence,
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.instrument.cmp(&b.instrument))
    });
    out
}

/// The instruments `text` carries: those whose score reaches `threshold`.
pub fn code_with(fw: &Framework, text: &str, threshold: f64) -> Vec<Code> {
    let mut s = scores(fw, text);
    s.retain(|c| c.score >= threshold);
    s
}

/// The instruments `text` carries at [`THRESHOLD`].
pub fn code(fw: &Framework, text: &str) -> Vec<Code> {
    code_with(fw, text, THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::framework::DEFAULT;

    fn ids(text: &str) -> Vec<String> {
        let fw = Framework::builtin(DEFAULT).unwrap();
        let mut v: Vec<String> = code(&fw, text).into_iter().map(|c| c.instrument).collect();
        v.sort();
        v
    }

    #[test]
    fn clauses_carry_the_instruments_their_wording_uses() {
        assert_eq!(
            ids("设立产业发展基金，支持企业通过资本市场融资。"),
            ["environment.finance"]
        );
        assert_eq!(
            ids("对新引进的高层次人才给予安家补贴。"),
            ["supply.funding", "supply.talent"]
        );
        assert!(ids("坚持以习近平新时代中国特色社会主义思想为指导。").is_empty());
    }

    #[test]
    fn exclude_contexts_and_repeats() {
        // 亩均税收 is a land-use measure, not a tax incentive.
        assert!(
            !ids("建立以亩均税收为核心的综合评价机制。").contains(&"environment.tax".to_string())
        );
        let fw = Framework::builtin(DEFAULT).unwrap();
        let once = scores(&fw, "人才");
        let thrice = scores(&fw, "人才、人才、人才");
        assert_eq!(
            once[0].score, thrice[0].score,
            "a repeated term counts once"
        );
        assert_eq!(thrice[0].evidence, ["人才"]);
    }
}

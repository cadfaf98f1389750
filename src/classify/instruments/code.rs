//! Coding a clause: which instruments its wording uses, with the cue terms
//! as evidence. Pure.
//!
//! First the clause's function ([`function`](super::function)): a clause
//! that states no measure is left uncoded, and a goal or target statement
//! is coded as the framework's `goal_instrument` (its other instruments are
//! then coded as below, for a measure stated with its target).
//!
//! Every cue term of every instrument is found in the clause's matching form
//! (the topic matcher); a term inside one of its instrument's exclude
//! contexts does not count, and of overlapping terms of one instrument only
//! the longest does. An instrument's score is the sum of the weights of the
//! distinct terms found (a term repeated counts once: long clauses are not
//! favoured). The clause carries the strongest instrument whose score
//! reaches [`THRESHOLD`], and the next ones whose scores reach [`RATIO`] of
//! the strongest, at most [`MAX_CODES`] (a term named in passing beside the
//! clause's instrument is not coded); a clause that reaches none is left
//! uncoded.

use serde::{Deserialize, Serialize};

use super::framework::Framework;
use super::function::{function, Function};
use crate::classify::matcher::{MatchText, Role};

/// The score an instrument needs in a clause. This and [`RATIO`] and
/// [`MAX_CODES`] were chosen together on the tuning part of
/// `tests/eval/instruments/` (EVALUATION.md).
pub const THRESHOLD: f64 = 0.5;

/// The share of the strongest instrument's score another instrument of the
/// clause needs to be coded too.
pub const RATIO: f64 = 0.6;

/// At most this many instruments from cue terms per clause (the goal
/// instrument comes on top).
pub const MAX_CODES: usize = 2;

/// The cut-offs of coding, together (the evaluation sweeps them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub threshold: f64,
    pub ratio: f64,
    pub max_codes: usize,
}

/// The shipped settings.
pub const SETTINGS: Settings = Settings {
    threshold: THRESHOLD,
    ratio: RATIO,
    max_codes: MAX_CODES,
};

/// Version of the coding rules (bump when they change what is coded).
pub const CODING_VERSION: u32 = 4;

/// What became of an instrument with a cue in the clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Coded from its cue terms.
    Coded,
    /// Coded because the clause states a goal (the goal instrument).
    Goal,
    /// Under [`THRESHOLD`].
    Below,
    /// Under [`RATIO`] of the strongest instrument of the clause.
    Weak,
    /// Beyond [`MAX_CODES`].
    Cut,
    /// The clause states no measure.
    Uncoded,
}

impl Status {
    pub fn is_coded(self) -> bool {
        matches!(self, Status::Coded | Status::Goal)
    }
}

/// How a clause was coded, step by step (`instruments --explain`).
#[derive(Debug, Clone)]
pub struct Coding {
    pub function: Function,
    /// Every instrument with a cue (and the goal instrument of a goal),
    /// strongest first, with what became of it.
    pub steps: Vec<(Code, Status)>,
    /// The learned layer's view, when the framework has a model (the
    /// shipped coding, [`explain`], only): it decides the codes.
    pub learned: Option<Learned>,
}

/// The learned layer's decision on a clause ([`super::model`]).
#[derive(Debug, Clone, Serialize)]
pub struct Learned {
    /// The probability an instrument needs.
    pub threshold: f64,
    /// Every instrument of the model with its probability and the
    /// character grams of the clause that raise it most, most probable
    /// first.
    pub instruments: Vec<LearnedInstrument>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LearnedInstrument {
    pub instrument: String,
    pub probability: f64,
    pub grams: Vec<String>,
}

impl Coding {
    /// The codes the clause carries: the rules' (see [`Status::is_coded`]),
    /// or, when the framework has a model, the model's instruments that
    /// reach its threshold (with the rules' cue terms as evidence where the
    /// rules found any, else the model's grams), plus the rules' codes of
    /// instruments the model does not know (a user's additions).
    pub fn codes(self, fw: &Framework) -> Vec<Code> {
        let Some(learned) = self.learned else {
            return self
                .steps
                .into_iter()
                .filter(|(_, s)| s.is_coded())
                .map(|(c, _)| c)
                .collect();
        };
        let mut out = vec![];
        for l in learned
            .instruments
            .iter()
            .filter(|l| l.probability >= learned.threshold)
        {
            let Some(i) = fw.instruments.iter().find(|i| i.id == l.instrument) else {
                continue; // removed by the user's file
            };
            let cues = self
                .steps
                .iter()
                .find(|(c, _)| c.instrument == l.instrument)
                .map(|(c, _)| c.evidence.clone())
                .filter(|e| !e.is_empty());
            out.push(Code {
                instrument: i.id.clone(),
                family: i.family.clone(),
                score: l.probability,
                evidence: cues.unwrap_or_else(|| l.grams.clone()),
            });
        }
        for (c, s) in self.steps {
            if s.is_coded()
                && !learned
                    .instruments
                    .iter()
                    .any(|l| l.instrument == c.instrument)
            {
                out.push(c);
            }
        }
        out
    }
}

/// The coding of `text` with every step, with settings `s`.
pub fn explain_with(fw: &Framework, text: &str, s: Settings) -> Coding {
    let threshold = s.threshold;
    let f = function(text);
    let mut all = scores(fw, text);
    if let Function::Uncoded(_) = f {
        let steps = all.into_iter().map(|c| (c, Status::Uncoded)).collect();
        return Coding {
            function: f,
            steps,
            learned: None,
        };
    }
    let mut steps = vec![];
    if let (Function::Goal(markers), Some(goal)) = (&f, &fw.goal_instrument) {
        let own = all.iter().position(|c| &c.instrument == goal);
        let mut code = match own {
            Some(n) => all.remove(n),
            None => Code {
                instrument: goal.clone(),
                family: fw
                    .instruments
                    .iter()
                    .find(|i| &i.id == goal)
                    .map_or(String::new(), |i| i.family.clone()),
                score: 0.0,
                evidence: vec![],
            },
        };
        code.score = code.score.max(threshold);
        code.evidence.extend(markers.iter().cloned());
        steps.push((code, Status::Goal));
    }
    let top = all.first().map_or(0.0, |c| c.score);
    let mut taken = 0;
    for c in all {
        let status = if c.score < threshold {
            Status::Below
        } else if c.score < s.ratio * top {
            Status::Weak
        } else if taken >= s.max_codes {
            Status::Cut
        } else {
            taken += 1;
            Status::Coded
        };
        steps.push((c, status));
    }
    Coding {
        function: f,
        steps,
        learned: None,
    }
}

/// The shipped coding of `text` under `context` (the clause's headings,
/// [`clause_context`](super::clause_context)), with every step: the rules
/// at the shipped [`SETTINGS`] (which read the text only), then the
/// framework's model if it has one.
pub fn explain(fw: &Framework, text: &str, context: &str) -> Coding {
    let mut coding = explain_with(fw, text, SETTINGS);
    if let Some(model) = fw.model {
        let coded: Vec<(&str, &str)> = coding
            .steps
            .iter()
            .filter(|(_, s)| s.is_coded())
            .map(|(c, _)| (c.instrument.as_str(), c.family.as_str()))
            .collect();
        let p = model.predict(text, context, &coded);
        let mut instruments: Vec<LearnedInstrument> = model
            .labels
            .iter()
            .zip(p.probabilities)
            .zip(p.grams)
            .map(|((l, probability), grams)| LearnedInstrument {
                instrument: l.clone(),
                probability,
                grams,
            })
            .collect();
        instruments.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then(a.instrument.cmp(&b.instrument))
        });
        coding.learned = Some(Learned {
            threshold: model.threshold,
            instruments,
        });
    }
    coding
}

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

/// The instruments the cue-term rules alone give `text` with settings `s`
/// (the evaluation sweeps them; the learned layer is not applied).
pub fn code_with(fw: &Framework, text: &str, s: Settings) -> Vec<Code> {
    explain_with(fw, text, s)
        .steps
        .into_iter()
        .filter(|(_, s)| s.is_coded())
        .map(|(c, _)| c)
        .collect()
}

/// The instruments the cue-term rules alone give `text` (the shipped
/// settings): what the learned layer reads beside the text.
pub fn rules(fw: &Framework, text: &str) -> Vec<Code> {
    code_with(fw, text, SETTINGS)
}

/// The instruments `text` carries under `context`: the shipped coding
/// ([`explain`]).
pub fn code(fw: &Framework, text: &str, context: &str) -> Vec<Code> {
    explain(fw, text, context).codes(fw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::instruments::framework::DEFAULT;

    fn ids(text: &str) -> Vec<String> {
        let fw = Framework::builtin(DEFAULT).unwrap();
        let mut v: Vec<String> = rules(&fw, text).into_iter().map(|c| c.instrument).collect();
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

    #[test]
    fn what_the_clause_does_comes_first() {
        // A preamble names a pilot and the FTZ but states no measure.
        assert!(
            ids("为贯彻落实省委省政府决策部署，切实增强自贸试验区示范引领作用，制定本方案。")
                .is_empty()
        );
        // A quantified target is a target, not a measure of its own.
        assert_eq!(
            ids("新增高新技术企业数 100 家，高新技术产业增加值占规模以上工业增加值比重达到 80% 以上。"),
            ["environment.targets"]
        );
        let fw = Framework::builtin(DEFAULT).unwrap();
        let c = explain_with(&fw, "力争引进外资项目 20 个。", SETTINGS);
        assert!(matches!(c.function, Function::Goal(_)));
        let goal = c.steps.iter().find(|(_, s)| *s == Status::Goal).unwrap();
        assert_eq!(goal.0.instrument, "environment.targets");
        assert!(goal.0.evidence.contains(&"力争".to_string()));
        // The measure stated with its target keeps its own code.
        assert!(rules(&fw, "力争引进外资项目 20 个。")
            .iter()
            .any(|c| c.instrument == "demand.trade"));
    }

    #[test]
    fn a_term_named_in_passing_is_not_coded() {
        let fw = Framework::builtin(DEFAULT).unwrap();
        // 保税 (trade, 2.0) is the clause's instrument; 研发 (technology,
        // 1.0) names what is bonded: under 0.6 of the strongest.
        let c = explain_with(
            &fw,
            "推进企业依托海关特殊监管区域开展面向国内外市场的高技术、高附加值的检测维修、保税研发等保税服务业务。",
            SETTINGS,
        );
        let status = |id: &str| c.steps.iter().find(|(x, _)| x.instrument == id).unwrap().1;
        assert_eq!(status("demand.trade"), Status::Coded);
        assert_eq!(status("supply.technology"), Status::Weak);
        // Never more than MAX_CODES instruments from cue terms.
        let text = "设立产业基金，给予补贴，建设孵化器。";
        let c = explain_with(&fw, text, SETTINGS);
        let coded = c.steps.iter().filter(|(_, s)| *s == Status::Coded).count();
        assert_eq!(coded, MAX_CODES);
        assert!(c.steps.iter().any(|(_, s)| *s == Status::Cut));
    }
}

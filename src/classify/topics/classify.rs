//! Provision classification: which topics a provision is *about*.
//!
//! A provision is read in three zones, all in matching form (see
//! [`matcher`](crate::classify::matcher)):
//! - its own heading (numbering marker removed),
//! - its parent heading (the last element of `path`, when it differs),
//! - its body: the text without the heading it starts with and without the
//!   trailing responsible-unit note (`（责任单位：市财政局…）`), which names
//!   departments, not subjects.
//!
//! Per topic, term hits are summed by weight; a hit inside one of the topic's
//! `exclude` contexts does not count, and a hit contained in a longer hit of
//! the same topic is absorbed by it. Hits that are one item of an
//! enumeration (`科技创新、产业促进、人才引进、市场准入…`) where most items are
//! about something else count [`LIST_FACTOR`] of their weight. Then
//!
//! ```text
//! score = HEADING_WEIGHT * min(heading, ZONE_CAP)
//!       + PARENT_WEIGHT  * min(parent, ZONE_CAP)
//!       + 100 * body / max(body_chars, BODY_MIN_CHARS)
//! ```
//!
//! so the body counts as weighted hits per 100 characters: a passing mention
//! in a long paragraph stays far below [`THRESHOLD`], a heading term or a
//! dense body passes it.

use std::collections::HashMap;

use serde::Serialize;

use super::taxonomy::Taxonomy;
use crate::classify::matcher::{Hit, MatchText, Role};
use crate::corpus::{Provision, ProvisionKind};
use crate::text::fold;

/// A provision is on a topic when its score reaches this.
pub const THRESHOLD: f64 = 2.5;
/// Multiplier of the provision's own heading hits.
pub const HEADING_WEIGHT: f64 = 3.0;
/// Multiplier of the parent heading's hits: shared by all siblings, so it
/// reinforces (at most `PARENT_WEIGHT * ZONE_CAP`, below the threshold) but
/// never decides alone.
pub const PARENT_WEIGHT: f64 = 0.75;
/// Cap on the summed term weight of one heading zone.
pub const ZONE_CAP: f64 = 2.0;
/// Bodies shorter than this are scored as if this long (no density spikes on
/// one-line table rows).
pub const BODY_MIN_CHARS: f64 = 100.0;
/// Weight factor of a hit that is one item in an enumeration of mostly other things.
pub const LIST_FACTOR: f64 = 0.25;
/// An enumeration has at least this many 、-separated items.
const LIST_MIN_ITEMS: usize = 3;
/// How far the first and last item of an enumeration reach beyond its 、.
const EDGE_ITEM_CHARS: usize = 10;
/// Bumped whenever the scoring rules change (part of [`Taxonomy::fingerprint`]).
pub const SCORING_VERSION: u32 = 1;

/// A topic a provision is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicScore {
    /// Topic id.
    pub topic: String,
    pub score: f64,
    /// The matched terms as written in the provision (heading first), once each.
    pub evidence: Vec<String>,
}

/// A topic score with its parts, for explaining a classification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explained {
    pub topic: String,
    pub score: f64,
    /// Summed term weight in the heading, parent heading and body (after
    /// exclusion, absorption and enumeration damping; before caps).
    pub heading: f64,
    pub parent: f64,
    pub body: f64,
    pub body_chars: usize,
    pub evidence: Vec<String>,
}

/// The topics `p` is about, best first: every topic scoring at least
/// [`THRESHOLD`]. Front matter has none.
pub fn classify(tax: &Taxonomy, p: &Provision) -> Vec<TopicScore> {
    explain(tax, p)
        .into_iter()
        .filter(|e| e.score >= THRESHOLD)
        .map(|e| TopicScore {
            topic: e.topic,
            score: e.score,
            evidence: e.evidence,
        })
        .collect()
}

/// The ids of [`classify`], best first (the evidence is not collected).
pub fn topic_ids(tax: &Taxonomy, p: &Provision) -> Vec<String> {
    topic_ids_with(tax, p, None)
}

/// [`topic_ids`] of a provision whose heading and text are already folded
/// (`heading` is `fold(&p.heading)`, `text` is `fold(&p.text)`; what the
/// index holds): the same ids, without folding them again.
pub fn topic_ids_folded(tax: &Taxonomy, p: &Provision, heading: &str, text: &str) -> Vec<String> {
    topic_ids_with(tax, p, Some(Folded { heading, text }))
}

fn topic_ids_with(tax: &Taxonomy, p: &Provision, folded: Option<Folded>) -> Vec<String> {
    let Some(zones) = zone_scores(tax, p, false, folded) else {
        return vec![];
    };
    let mut on: Vec<(usize, f64)> = zones
        .acc
        .iter()
        .enumerate()
        .filter(|(_, a)| a.hits > 0)
        .map(|(i, a)| (i, a.score(zones.body_chars)))
        .filter(|&(_, score)| score >= THRESHOLD)
        .collect();
    on.sort_by(|(i, a), (j, b)| b.total_cmp(a).then(i.cmp(j)));
    on.into_iter()
        .map(|(i, _)| tax.topics()[i].id.clone())
        .collect()
}

/// Every topic with any evidence in `p`, best first, with the parts of its
/// score (no threshold). Front matter has none.
pub fn explain(tax: &Taxonomy, p: &Provision) -> Vec<Explained> {
    explain_with(tax, p, true)
}

/// [`explain`], with the evidence strings only when `evidence` is set (the
/// scores are the same either way).
fn explain_with(tax: &Taxonomy, p: &Provision, evidence: bool) -> Vec<Explained> {
    let Some(Zones { acc, body_chars }) = zone_scores(tax, p, evidence, None) else {
        return vec![];
    };
    let mut out: Vec<(usize, Explained)> = acc
        .into_iter()
        .enumerate()
        .filter(|(_, a)| a.hits > 0)
        .map(|(i, a)| {
            (
                i,
                Explained {
                    topic: tax.topics()[i].id.clone(),
                    score: a.score(body_chars),
                    heading: a.heading,
                    parent: a.parent,
                    body: a.body,
                    body_chars,
                    evidence: a.evidence,
                },
            )
        })
        .collect();
    out.sort_by(|(i, a), (j, b)| b.score.total_cmp(&a.score).then(i.cmp(j)));
    out.into_iter().map(|(_, e)| e).collect()
}

/// The summed hits of every topic in the zones of a provision.
struct Zones {
    /// Indexed like [`Taxonomy::topics`].
    acc: Vec<Acc>,
    body_chars: usize,
}

/// A provision's heading and text folded (see [`topic_ids_folded`]).
#[derive(Clone, Copy)]
struct Folded<'a> {
    heading: &'a str,
    text: &'a str,
}

/// The [`Zones`] of `p`, with evidence when `evidence` is set; `None` for
/// front matter. With `folded` (and no evidence), the heading's and the
/// text's folds are taken from it rather than made again.
fn zone_scores(
    tax: &Taxonomy,
    p: &Provision,
    evidence: bool,
    folded: Option<Folded>,
) -> Option<Zones> {
    if p.kind == ProvisionKind::Front {
        return None;
    }
    let n = tax.topics().len();
    let mut acc: Vec<Acc> = std::iter::repeat_with(Acc::default).take(n).collect();
    let mut hits = vec![];

    // Evidence needs the map back to the original, which only folding gives.
    let folded = folded.filter(|_| !evidence);
    let heading = match folded {
        Some(f) => MatchText::of_folded(f.heading),
        None => MatchText::new(&p.heading, evidence),
    };
    let number = p.number.as_deref().map(fold_chars).unwrap_or_default();
    let h_start = skip_marker(&heading.chars, 0, &number);
    score_zone(tax, &heading, h_start, &mut acc, evidence, &mut hits, |a| {
        &mut a.heading
    });

    if let Some(parent) = p.path.last() {
        // The parent heading counts when its fold differs from the heading's.
        // Different matching forms mean different folds (the matching form
        // is the fold without some characters): fold only when they agree.
        let parent_text = MatchText::new(parent, evidence);
        let same_fold = || match folded {
            Some(f) => fold(parent) == f.heading,
            None => fold(parent) == fold(&p.heading),
        };
        if parent_text.chars != heading.chars || !same_fold() {
            score_zone(tax, &parent_text, 0, &mut acc, evidence, &mut hits, |a| {
                &mut a.parent
            });
        }
    }

    // The text without its responsible-unit note (see
    // [`Provision::body_end`]): the note names who acts, not what the
    // measure is about.
    let body_end = p.body_end();
    let body = match folded {
        // The whole text (no unit note): its fold is at hand.
        Some(f) if body_end == p.text.len() => MatchText::of_folded(f.text),
        _ => MatchText::new(&p.text[..body_end], evidence),
    };
    let mut b_start = skip_marker(&body.chars, 0, &number);
    let core = &heading.chars[h_start..];
    if !core.is_empty() && body.chars[b_start..].starts_with(core) {
        b_start += core.len();
    }
    while b_start < body.chars.len() && is_separator(body.chars[b_start]) {
        b_start += 1;
    }
    let body_chars = body.chars.len() - b_start;
    score_zone(tax, &body, b_start, &mut acc, evidence, &mut hits, |a| {
        &mut a.body
    });
    Some(Zones { acc, body_chars })
}

#[derive(Debug, Clone, Default)]
struct Acc {
    heading: f64,
    parent: f64,
    body: f64,
    /// Counted term hits in all zones.
    hits: usize,
    evidence: Vec<String>,
}

impl Acc {
    /// The topic's score (rounded to thousandths) for a body of `body_chars`.
    fn score(&self, body_chars: usize) -> f64 {
        let score = HEADING_WEIGHT * self.heading.min(ZONE_CAP)
            + PARENT_WEIGHT * self.parent.min(ZONE_CAP)
            + 100.0 * self.body / (body_chars as f64).max(BODY_MIN_CHARS);
        (score * 1000.0).round() / 1000.0
    }
}

fn fold_chars(s: &str) -> Vec<char> {
    crate::classify::matcher::match_form(s)
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '.' | '、' | ',' | ':' | ';' | '。' | '-')
}

/// Skip a numbering marker (`5.`, `(三)`, `34` + tab) at `start`.
fn skip_marker(chars: &[char], start: usize, number: &[char]) -> usize {
    let mut i = start;
    if !number.is_empty() && chars[i..].starts_with(number) {
        i += number.len();
        while i < chars.len() && is_separator(chars[i]) {
            i += 1;
        }
    }
    i
}

/// Add the hits of `text[start..]` to the zone chosen by `zone` (`hits` is
/// scratch space).
fn score_zone(
    tax: &Taxonomy,
    text: &MatchText,
    start: usize,
    acc: &mut [Acc],
    evidence: bool,
    hits: &mut Vec<Hit>,
    zone: impl Fn(&mut Acc) -> &mut f64,
) {
    hits.clear();
    tax.matcher.find(&text.chars, start..text.chars.len(), hits);
    let hits = &hits[..];
    if hits.is_empty() {
        return;
    }
    let patterns = &tax.matcher.patterns;
    let topic_of = |h: &Hit| match patterns[h.pattern].role {
        Role::Term { topic, .. } | Role::Exclude { topic } => topic,
    };
    // Terms that count: not inside an exclude context of their topic, not
    // inside a longer term of their topic.
    let excludes: Vec<&Hit> = hits
        .iter()
        .filter(|h| matches!(patterns[h.pattern].role, Role::Exclude { .. }))
        .collect();
    let terms: Vec<(&Hit, usize, f64)> = hits
        .iter()
        .filter_map(|h| match patterns[h.pattern].role {
            Role::Term { topic, weight } => Some((h, topic, weight)),
            Role::Exclude { .. } => None,
        })
        .collect();
    let counted = counted_terms(&terms, &excludes, topic_of, acc.len());
    let factors = list_factors(&text.chars, start, &counted);
    for ((h, t, w), f) in counted.into_iter().zip(factors) {
        let a = &mut acc[t];
        *zone(a) += w * f;
        a.hits += 1;
        if evidence {
            let ev = text.original(h.start..h.end).to_string();
            if !a.evidence.contains(&ev) {
                a.evidence.push(ev);
            }
        }
    }
}

/// The weight factor of each hit: [`LIST_FACTOR`] when the hit is one item of
/// an enumeration in which fewer than half of the items have hits of the
/// same topic.
///
/// An enumeration is a run of at least [`LIST_MIN_ITEMS`] 、-separated items
/// inside one clause. Its first item reaches back at most [`EDGE_ITEM_CHARS`]
/// before the first 、; its last item ends at `等` or [`EDGE_ITEM_CHARS`]
/// after the last 、, so the predicate around the list (`…等主导产业开展专利导航`)
/// is not part of it.
/// The terms not inside an exclude context of their topic and not inside a
/// longer term of their topic, in their order. One sweep in start order
/// (a text of 100k hits must not take 10^10 comparisons).
fn counted_terms<'h>(
    terms: &[(&'h Hit, usize, f64)],
    excludes: &[&Hit],
    topic_of: impl Fn(&Hit) -> usize,
    topics: usize,
) -> Vec<(&'h Hit, usize, f64)> {
    // Terms by start, longer first among equal starts.
    let mut order: Vec<usize> = (0..terms.len()).collect();
    order.sort_by_key(|&i| (terms[i].0.start, std::cmp::Reverse(terms[i].0.end)));
    let mut xs: Vec<&Hit> = excludes.to_vec();
    xs.sort_by_key(|x| x.start);
    let mut keep = vec![false; terms.len()];
    // Per topic: the furthest end of excludes starting at or before the
    // current term, and of terms starting before it.
    let mut exclude_end = vec![0usize; topics];
    let mut term_end = vec![0usize; topics];
    // Per topic: the furthest end of terms with the current start seen so far.
    let mut group_end = vec![0usize; topics];
    let mut group_start = None;
    let mut next_x = 0;
    let mut pending: Vec<(usize, usize)> = vec![]; // (topic, end) of the current start
    for &i in &order {
        let (h, t, _) = terms[i];
        if group_start != Some(h.start) {
            for (pt, pe) in pending.drain(..) {
                term_end[pt] = term_end[pt].max(pe);
                group_end[pt] = 0;
            }
            group_start = Some(h.start);
        }
        while next_x < xs.len() && xs[next_x].start <= h.start {
            let x = xs[next_x];
            let xt = topic_of(x);
            exclude_end[xt] = exclude_end[xt].max(x.end);
            next_x += 1;
        }
        let excluded = exclude_end[t] >= h.end;
        // A longer term of the topic containing it: one that starts earlier
        // and ends at or after it, or starts with it and ends after it.
        let covered = term_end[t] >= h.end || group_end[t] > h.end;
        keep[i] = !excluded && !covered;
        group_end[t] = group_end[t].max(h.end);
        pending.push((t, h.end));
    }
    terms
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(t, _)| *t)
        .collect()
}

fn list_factors(chars: &[char], start: usize, hits: &[(&Hit, usize, f64)]) -> Vec<f64> {
    struct Enumeration {
        span: std::ops::Range<usize>,
        seps: Vec<usize>,
    }
    if hits.is_empty() {
        return vec![];
    }
    let mut enums: Vec<Enumeration> = vec![];
    let mut clause_start = start;
    // The 、 of the current clause.
    let mut seps: Vec<usize> = vec![];
    for i in start..=chars.len() {
        if i < chars.len() && !is_clause_break(chars[i]) {
            if chars[i] == '、' {
                seps.push(i);
            }
            continue;
        }
        // Items between two 、 are words, not single characters (放、服、管、控).
        let words = seps.windows(2).all(|w| w[1] - w[0] > 2);
        if seps.len() + 1 >= LIST_MIN_ITEMS && words {
            let (first, last) = (seps[0], seps[seps.len() - 1]);
            let lo = clause_start.max(first.saturating_sub(EDGE_ITEM_CHARS));
            let mut hi = (last + 1 + EDGE_ITEM_CHARS).min(i);
            if let Some(d) = (last + 1..hi).find(|&j| chars[j] == '等') {
                hi = d;
            }
            enums.push(Enumeration {
                span: lo..hi,
                seps: seps.clone(),
            });
        }
        seps.clear();
        clause_start = i + 1;
    }
    // (enumeration, item) of a position, if it is inside an enumeration:
    // the spans are disjoint and in order.
    let locate = |pos: usize| {
        let e = enums.partition_point(|en| en.span.end <= pos);
        let en = enums.get(e).filter(|en| en.span.contains(&pos))?;
        Some((e, en.seps.partition_point(|&s| s < pos)))
    };
    let located: Vec<Option<(usize, usize)>> =
        hits.iter().map(|(h, _, _)| locate(h.start)).collect();
    // Distinct items per (enumeration, topic).
    let mut items: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for ((_, t, _), l) in hits.iter().zip(&located) {
        if let Some((e, item)) = l {
            items.entry((*e, *t)).or_default().push(*item);
        }
    }
    for v in items.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    hits.iter()
        .zip(&located)
        .map(|((_, t, _), l)| {
            let Some((e, _)) = l else {
                return 1.0;
            };
            let n = enums[*e].seps.len() + 1;
            let covered = items[&(*e, *t)].len();
            if (covered as f64) < n as f64 / 2.0 {
                LIST_FACTOR
            } else {
                1.0
            }
        })
        .collect()
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '。' | ';' | ':' | '!' | '?' | '\n' | '\t' | '(' | ')'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provision(
        kind: ProvisionKind,
        number: Option<&str>,
        heading: &str,
        path: &[&str],
        text: &str,
    ) -> Provision {
        Provision {
            id: "t:1".into(),
            doc_id: "t".into(),
            seq: 1,
            kind,
            number: number.map(str::to_string),
            heading: heading.into(),
            path: path.iter().map(|s| s.to_string()).collect(),
            text: text.into(),
            responsible_units: vec![],
        }
    }

    fn ids(p: &Provision) -> Vec<String> {
        topic_ids(&Taxonomy::builtin(), p)
    }

    /// The definition `counted_terms` sweeps for.
    fn counted_naive<'h>(
        terms: &[(&'h Hit, usize, f64)],
        excludes: &[&Hit],
        topic_of: impl Fn(&Hit) -> usize,
    ) -> Vec<(&'h Hit, usize, f64)> {
        let inside = |a: &Hit, b: &Hit| b.start <= a.start && a.end <= b.end;
        terms
            .iter()
            .filter(|(h, t, _)| {
                !excludes.iter().any(|x| topic_of(x) == *t && inside(h, x))
                    && !terms.iter().any(|(o, ot, _)| {
                        ot == t && inside(h, o) && (o.end - o.start) > (h.end - h.start)
                    })
            })
            .copied()
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        #[test]
        fn counted_terms_is_the_naive_definition(
            spans in proptest::collection::vec((0usize..40, 1usize..6, 0usize..3, proptest::bool::weighted(0.2)), 0..40)
        ) {
            // pattern = topic * 2 + (1 if exclude)
            let hits: Vec<Hit> = spans
                .iter()
                .map(|&(start, len, topic, ex)| Hit { pattern: topic * 2 + usize::from(ex), start, end: start + len })
                .collect();
            let topic_of = |h: &Hit| h.pattern / 2;
            let terms: Vec<(&Hit, usize, f64)> =
                hits.iter().filter(|h| h.pattern % 2 == 0).map(|h| (h, h.pattern / 2, 1.0)).collect();
            let excludes: Vec<&Hit> = hits.iter().filter(|h| h.pattern % 2 == 1).collect();
            let fast: Vec<*const Hit> = counted_terms(&terms, &excludes, topic_of, 3)
                .into_iter().map(|(h, _, _)| h as *const Hit).collect();
            let naive: Vec<*const Hit> = counted_naive(&terms, &excludes, topic_of)
                .into_iter().map(|(h, _, _)| h as *const Hit).collect();
            proptest::prop_assert_eq!(fast, naive);
        }
    }

    /// A provision of 200,000 characters without punctuation, every two a
    /// term: classification is linear in the hits (it was quadratic: minutes).
    #[test]
    fn a_long_run_of_terms_classifies() {
        let text = "人才".repeat(100_000);
        let p = provision(ProvisionKind::Text, None, "人才", &[], &text);
        assert!(ids(&p).contains(&"talent".to_string()));
        let listed = "人才、土地、金融、".repeat(20_000);
        let p = provision(ProvisionKind::Text, None, "清单", &[], &listed);
        assert!(!classify(&Taxonomy::builtin(), &p).is_empty());
    }

    #[test]
    fn front_matter_has_no_topics() {
        let p = provision(
            ProvisionKind::Front,
            None,
            "发文信息",
            &[],
            "关于加强人才工作的通知，人才人才人才",
        );
        assert!(classify(&Taxonomy::builtin(), &p).is_empty());
        assert!(explain(&Taxonomy::builtin(), &p).is_empty());
    }

    #[test]
    fn heading_counts_more_than_a_passing_mention() {
        let heading = provision(
            ProvisionKind::Item,
            Some("3."),
            "3. 集聚高水平人才",
            &["二、主要任务"],
            "3. 集聚高水平人才。支持开发区完善服务体系，优化营商环境，提升综合竞争力，推动高质量发展。",
        );
        assert!(ids(&heading).contains(&"talent".to_string()));
        let passing = provision(
            ProvisionKind::Item,
            Some("4."),
            "4. 深化放管服改革",
            &["二、主要任务"],
            "4. 深化放管服改革。依法赋予开发区科技创新、产业促进、人才引进、市场准入、项目审批、财政金融等有关经济管理权限，实行一层全链审批，推动相关改革试点政策复制推广，加强政策先行先试。",
        );
        let got = ids(&passing);
        assert!(!got.contains(&"talent".to_string()), "{got:?}");
        assert!(got.contains(&"admin-reform".to_string()), "{got:?}");
    }

    #[test]
    fn responsible_units_are_not_evidence() {
        let p = provision(
            ProvisionKind::Item,
            Some("9."),
            "9. 优化园区道路",
            &[],
            "9. 优化园区道路。推进路网改造。（责任单位：市人才办、市财政局、市地方金融局）",
        );
        let all = explain(&Taxonomy::builtin(), &p);
        for e in &all {
            assert!(
                !["talent", "fiscal", "finance"].contains(&e.topic.as_str()),
                "{e:?}"
            );
        }
    }

    #[test]
    fn excluded_contexts_and_longer_terms() {
        // “一级财政”管理体制 is fiscal, not administrative reform.
        let p = provision(
            ProvisionKind::Item,
            Some("5."),
            "5. 加大财政政策支持力度",
            &["（一）体制机制优化工程"],
            "5. 加大财政政策支持力度。支持有条件的开发区实行“一级财政”管理体制，实现财政预算管理和独立核算。",
        );
        let all = explain(&Taxonomy::builtin(), &p);
        let fiscal = all.iter().find(|e| e.topic == "fiscal").unwrap();
        assert!(fiscal.score >= THRESHOLD);
        assert!(fiscal.evidence.contains(&"一级财政".to_string()));
        // 财政预算管理 absorbs 预算管理 and 财政.
        assert!(!fiscal.evidence.contains(&"预算管理".to_string()));
        let admin = all.iter().find(|e| e.topic == "admin-reform");
        assert!(admin.is_none_or(|a| a.body == 0.0), "{admin:?}");
    }

    #[test]
    fn enumeration_items_are_damped() {
        let chars: Vec<char> = "加强用能、用地、融资、用工等要素支持".chars().collect();
        let h = Hit {
            pattern: 0,
            start: 5,
            end: 7,
        };
        assert_eq!(list_factors(&chars, 0, &[(&h, 0, 1.0)]), vec![LIST_FACTOR]);
        let chars: Vec<char> = "高精尖产业人才、高层次创新创业人才、高技能人才等比较匮乏"
            .chars()
            .collect();
        let hits: Vec<Hit> = [5, 14, 20]
            .iter()
            .map(|&s| Hit {
                pattern: 0,
                start: s,
                end: s + 2,
            })
            .collect();
        let refs: Vec<(&Hit, usize, f64)> = hits.iter().map(|h| (h, 0, 1.0)).collect();
        assert_eq!(list_factors(&chars, 0, &refs), vec![1.0; 3]);
    }
}

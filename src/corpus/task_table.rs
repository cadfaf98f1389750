//! Task-allocation tables (任务分解表): one provision per numbered row, with
//! its responsible units and the group (重点工作) it belongs to.
//!
//! A group label is a merged cell. The PDF prints it once per page part of
//! the group, beside some row of it (often the middle one, not always), so
//! extraction leaves it on one row's line or on a line between rows, and
//! sometimes loses it. What holds: groups are contiguous runs of rows in the
//! order of their labels, and a label's line lies inside its group. Where
//! the boundary between two labels falls is decided by wording when the
//! document's body has a measure headed like each label (task tables break
//! the body's measures into rows, usually verbatim), else by distance to
//! the nearest label on the same page. A body measure between two matched
//! labels that no label names (a lost label) becomes a group of its own when
//! rows are taken from its text.

use std::collections::HashSet;

use super::layout::Table;
use super::provision::{responsible_units, Provision, ProvisionKind};
use crate::text::bigrams::bigrams;
use crate::text::fold;
use crate::text::normalize::squeeze_cjk_spaces;

pub(super) struct TaskRow {
    pub seq: String,
    pub group: Option<String>,
    pub task: String,
    pub units: Vec<String>,
    pub text: String,
}

/// Dice coefficient of bigram sets at or above which a label names a body
/// measure, or two labels name the same group.
const SAME_NAME: f64 = 0.5;
/// Dice coefficient at or above which two consecutive labels that name no
/// body measure are one group's (labels of neighbouring groups often share
/// half their words: 推动新材料产业链联动发展, 推动高端装备制造业产业链联动发展).
const SAME_LABEL: f64 = 0.7;
/// Share of a row's bigrams found in a body measure at or above which the
/// row counts as taken from it.
const TAKEN_FROM: f64 = 0.5;
/// Weight of the position heuristic: it only decides where wording does not.
const POSITION_PRIOR: f64 = 0.05;

struct Raw {
    page: usize,
    seq: Option<String>,
    group: Option<String>,
    task: String,
    unit: String,
}

/// A group of rows: a label (or labels across a page break) or a body
/// measure no label names.
struct Group {
    label: String,
    /// Rows (0-based) the label was printed beside; empty for a lost label.
    anchors: Vec<usize>,
    /// Index of the label (in print order) for the position heuristic.
    label_index: Option<usize>,
    /// Bigrams of the body measure the label names.
    body: Option<HashSet<u64>>,
}

/// Rows of a task-allocation table: a header naming a 序号 column and a
/// responsible column. `body` is what the document said before the table.
pub(super) fn task_rows(table: &Table, body: &[Provision]) -> Option<Vec<TaskRow>> {
    let header = table.rows.iter().find(|r| r.iter().any(|c| c == "序号"))?;
    let seq_col = header.iter().position(|c| c == "序号")?;
    // A task table names who is responsible for each row.
    header
        .iter()
        .find(|c| c.contains("责任") || c.contains("牵头"))?;
    let raws = raw_rows(table, seq_col);

    // Rows and labels with their positions: a row's is its index + 1; a
    // label on a line without 序号 sits half a row after the row before it.
    let mut labels: Vec<(usize, f64, String)> = vec![]; // (page, position, label)
    let mut rows: Vec<(usize, f64, &Raw)> = vec![];
    let mut pos = 0.0;
    for r in &raws {
        if r.seq.is_some() {
            pos += 1.0;
            rows.push((r.page, pos, r));
            if let Some(g) = &r.group {
                labels.push((r.page, pos, g.clone()));
            }
        } else if let Some(g) = &r.group {
            labels.push((r.page, pos + 0.5, g.clone()));
        }
    }
    let nearest: Vec<Option<usize>> = rows
        .iter()
        .map(|&(page, pos, _)| nearest_label(&labels, page, pos))
        .collect();
    let groups = groups(&labels, rows.len(), body);
    let tasks: Vec<HashSet<u64>> = rows
        .iter()
        .map(|(_, _, r)| bigrams(&fold(&r.task)).collect())
        .collect();
    let assigned = segment(&groups, &tasks, &nearest).unwrap_or_else(|| {
        // Labels out of order: fall back to the nearest label, mapped to its group.
        nearest
            .iter()
            .map(|l| l.and_then(|l| groups.iter().position(|g| g.label_index == Some(l))))
            .collect()
    });

    let out = rows
        .iter()
        .zip(assigned)
        .map(|(&(_, _, r), g)| {
            let seq = r.seq.clone().unwrap_or_default();
            // The group label is in the path, not repeated in the text.
            let text = format!("{seq}\t{}\t{}", r.task, r.unit);
            TaskRow {
                seq,
                group: g.map(|g| groups[g].label.clone()),
                task: r.task.clone(),
                units: responsible_units(&format!("责任单位：{}", r.unit)),
                text,
            }
        })
        .collect();
    Some(out)
}

fn raw_rows(table: &Table, seq_col: usize) -> Vec<Raw> {
    let group_col = if seq_col > 0 { Some(0) } else { None };
    let mut raws: Vec<Raw> = vec![];
    let mut page = 0;
    for row in &table.rows {
        if row.iter().any(|c| c == "序号") {
            page += 1;
            continue;
        }
        let seq = row
            .get(seq_col)
            .filter(|c| !c.is_empty() && c.chars().all(|d| d.is_ascii_digit()))
            .cloned();
        let group = group_col
            .and_then(|g| row.get(g))
            .filter(|c| !c.is_empty())
            .map(|g| squeeze_cjk_spaces(g));
        let unit = row
            .iter()
            .rev()
            .find(|c| !c.is_empty())
            .cloned()
            .unwrap_or_default();
        let task = row
            .iter()
            .enumerate()
            .filter(|(i, c)| *i != seq_col && Some(*i) != group_col && !c.is_empty())
            .map(|(_, c)| c.as_str())
            .max_by_key(|c| c.chars().count())
            .unwrap_or("")
            .to_string();
        if seq.is_none() && group.is_none() {
            continue; // a sub-header like "任务 措施"
        }
        raws.push(Raw {
            page,
            seq,
            group,
            task,
            unit,
        });
    }
    raws
}

/// The label nearest to a row on the same page (any page if none there).
fn nearest_label(labels: &[(usize, f64, String)], page: usize, pos: f64) -> Option<usize> {
    let same_page = labels.iter().any(|l| l.0 == page);
    labels
        .iter()
        .enumerate()
        .filter(|(_, l)| !same_page || l.0 == page)
        .min_by(|(_, a), (_, b)| {
            (a.1 - pos)
                .abs()
                .total_cmp(&(b.1 - pos).abs())
                .then(a.1.total_cmp(&b.1))
        })
        .map(|(i, _)| i)
}

fn dice(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

/// The labels, merged where consecutive ones name the same group, with the
/// body measures they name, and body measures that lost their label.
fn groups(labels: &[(usize, f64, String)], rows: usize, body: &[Provision]) -> Vec<Group> {
    let measures: Vec<(usize, HashSet<u64>)> = body
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.number.is_some() && !matches!(p.kind, ProvisionKind::TableRow | ProvisionKind::Front)
        })
        .map(|(i, p)| (i, bigrams(&p.folded_heading()).collect()))
        .collect();
    let names = |label: &str| -> Option<usize> {
        let b: HashSet<u64> = bigrams(&fold(label)).collect();
        measures
            .iter()
            .map(|(i, h)| (*i, dice(&b, h)))
            .filter(|&(_, d)| d >= SAME_NAME)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i)
    };
    let anchor = |pos: f64| ((pos.ceil() as usize).max(1) - 1).min(rows.saturating_sub(1));

    // (label, anchors, label index, body measure)
    let mut merged: Vec<(String, Vec<usize>, usize, Option<usize>)> = vec![];
    for (i, (_, pos, label)) in labels.iter().enumerate() {
        let named = names(label);
        if let Some(last) = merged.last_mut() {
            // The same measure named twice, or two labels alike that name no
            // two different measures ("深化行政体制改革" at the foot of a page,
            // "深化行政管理体制改革" at the head of the next).
            let a: HashSet<u64> = bigrams(&fold(label)).collect();
            let b: HashSet<u64> = bigrams(&fold(&last.0)).collect();
            let same = match (named, last.3) {
                (Some(x), Some(y)) => x == y,
                _ => dice(&a, &b) >= SAME_LABEL,
            };
            if same {
                // One group printed on two pages: keep the fuller label.
                if label.chars().count() > last.0.chars().count() {
                    last.0 = label.clone();
                }
                last.1.push(anchor(*pos));
                last.3 = last.3.or(named);
                continue;
            }
        }
        merged.push((label.clone(), vec![anchor(*pos)], i, named));
    }

    let body_bigrams = |i: usize| -> HashSet<u64> { bigrams(&fold(&body[i].text)).collect() };
    // A body measure whose label was lost: its heading names the group.
    let lost = |m: usize| Group {
        label: squeeze_cjk_spaces(&body[m].folded_heading()),
        anchors: vec![],
        label_index: None,
        body: Some(body_bigrams(m)),
    };
    let mut out: Vec<Group> = vec![];
    for (k, (label, anchors, index, named)) in merged.iter().enumerate() {
        out.push(Group {
            label: label.clone(),
            anchors: anchors.clone(),
            label_index: Some(*index),
            body: named.map(body_bigrams),
        });
        let Some(a) = *named else { continue };
        match merged.get(k + 1) {
            // Measures between this label's and the next label's, siblings
            // of its own, that no label names.
            Some(next) => {
                if let Some(b) = next.3.filter(|&b| b > a) {
                    out.extend(
                        (a + 1..b)
                            .filter(|&m| is_sibling(&body[m], &body[a]))
                            .map(lost),
                    );
                }
            }
            // After the last label: the sibling measures that follow its own.
            None => out.extend(
                (a + 1..body.len())
                    .take_while(|&m| is_sibling(&body[m], &body[a]))
                    .map(lost),
            ),
        }
    }
    out
}

/// A numbered measure of the same kind at the same depth under the same
/// grandparent (measures are numbered through sections: 3. under （二）, 4.
/// under （三）).
fn is_sibling(p: &Provision, of: &Provision) -> bool {
    let depth = of.path.len();
    p.number.is_some()
        && p.kind == of.kind
        && p.path.len() == depth
        && p.path[..depth.saturating_sub(1)] == of.path[..depth.saturating_sub(1)]
}

/// Assign each row to a group: contiguous runs in group order, each label's
/// anchor rows inside its group, maximizing the rows' wording taken from
/// their group's body measure, then agreement with the nearest label. None
/// when the labels' anchors are out of order.
fn segment(
    groups: &[Group],
    tasks: &[HashSet<u64>],
    nearest: &[Option<usize>],
) -> Option<Vec<Option<usize>>> {
    let n = tasks.len();
    if groups.is_empty() || n == 0 {
        return Some(vec![None; n]);
    }
    // Anchors must increase from group to group.
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut last = None;
    for (g, group) in groups.iter().enumerate() {
        for &a in &group.anchors {
            if last.is_some_and(|l| a < l) || owner[a].is_some_and(|o| o != g) {
                return None;
            }
            owner[a] = Some(g);
            last = Some(a);
        }
    }
    let score = |r: usize, g: usize| -> f64 {
        let group = &groups[g];
        let taken = group.body.as_ref().map_or(0.0, |b| {
            let t = &tasks[r];
            if t.is_empty() {
                return 0.0;
            }
            let share = t.intersection(b).count() as f64 / t.len() as f64;
            if share >= TAKEN_FROM {
                share
            } else {
                0.0
            }
        });
        let prior = match (group.label_index, nearest[r]) {
            (Some(l), Some(m)) if l == m => POSITION_PRIOR,
            _ => 0.0,
        };
        taken + prior
    };
    // best[r][g]: the best score of rows 0..=r with row r in group g, every
    // anchored group before g placed.
    let gs = groups.len();
    let neg = f64::NEG_INFINITY;
    let mut best = vec![vec![neg; gs]; n];
    let mut from = vec![vec![usize::MAX; gs]; n];
    let allowed = |r: usize, g: usize| owner[r].is_none_or(|o| o == g);
    // The groups a run may start at: the first anchored group and any
    // unanchored ones before it.
    let skippable = |a: usize, b: usize| groups[a..b].iter().all(|g| g.anchors.is_empty());
    for (g, cell) in best[0].iter_mut().enumerate() {
        if allowed(0, g) && skippable(0, g) {
            *cell = score(0, g);
        }
    }
    for r in 1..n {
        let (done, rest) = best.split_at_mut(r);
        let prev = &done[r - 1];
        for (g, cell) in rest[0].iter_mut().enumerate() {
            if !allowed(r, g) {
                continue;
            }
            // Moving from p to g skips the groups between: only unanchored ones.
            let top = prev[..=g]
                .iter()
                .enumerate()
                .filter(|&(p, &b)| b > neg && (p == g || skippable(p + 1, g)))
                .fold(
                    (neg, usize::MAX),
                    |top, (p, &b)| if b > top.0 { (b, p) } else { top },
                );
            if top.0 > neg {
                *cell = top.0 + score(r, g);
                from[r][g] = top.1;
            }
        }
    }
    // The last row's group: every anchored group after it unplaced is not allowed.
    let (mut g, _) = (0..gs)
        .filter(|&g| skippable(g + 1, gs) && best[n - 1][g] > neg)
        .map(|g| (g, best[n - 1][g]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let mut out = vec![None; n];
    for r in (0..n).rev() {
        out[r] = Some(g);
        if r > 0 {
            g = from[r][g];
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            caption: None,
            is_box: false,
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    const HEADER: &[&str] = &["重点工作", "序号", "主要任务", "责任部门"];

    fn groups_of(rows: &[TaskRow]) -> Vec<&str> {
        rows.iter()
            .map(|r| r.group.as_deref().unwrap_or("-"))
            .collect()
    }

    #[test]
    fn without_a_body_rows_go_to_the_nearest_label_on_their_page() {
        let t = table(&[
            HEADER,
            &["甲组", "1", "建设人才公寓", "区人社局"],
            &["", "2", "完善人才政策", "区人社局"],
            &["", "3", "盘活存量土地", "区自然资源局"],
            &["乙组", "4", "推行标准地出让", "区自然资源局"],
            HEADER,
            &["", "5", "设立产业基金", "区财政局"],
            &["丙组", "6", "发展供应链金融", "区财政局"],
        ]);
        let rows = task_rows(&t, &[]).unwrap();
        assert_eq!(
            groups_of(&rows),
            ["甲组", "甲组", "乙组", "乙组", "丙组", "丙组"]
        );
        assert_eq!(rows[5].units, ["区财政局"]);
    }

    #[test]
    fn wording_taken_from_body_measures_moves_the_boundaries() {
        let measure = |n: &str, heading: &str, text: &str| Provision {
            id: format!("d:{n}"),
            doc_id: "d".into(),
            seq: 1,
            kind: ProvisionKind::Item,
            number: Some(format!("{n}.")),
            heading: format!("{n}. {heading}"),
            path: vec!["附件 1".into(), "二、重点任务".into()],
            text: format!("{n}. {heading}。{text}"),
            responsible_units: vec![],
        };
        let body = [
            measure(
                "1",
                "强化人才支撑",
                "建设人才公寓。完善人才政策。盘活存量土地用于人才项目。",
            ),
            measure(
                "2",
                "保障用地需求",
                "推行标准地出让。设立产业基金支持用地。",
            ),
            measure("3", "深化金融服务", "发展供应链金融。"),
        ];
        // The labels are short forms of the measures' headings; row 3 is
        // nearer the second label but taken from the first measure, and the
        // third label is lost.
        let t = table(&[
            HEADER,
            &["人才支撑", "1", "建设人才公寓", "区人社局"],
            &["", "2", "完善人才政策", "区人社局"],
            &["", "3", "盘活存量土地用于人才项目", "区自然资源局"],
            &["保障用地", "4", "推行标准地出让", "区自然资源局"],
            &["", "5", "设立产业基金支持用地", "区财政局"],
            &["", "6", "发展供应链金融", "区财政局"],
        ]);
        let rows = task_rows(&t, &body).unwrap();
        assert_eq!(
            groups_of(&rows),
            [
                "人才支撑",
                "人才支撑",
                "人才支撑",
                "保障用地",
                "保障用地",
                "深化金融服务"
            ]
        );
    }
}

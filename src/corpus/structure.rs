//! Parse laid-out blocks into provisions: a stack of open sections keyed by
//! marker rank, numbered measures, lead-phrase paragraphs, 专栏 boxes, task
//! table rows and legal articles. Front matter (文号, notice, signature, a
//! law's adoption and amendment lines) is kept as a `Front` provision:
//! nothing is silently dropped.

use super::enactment;
use super::issuance::{is_date_line, FRONT_DOC_NUMBER_LINE, FRONT_ORG_LINE};
use super::layout::{Block, Table};
use super::numbering::{
    at_most_chars, has_sentence_punct, lead_phrase, parse_marker, split_lead, MarkerKind,
    MAX_LEAD_CHARS,
};
use super::provision::{responsible_units, Provision, ProvisionKind};
use super::task_table::task_rows;
use crate::text::normalize::squeeze_cjk_spaces;

fn is_front_line(p: &str) -> bool {
    FRONT_DOC_NUMBER_LINE.is_match(p)
        || is_date_line(p)
        || (FRONT_ORG_LINE.is_match(p) && !has_sentence_punct(p))
        || p.starts_with("（此件")
        || p.starts_with("(此件")
        || is_addressee(p)
}

/// The blocks before the body: up to a signature (organisation line + date
/// line) near the top, or else the leading run of 文号/organisation/date lines.
fn front_len(blocks: &[Block]) -> usize {
    let para = |i: usize| match blocks.get(i) {
        Some(Block::Para(p)) => Some(p.as_str()),
        _ => None,
    };
    for i in 1..blocks.len().min(30) {
        let Some(p) = para(i) else { break };
        if parse_marker(p).is_some_and(|m| !matches!(m.kind, MarkerKind::Num)) {
            break;
        }
        if is_date_line(p) && para(i - 1).is_some_and(|o| FRONT_ORG_LINE.is_match(o)) {
            let mut end = i + 1;
            if para(end).is_some_and(|p| p.starts_with("（此件") || p.starts_with("(此件")) {
                end += 1;
            }
            return end;
        }
    }
    blocks
        .iter()
        .take_while(|b| matches!(b, Block::Para(p) if is_front_line(p)))
        .count()
}

/// Trailing signature (organisation, date, 此件公开发布) after the last measure.
fn back_start(blocks: &[Block], front: usize) -> usize {
    let mut start = blocks.len();
    while start > front {
        match &blocks[start - 1] {
            Block::Para(p) if is_front_line(p) => start -= 1,
            _ => break,
        }
    }
    start
}

struct Frame {
    rank: u8,
    heading: String,
    /// The marker of a numbered heading (`（一）`), for a measure whose text follows it.
    number: Option<String>,
    /// A document or attachment title: named in headings, left out of paths.
    is_title: bool,
}

struct Builder {
    doc_id: String,
    stack: Vec<Frame>,
    out: Vec<Provision>,
    /// Index in `out` of the provision that takes continuation paragraphs.
    open: Option<usize>,
    /// Set right after an unnumbered heading or attachment line, so a second
    /// title line joins it.
    last_was_heading: bool,
    /// The paragraph of a numbered heading whose text may follow separately.
    pending_item: Option<String>,
    /// Unnumbered text provisions under the current frame.
    texts_under_frame: usize,
    /// The `题注` provision (a law's adoption and amendment lines) while
    /// its lines may go on.
    record: Option<usize>,
}

impl Builder {
    fn path(&self) -> Vec<String> {
        self.stack
            .iter()
            .filter(|f| !f.is_title)
            .map(|f| f.heading.clone())
            .collect()
    }

    fn push(
        &mut self,
        kind: ProvisionKind,
        number: Option<&str>,
        heading: String,
        text: String,
    ) -> usize {
        let seq = self.out.len() + 1;
        let mut path = self.path();
        // A section's own text (under 第一节 …, before any numbered measure)
        // carries the section's heading; its path is what is above it.
        if path.last() == Some(&heading) {
            path.pop();
        }
        self.out.push(Provision {
            id: format!("{}:{seq}", self.doc_id),
            doc_id: self.doc_id.clone(),
            seq,
            kind,
            number: number.map(str::to_string),
            heading,
            path,
            text,
            responsible_units: vec![],
        });
        self.out.len() - 1
    }

    fn pop_to(&mut self, rank: u8) {
        while self.stack.last().is_some_and(|f| f.rank >= rank) {
            self.stack.pop();
        }
    }

    fn append(&mut self, i: usize, para: &str) {
        let p = &mut self.out[i];
        if !p.text.is_empty() {
            p.text.push('\n');
        }
        p.text.push_str(para);
    }

    fn parent_heading(&self) -> String {
        self.stack
            .last()
            .map(|f| f.heading.clone())
            .unwrap_or_else(|| "正文".to_string())
    }

    /// A numbered paragraph kept back as a possible heading whose text was
    /// to follow: when no text follows and the paragraph is itself a
    /// sentence (`（一）对顶尖人才团队给予最高一亿元综合资助。`), it is a
    /// measure of its own. Nothing is dropped.
    fn settle_pending(&mut self, pending: Option<String>) {
        let Some(text) = pending else { return };
        if !(text.ends_with('。')
            || has_sentence_punct(parse_marker(&text).map(|m| m.rest).unwrap_or(&text)))
        {
            return; // a plain heading such as （一）体制机制优化工程
        }
        if let Some(frame) = self.stack.pop() {
            let i = self.push(
                ProvisionKind::Item,
                frame.number.as_deref(),
                frame.heading.clone(),
                text,
            );
            self.stack.push(frame);
            self.open = Some(i);
        }
    }

    /// Before the body: nothing but front matter and titles so far.
    fn before_body(&self) -> bool {
        self.out.iter().all(|p| p.kind == ProvisionKind::Front)
            && self.stack.iter().all(|f| f.is_title)
    }

    /// A law's adoption and amendment lines under its title (and the lines
    /// a long one was broken into) are front matter, `题注`.
    fn record_line(&mut self, para: &str) -> bool {
        if let Some(i) = self.record.take() {
            if enactment::continues_record(&self.out[i].text, para) {
                self.append(i, para);
                self.record = Some(i);
                return true;
            }
        }
        if self.before_body() && enactment::is_record_line(para) {
            let i = self.push(
                ProvisionKind::Front,
                None,
                "题注".to_string(),
                para.to_string(),
            );
            self.record = Some(i);
            self.open = None;
            return true;
        }
        false
    }

    fn para(&mut self, para: &str) {
        let was_heading = std::mem::replace(&mut self.last_was_heading, false);
        if self.pending_item.is_none() && self.record_line(para) {
            return;
        }
        let mut pending_item = self.pending_item.take();
        let heading_like =
            at_most_chars(para, 40) && !has_sentence_punct(para) && !para.ends_with('。');
        let marker = parse_marker(para);
        let addressee = is_addressee(para);
        if marker.is_some() || addressee || heading_like {
            self.settle_pending(pending_item.take());
        }
        if addressee {
            match self.out.iter().position(|p| p.kind == ProvisionKind::Front) {
                Some(i) => self.append(i, para),
                None => {
                    self.push(
                        ProvisionKind::Front,
                        None,
                        "发文信息".to_string(),
                        para.to_string(),
                    );
                }
            }
            return;
        }
        let in_article = self
            .open
            .is_some_and(|i| self.out[i].kind == ProvisionKind::Article);
        match marker {
            Some(m) if m.kind == MarkerKind::Article => {
                self.pop_to(MarkerKind::Article.rank());
                let (lead, _) = split_lead(m.rest);
                let heading = if lead.is_empty() {
                    m.label.to_string()
                } else {
                    format!("{} {}", m.label, lead)
                };
                let i = self.push(
                    ProvisionKind::Article,
                    Some(m.label),
                    heading,
                    para.to_string(),
                );
                self.open = Some(i);
            }
            // Items inside a legal article belong to the article.
            Some(m)
                if in_article
                    && m.kind.rank() > MarkerKind::Section.rank()
                    && !matches!(m.kind, MarkerKind::Markdown(_)) =>
            {
                self.append(self.open.unwrap(), para);
            }
            // Chapters, sections, attachments and Markdown headings are always headings.
            Some(m)
                if matches!(
                    m.kind,
                    MarkerKind::Part
                        | MarkerKind::Chapter
                        | MarkerKind::Section
                        | MarkerKind::Attachment
                        | MarkerKind::Markdown(_)
                ) =>
            {
                let rank = m.kind.rank();
                self.pop_to(rank);
                let rest = squeeze_cjk_spaces(m.rest);
                let heading = match m.kind {
                    MarkerKind::Markdown(_) => match parse_marker(&rest) {
                        Some(inner) if inner.rest.is_empty() => inner.label.to_string(),
                        Some(inner) if inner.kind.rank() < MarkerKind::CnList.rank() => {
                            format!("{} {}", inner.label, squeeze_cjk_spaces(inner.rest))
                        }
                        _ => rest,
                    },
                    _ if rest.is_empty() => m.label.to_string(),
                    _ => format!("{} {rest}", m.label),
                };
                let is_title = matches!(m.kind, MarkerKind::Markdown(1));
                self.stack.push(Frame {
                    rank,
                    heading,
                    is_title,
                    number: None,
                });
                self.open = None;
                self.texts_under_frame = 0;
                self.last_was_heading = true;
            }
            Some(m) if !matches!(m.kind, MarkerKind::Box | MarkerKind::TableCaption) => {
                let rank = m.kind.rank();
                self.pop_to(rank);
                let (lead, body) = split_lead(m.rest);
                let sep = if m.label.ends_with(['.', '．']) {
                    " "
                } else {
                    ""
                };
                let heading = if lead.is_empty() {
                    m.label.to_string()
                } else {
                    format!("{}{sep}{}", m.label, lead)
                };
                if body.is_empty() && !has_sentence_punct(lead)
                    || body.is_empty()
                        && para.ends_with('。')
                        && lead.chars().count() <= MAX_LEAD_CHARS
                {
                    // Heading only; the text may follow in its own paragraph.
                    self.stack.push(Frame {
                        rank,
                        heading,
                        is_title: false,
                        number: Some(m.label.to_string()),
                    });
                    self.open = None;
                    self.texts_under_frame = 0;
                    self.last_was_heading = true;
                    self.pending_item = Some(para.to_string());
                } else {
                    let i = self.push(
                        ProvisionKind::Item,
                        Some(m.label),
                        heading.clone(),
                        para.to_string(),
                    );
                    self.stack.push(Frame {
                        rank,
                        heading,
                        is_title: false,
                        number: None,
                    });
                    self.open = Some(i);
                }
            }
            _ => self.unnumbered(para, heading_like, was_heading, pending_item),
        }
    }

    /// `heading_like`: at most 40 chars, no sentence punctuation, no final 。.
    fn unnumbered(
        &mut self,
        para: &str,
        heading_like: bool,
        was_heading: bool,
        pending_item: Option<String>,
    ) {
        if heading_like {
            if was_heading && pending_item.is_none() {
                // A heading broken over two lines, or an attachment's title.
                if let Some(top) = self.stack.last_mut() {
                    let joiner = if top.rank == 0 && top.heading.starts_with("附件") {
                        " "
                    } else {
                        ""
                    };
                    top.heading.push_str(joiner);
                    top.heading.push_str(&squeeze_cjk_spaces(para));
                    self.last_was_heading = true;
                    return;
                }
            }
            let at_root = self.stack.iter().all(|f| f.is_title || f.rank == 0);
            let rank = self.stack.last().map_or(0, |f| f.rank.saturating_add(1));
            self.stack.push(Frame {
                rank,
                heading: squeeze_cjk_spaces(para),
                is_title: at_root,
                number: None,
            });
            self.open = None;
            self.texts_under_frame = 0;
            self.last_was_heading = true;
            return;
        }
        // The text of a numbered heading that stood on its own line.
        if let Some(heading_para) = pending_item {
            if let Some(frame) = self.stack.pop() {
                let text = format!("{heading_para}\n{para}");
                let i = self.push(
                    ProvisionKind::Item,
                    frame.number.as_deref(),
                    frame.heading.clone(),
                    text,
                );
                self.stack.push(frame);
                self.open = Some(i);
                return;
            }
        }
        if let Some(i) = self.open {
            if matches!(
                self.out[i].kind,
                ProvisionKind::Item | ProvisionKind::Article
            ) {
                self.append(i, para);
                return;
            }
        }
        let (kind, heading) = match lead_phrase(para) {
            Some(lead) => (ProvisionKind::Lead, lead.to_string()),
            None if self.texts_under_frame == 0 => (ProvisionKind::Text, self.parent_heading()),
            None => (
                ProvisionKind::Text,
                first_clause(para)
                    .map(str::to_string)
                    .unwrap_or_else(|| self.parent_heading()),
            ),
        };
        self.texts_under_frame += 1;
        let i = self.push(kind, None, heading, para.to_string());
        self.open = Some(i);
    }

    fn table(&mut self, table: &Table) {
        self.last_was_heading = false;
        self.record = None;
        let pending = self.pending_item.take();
        self.settle_pending(pending);
        if let Some(rows) = task_rows(table, &self.out) {
            for row in rows {
                self.open = None;
                let lead = split_lead(&row.task).0.to_string();
                let heading = format!("{}. {}", row.seq, lead);
                let mut path_extra = vec![];
                if let Some(g) = &row.group {
                    path_extra.push(g.clone());
                }
                let i = self.push(ProvisionKind::TableRow, Some(&row.seq), heading, row.text);
                self.out[i].path.extend(path_extra);
                self.out[i].responsible_units = row.units;
            }
            self.open = None;
            return;
        }
        let text = table
            .rows
            .iter()
            .map(|r| r.join("\t"))
            .collect::<Vec<_>>()
            .join("\n");
        let caption = table.caption.clone();
        let (kind, number, heading) = match &caption {
            Some(c) => {
                let m = parse_marker(c);
                (
                    if table.is_box {
                        ProvisionKind::Box
                    } else {
                        ProvisionKind::Table
                    },
                    m.map(|m| m.label.to_string()),
                    c.clone(),
                )
            }
            None => (
                ProvisionKind::Table,
                None,
                table.rows[0]
                    .iter()
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        let full = match &caption {
            Some(c) => format!("{c}\n{text}"),
            None => text,
        };
        self.push(kind, number.as_deref(), heading, full);
        self.open = None;
    }
}

fn is_addressee(p: &str) -> bool {
    p.starts_with('各') && (p.ends_with('：') || p.ends_with(':')) && p.chars().count() <= 80
}

/// The first clause of a paragraph (up to the first ，), when short enough to
/// serve as a heading.
fn first_clause(p: &str) -> Option<&str> {
    let end = p.find(['，', '。', '；'])?;
    let clause = &p[..end];
    (clause.chars().count() >= 4 && clause.chars().count() <= 24).then_some(clause)
}

/// Parse the blocks of one document into provisions.
pub fn provisions(doc_id: &str, blocks: &[Block]) -> Vec<Provision> {
    let front = front_len(blocks);
    let back = back_start(blocks, front);
    let mut b = Builder {
        doc_id: doc_id.to_string(),
        stack: vec![],
        out: vec![],
        open: None,
        last_was_heading: false,
        pending_item: None,
        texts_under_frame: 0,
        record: None,
    };
    let block_text = |blocks: &[Block]| {
        blocks
            .iter()
            .map(|bl| match bl {
                Block::Para(p) => p.clone(),
                Block::Table(t) => t
                    .rows
                    .iter()
                    .map(|r| r.join("\t"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if front > 0 {
        b.push(
            ProvisionKind::Front,
            None,
            "发文信息".to_string(),
            block_text(&blocks[..front]),
        );
    }
    for block in &blocks[front..back] {
        match block {
            Block::Para(p) => b.para(p),
            Block::Table(t) => b.table(t),
        }
    }
    let pending = b.pending_item.take();
    b.settle_pending(pending);
    if back < blocks.len() {
        b.stack.clear();
        b.push(
            ProvisionKind::Front,
            None,
            "落款".to_string(),
            block_text(&blocks[back..]),
        );
    }
    for p in &mut b.out {
        if p.responsible_units.is_empty() && p.kind != ProvisionKind::Front {
            p.responsible_units = responsible_units(&p.text);
        }
    }
    b.out
}

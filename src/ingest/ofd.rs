//! OFD (GB/T 33190-2016, the national fixed-layout format): a zip package.
//! `OFD.xml` names the document (`DocBody/DocRoot`); its `Document.xml`
//! lists the pages (`Pages/Page@BaseLoc`) and the templates they draw on
//! (`CommonData/TemplatePage`); each page's `Content.xml` holds layers of
//! `TextObject`s (a `Boundary` box, an optional `CTM`, a font `Size`) whose
//! `TextCode`s place their characters at `X`/`Y` with `DeltaX` advances
//! (`g N V`: N times V). Every character is put at its place on the page;
//! characters are gathered into printed lines by baseline and ordered left
//! to right, pages top to bottom; a wide gap within a line (a table's
//! columns) becomes a tab, and a line under a table row that starts in a
//! later column is that column's wrapped text (led by tabs). The layout
//! stage then rejoins the printed lines as it does a PDF's. Fonts, images,
//! paths, annotations and signatures are ignored; a package with no text
//! object is refused like a scanned PDF.
//!
//! No maintained crate fits: `ofd-core` brings a renderer (tiny-skia,
//! image, fontdb) and other versions of zip and quick-xml, and needs a
//! newer Rust than ours; this reader is zip + quick-xml, both already used
//! for .docx.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, Result};

/// Refuse a part larger than this once decompressed (zip bombs).
const MAX_PART: u64 = 256 * 1024 * 1024;

/// One character placed on a page (millimetres, y downwards).
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub x: f64,
    pub y: f64,
    /// Font size (the em), after the object's transformation.
    pub size: f64,
    pub ch: char,
}

/// Extract the text of an OFD file.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<String> {
    let pages = read_pages(bytes).map_err(|why| Error::input(path, why))?;
    if pages.iter().all(|p| p.iter().all(|g| g.ch.is_whitespace())) {
        return Err(Error::input(
            path,
            "the OFD has no text objects (a scanned document?): save it as PDF \
             (any OFD reader prints to PDF) and add that, whose pages are read by OCR",
        ));
    }
    let mut out = String::new();
    for page in &pages {
        for line in page_lines(page) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// The glyphs of every page, in page order.
pub fn read_pages(bytes: &[u8]) -> std::result::Result<Vec<Vec<Glyph>>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable OFD (the zip archive is damaged: {e})"))?;
    let ofd = part(&mut zip, "OFD.xml")?;
    let root =
        first_text(&ofd, b"DocRoot").ok_or("not an OFD package (OFD.xml names no DocRoot)")?;
    let doc_path = resolve("", &root);
    let doc = part(&mut zip, &doc_path)?;
    let doc_dir = parent(&doc_path);
    let (pages, templates) = document_parts(&doc).map_err(|e| format!("{doc_path}: {e}"))?;
    let mut out = Vec::with_capacity(pages.len());
    for loc in pages {
        let page_path = resolve(&doc_dir, &loc);
        let xml = part(&mut zip, &page_path)?;
        let content = page_content(&xml).map_err(|e| format!("{page_path}: {e}"))?;
        let mut glyphs = vec![];
        for id in &content.templates {
            if let Some(tloc) = templates.get(id) {
                let tpath = resolve(&doc_dir, tloc);
                if let Ok(txml) = part(&mut zip, &tpath) {
                    if let Ok(t) = page_content(&txml) {
                        glyphs.extend(t.glyphs);
                    }
                }
            }
        }
        glyphs.extend(content.glyphs);
        out.push(glyphs);
    }
    Ok(out)
}

type Zip<'a> = zip::ZipArchive<std::io::Cursor<&'a [u8]>>;

/// A part of the package by name (exact, else ignoring case and a leading `/`).
fn part(zip: &mut Zip<'_>, name: &str) -> std::result::Result<Vec<u8>, String> {
    let wanted = name.trim_start_matches('/');
    let actual = zip
        .file_names()
        .find(|n| n.trim_start_matches('/') == wanted)
        .or_else(|| {
            zip.file_names()
                .find(|n| n.trim_start_matches('/').eq_ignore_ascii_case(wanted))
        })
        .map(str::to_string)
        .ok_or_else(|| format!("not a complete OFD package ({wanted} is missing)"))?;
    let mut f = zip
        .by_name(&actual)
        .map_err(|e| format!("cannot read {wanted} in the OFD: {e}"))?;
    if f.size() > MAX_PART {
        return Err(format!("{wanted} is too large ({} bytes)", f.size()));
    }
    let mut v = Vec::with_capacity(f.size() as usize);
    (&mut f).take(MAX_PART).read_to_end(&mut v).map_err(|e| {
        format!("cannot read {wanted} in the OFD (the zip archive is damaged: {e})")
    })?;
    Ok(v)
}

/// The folder of a part's path ("Doc_0/Document.xml" → "Doc_0").
fn parent(p: &str) -> String {
    p.rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

/// A location relative to `dir` (or absolute from the package root).
fn resolve(dir: &str, loc: &str) -> String {
    let loc = loc.trim().replace('\\', "/");
    let mut parts: Vec<&str> = if loc.starts_with('/') {
        vec![]
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in loc.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn local(name: &[u8]) -> &[u8] {
    name.rsplit(|b| *b == b':').next().unwrap_or(name)
}

fn attr(e: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (local(a.key.as_ref()) == key).then(|| {
            a.normalized_value(quick_xml::XmlVersion::default())
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
        })
    })
}

/// The text of the first element named `name` (local name).
fn first_text(xml: &[u8], name: &[u8]) -> Option<String> {
    let mut r = Reader::from_reader(xml);
    let mut buf = vec![];
    let mut inside = false;
    let mut text = String::new();
    loop {
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) if local(e.name().as_ref()) == name => inside = true,
            Event::Text(t) if inside => text.push_str(&t.decode().ok()?),
            Event::GeneralRef(g) if inside => text.push_str(&entity(&g.decode().ok()?)),
            Event::End(e) if inside && local(e.name().as_ref()) == name => {
                return Some(text.trim().to_string())
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// An XML entity or character reference (`amp`, `#x4E00`) as text.
fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n => n
            .strip_prefix("#x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
    }
}

type Parts = (Vec<String>, HashMap<String, String>);

/// Document.xml: the pages' locations in order, and the templates by id.
fn document_parts(xml: &[u8]) -> std::result::Result<Parts, String> {
    let mut r = Reader::from_reader(xml);
    r.config_mut().check_end_names = false;
    let mut buf = vec![];
    let mut pages = vec![];
    let mut templates = HashMap::new();
    loop {
        match r.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) => match local(e.name().as_ref()) {
                b"Page" => {
                    if let Some(loc) = attr(&e, b"BaseLoc") {
                        pages.push(loc);
                    }
                }
                b"TemplatePage" => {
                    if let (Some(id), Some(loc)) = (attr(&e, b"ID"), attr(&e, b"BaseLoc")) {
                        templates.insert(id, loc);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok((pages, templates))
}

#[derive(Debug, Default)]
struct PageContent {
    templates: Vec<String>,
    glyphs: Vec<Glyph>,
}

/// An affine transformation `a b c d e f` (x' = a x + c y + e, y' = b x + d y + f).
#[derive(Debug, Clone, Copy)]
struct Ctm([f64; 6]);

impl Ctm {
    const ID: Ctm = Ctm([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
    fn scale(&self) -> f64 {
        let [a, b, c, d, ..] = self.0;
        (a * d - b * c).abs().sqrt()
    }
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// `DeltaX`/`DeltaY`: numbers, where `g N V` stands for N times V.
fn deltas(s: &str) -> Vec<f64> {
    let mut out = vec![];
    let mut it = s.split_whitespace();
    while let Some(tok) = it.next() {
        if tok == "g" {
            let n: usize = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let v: f64 = it.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            out.extend(std::iter::repeat_n(v, n.min(100_000)));
        } else if let Ok(v) = tok.parse() {
            out.push(v);
        }
    }
    out
}

/// A text object being read.
struct TextObject {
    origin: (f64, f64),
    ctm: Ctm,
    size: f64,
    /// The pen after the last TextCode (a code without X/Y continues there).
    pen: (f64, f64),
}

/// A TextCode being read.
struct Code {
    x: Option<f64>,
    y: Option<f64>,
    dx: Vec<f64>,
    dy: Vec<f64>,
    text: String,
}

/// A page's (or template's) Content.xml: its template references and glyphs.
fn page_content(xml: &[u8]) -> std::result::Result<PageContent, String> {
    let mut r = Reader::from_reader(xml);
    r.config_mut().check_end_names = false;
    let mut buf = vec![];
    let mut page = PageContent::default();
    let mut object: Option<TextObject> = None;
    let mut code: Option<Code> = None;
    loop {
        let ev = r.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match local(e.name().as_ref()) {
                    b"Template" => {
                        if let Some(id) = attr(e, b"TemplateID") {
                            page.templates.push(id);
                        }
                    }
                    b"TextObject" if !empty => {
                        let b = attr(e, b"Boundary")
                            .map(|s| numbers(&s))
                            .unwrap_or_default();
                        let ctm = attr(e, b"CTM")
                            .map(|s| numbers(&s))
                            .filter(|v| v.len() == 6)
                            .map(|v| Ctm([v[0], v[1], v[2], v[3], v[4], v[5]]))
                            .unwrap_or(Ctm::ID);
                        let size = attr(e, b"Size")
                            .and_then(|s| s.trim().parse::<f64>().ok())
                            .filter(|s| *s > 0.0)
                            .unwrap_or(3.5);
                        object = Some(TextObject {
                            origin: (
                                b.first().copied().unwrap_or(0.0),
                                b.get(1).copied().unwrap_or(0.0),
                            ),
                            ctm,
                            size,
                            pen: (0.0, 0.0),
                        });
                    }
                    b"TextCode" if !empty && object.is_some() => {
                        let num = |k: &[u8]| attr(e, k).and_then(|s| s.trim().parse::<f64>().ok());
                        code = Some(Code {
                            x: num(b"X"),
                            y: num(b"Y"),
                            dx: attr(e, b"DeltaX").map(|s| deltas(&s)).unwrap_or_default(),
                            dy: attr(e, b"DeltaY").map(|s| deltas(&s)).unwrap_or_default(),
                            text: String::new(),
                        });
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = code.as_mut() {
                    c.text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::CData(t) => {
                if let Some(c) = code.as_mut() {
                    c.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(g) => {
                if let Some(c) = code.as_mut() {
                    c.text
                        .push_str(&entity(&g.decode().map_err(|e| e.to_string())?));
                }
            }
            Event::End(e) => match local(e.name().as_ref()) {
                b"TextCode" => {
                    if let (Some(c), Some(o)) = (code.take(), object.as_mut()) {
                        place(o, c, &mut page.glyphs);
                    }
                }
                b"TextObject" => object = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(page)
}

/// Put a TextCode's characters on the page.
fn place(o: &mut TextObject, c: Code, out: &mut Vec<Glyph>) {
    let (mut x, mut y) = (c.x.unwrap_or(o.pen.0), c.y.unwrap_or(o.pen.1));
    let size = o.size * o.ctm.scale().max(1e-6);
    let chars: Vec<char> = c.text.chars().collect();
    for (i, ch) in chars.iter().enumerate() {
        let (px, py) = o.ctm.apply(x, y);
        out.push(Glyph {
            x: px + o.origin.0,
            y: py + o.origin.1,
            size,
            ch: *ch,
        });
        let default_dx = if is_wide(*ch) { o.size } else { o.size * 0.5 };
        x += c.dx.get(i).copied().unwrap_or(if c.dx.is_empty() {
            default_dx
        } else {
            *c.dx.last().unwrap()
        });
        y += c.dy.get(i).copied().unwrap_or(0.0);
    }
    o.pen = (x, y);
}

fn is_wide(c: char) -> bool {
    c >= '\u{2e80}'
}

/// The advance a glyph takes (its width, estimated from its font size).
fn advance(g: &Glyph) -> f64 {
    if is_wide(g.ch) {
        g.size
    } else {
        g.size * 0.5
    }
}

/// A page's glyphs as printed lines: by baseline top to bottom, left to
/// right within a line; wide gaps as tabs (table columns), narrower ones as
/// a space; a line under a table row that starts in a later column gets
/// tabs before it.
pub fn page_lines(glyphs: &[Glyph]) -> Vec<String> {
    let mut gs: Vec<&Glyph> = glyphs
        .iter()
        .filter(|g| g.x.is_finite() && g.y.is_finite())
        .collect();
    gs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    // Lines: a glyph joins the line whose baseline is within 40% of its size.
    let mut lines: Vec<(f64, Vec<&Glyph>)> = vec![];
    for g in gs {
        match lines.last_mut() {
            Some((y, line)) if (g.y - *y).abs() <= 0.4 * g.size.max(line[0].size) => line.push(g),
            _ => lines.push((g.y, vec![g])),
        }
    }
    let mut out = vec![];
    // Column starts of the last line that had tabs, and the baseline of the
    // table's last line (a table ends at a wider vertical gap).
    let mut columns: Vec<f64> = vec![];
    let mut table_y = f64::NEG_INFINITY;
    for (y, mut line) in lines {
        if y - table_y > 2.5 * line[0].size {
            columns.clear();
        }
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        // The same character drawn twice at (nearly) one place: fake bold.
        line.dedup_by(|b, a| a.ch == b.ch && (b.x - a.x).abs() < 0.3 * a.size);
        let mut text = String::new();
        let mut starts = vec![line[0].x];
        let mut prev: Option<&Glyph> = None;
        for g in &line {
            if let Some(p) = prev {
                let gap = g.x - (p.x + advance(p));
                let em = p.size.max(g.size);
                if gap > 2.5 * em {
                    text.push('\t');
                    starts.push(g.x);
                } else if gap > 0.6 * em && !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            prev = Some(g);
            text.push(g.ch);
        }
        let text = text.trim_matches(' ').to_string();
        if text.trim().is_empty() {
            continue;
        }
        if starts.len() > 1 {
            columns = starts;
            table_y = y;
        } else if !columns.is_empty() {
            let em = line[0].size;
            let col = columns
                .iter()
                .position(|c| (c - line[0].x).abs() < 1.5 * em)
                .filter(|i| *i > 0);
            match col {
                Some(i) => {
                    out.push(format!("{}{text}", "\t".repeat(i)));
                    table_y = y;
                    continue;
                }
                None if line[0].x < columns[0] - 1.5 * em
                    || line
                        .last()
                        .is_some_and(|g| g.x > columns[columns.len() - 1] + 40.0 * em) =>
                {
                    columns.clear()
                }
                None => {}
            }
        }
        out.push(text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(x: f64, y: f64, ch: char) -> Glyph {
        Glyph {
            x,
            y,
            size: 4.0,
            ch,
        }
    }

    #[test]
    fn deltas_expand_g() {
        assert_eq!(deltas("1 g 3 4.5 2"), vec![1.0, 4.5, 4.5, 4.5, 2.0]);
        assert_eq!(
            resolve("Doc_0", "Pages/Page_0/Content.xml"),
            "Doc_0/Pages/Page_0/Content.xml"
        );
        assert_eq!(resolve("Doc_0", "/Doc_0/Tpls/T.xml"), "Doc_0/Tpls/T.xml");
        assert_eq!(resolve("Doc_0/Pages", "../Res/a.xml"), "Doc_0/Res/a.xml");
    }

    #[test]
    fn lines_by_baseline_gaps_as_tabs() {
        let glyphs = vec![
            g(40.0, 50.0, '列'),
            g(10.0, 50.2, '第'),
            g(14.0, 50.0, '一'),
            g(18.0, 50.0, '条'),
            g(10.0, 40.0, '标'),
            g(14.0, 40.0, '题'),
            g(14.3, 40.0, '题'),
        ];
        assert_eq!(page_lines(&glyphs), vec!["标题", "第一条\t列"]);
    }
}

//! `add --manifest FILE.csv`: a CSV file with a header naming its columns,
//! `path` and any of `title`, `jurisdiction`, `level`, `issuer`,
//! `doc_number`, `date` (in any order; an empty cell leaves the field to
//! detection). Paths are relative to the manifest's folder. A header
//! without `path`, or with a column of another name, is refused with the
//! list of names; a row without a path is a refused row.

use std::path::{Path, PathBuf};

use crate::corpus::meta::Detected;
use crate::corpus::{Date, Level};
use crate::error::{Error, Result};

/// The columns a manifest may have.
pub const COLUMNS: [&str; 7] = [
    "path",
    "title",
    "jurisdiction",
    "level",
    "issuer",
    "doc_number",
    "date",
];

/// One row: its line in the file, the document's path and the fields given.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line number in the manifest (the header is line 1).
    pub line: u64,
    /// Resolved against the manifest's folder; empty when the cell was.
    pub path: PathBuf,
    pub fields: Detected,
}

/// Read a manifest.
pub fn read(manifest: &Path) -> Result<Vec<Row>> {
    let bytes = std::fs::read(manifest)
        .map_err(|e| Error::input(manifest, format!("cannot read the manifest: {e}")))?;
    let text = crate::corpus::load::decode(manifest, &bytes)?.text;
    let base = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    parse(manifest, &text, &base)
}

/// Parse a manifest's text (paths resolved against `base`).
pub fn parse(manifest: &Path, text: &str, base: &Path) -> Result<Vec<Row>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::input(manifest, format!("not a CSV file: {e}")))?
        .iter()
        .map(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .to_lowercase()
                .replace('-', "_")
        })
        .collect();
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(Error::input(
                manifest,
                format!(
                    "unknown column '{h}' in the header (a manifest's columns are {})",
                    COLUMNS.join(", ")
                ),
            ));
        }
    }
    let Some(path_col) = header.iter().position(|h| h == "path") else {
        return Err(Error::input(
            manifest,
            format!(
                "the header has no 'path' column (a manifest's columns are {})",
                COLUMNS.join(", ")
            ),
        ));
    };
    let mut rows = vec![];
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::input(manifest, format!("not a CSV file: {e}")))?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let cell = |name: &str| -> Option<String> {
            let i = header.iter().position(|h| h == name)?;
            rec.get(i)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let path = rec.get(path_col).map(str::trim).unwrap_or("");
        rows.push(Row {
            line,
            path: if path.is_empty() {
                PathBuf::new()
            } else {
                base.join(path)
            },
            fields: Detected {
                title: cell("title"),
                jurisdiction: cell("jurisdiction"),
                level: cell("level").map(Level::from),
                issuer: cell("issuer"),
                doc_number: cell("doc_number"),
                date: cell("date").map(Date::from),
                ..Default::default()
            },
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_any_order_paths_relative() {
        let rows = parse(
            Path::new("m.csv"),
            "\u{feff}Title,path,date,doc-number\n人才措施,a/b.txt,2023-06-20,\n,\"c d.pdf\",,宁政发〔2023〕45号\n,,\n",
            Path::new("/data"),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].path, Path::new("/data/a/b.txt"));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].fields.title.as_deref(), Some("人才措施"));
        assert_eq!(rows[0].fields.date, Some(Date::parse("2023-06-20")));
        assert_eq!(rows[0].fields.doc_number, None);
        assert_eq!(rows[1].path, Path::new("/data/c d.pdf"));
        assert_eq!(
            rows[1].fields.doc_number.as_deref(),
            Some("宁政发〔2023〕45号")
        );
        let e = parse(Path::new("m.csv"), "file,title\nx,y\n", Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("unknown column 'file'"), "{e}");
        let e = parse(Path::new("m.csv"), "title\ny\n", Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("no 'path' column"), "{e}");
    }
}

//! CSV: one record per row (aligned group), one field per column with the
//! texts of its provisions (blank where it has no counterpart), then the
//! provision ids and figures per column. Every field goes through
//! [`csv_safe`], so a text a spreadsheet would run as a formula is inert.

use std::io::Write;

use super::{figure_list, TopicComparison};
use crate::report::csv_safe;

/// Write the CSV report to `w`.
pub fn csv<W: Write>(c: &TopicComparison, w: W) -> std::io::Result<()> {
    let mut out = ::csv::Writer::from_writer(w);
    let mut header: Vec<String> = ["row", "label", "similarity", "shared_terms"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(c.columns.iter().cloned());
    header.push("provisions".into());
    header.push("figures".into());
    write(&mut out, &header)?;
    for (i, r) in c.rows.iter().enumerate() {
        let mut rec = vec![
            (i + 1).to_string(),
            r.label.clone(),
            format!("{:.3}", r.similarity),
            r.shared_terms.join(" "),
        ];
        let mut ids = vec![];
        let mut figs = vec![];
        for col in &c.columns {
            let cells = r.cells.get(col);
            rec.push(
                cells
                    .iter()
                    .map(|x| x.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            );
            if !cells.is_empty() {
                let list: Vec<&str> = cells.iter().map(|x| x.provision_id.as_str()).collect();
                ids.push(format!("{col}: {}", list.join(" ")));
                let f: Vec<String> = cells.iter().map(|x| figure_list(&x.figures)).collect();
                figs.push(format!("{col}: {}", f.join(" / ")));
            }
        }
        rec.push(ids.join("; "));
        rec.push(figs.join("; "));
        write(&mut out, &rec)?;
    }
    out.flush()
}

fn write<W: Write>(out: &mut ::csv::Writer<W>, fields: &[String]) -> std::io::Result<()> {
    out.write_record(fields.iter().map(|f| csv_safe(f).into_owned()))
        .map_err(std::io::Error::other)
}

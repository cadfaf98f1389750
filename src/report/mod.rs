//! Renderers: turn result structs into bytes. Shared escaping lives here.

pub mod reuse;
pub mod search;
pub mod stale;
pub mod topics;

/// Neutralize a CSV cell a spreadsheet would run as a formula (=, +, -, @,
/// tab, CR at the start) by prefixing a single quote.
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for one line of Markdown (a table cell, a list item, a heading):
/// line breaks become spaces, tabs ` · `, other control characters go, and
/// what Markdown would read as markup is backslash-escaped (`\*`, `\|`,
/// `\<`), so the text renders as written. No HTML entities: a reader of the
/// raw file sees `二、主要任务 > （一）`, and `<script>` cannot become a tag.
pub fn md_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\t' => out.push_str(" · "),
            c if c.is_control() => {}
            '\\' | '*' | '_' | '`' | '[' | ']' | '|' | '~' | '<' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for a code span (`` `id` ``) inside a Markdown table cell: `|` is
/// backslash-escaped, since a table splits its cells before it reads code
/// spans; nothing else is, since a backslash is literal inside a code span.
pub fn md_code(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Serialize `(key, value)` pairs as a JSON object in their order (a map
/// type would sort them; columns and topics keep the order the user gave).
pub fn serialize_pairs<S, K, V>(pairs: &[(K, V)], s: S) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    K: serde::Serialize,
    V: serde::Serialize,
{
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(csv_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_safe("-1"), "'-1");
        assert_eq!(csv_safe("正文"), "正文");
        assert_eq!(
            html_escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
    }
}

/// `n` and the noun, singular for one: `1 provision`, `5 provisions`,
/// `1 matching provision`, `2 matching provisions` (a plural `s` on the
/// last word).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod count_tests {
    use super::{count, md_code, md_inline};

    #[test]
    fn markdown_is_escaped_without_entities() {
        assert_eq!(md_inline("a|b*c<d>\te"), "a\\|b\\*c\\<d> · e");
        assert_eq!(md_inline("二、主要任务 > （一）"), "二、主要任务 > （一）");
        assert_eq!(md_inline("R&D\n[1]"), "R\\&D \\[1\\]");
        assert!(!md_inline("<script>&amp;").contains("&lt;"));
        assert_eq!(md_code("land_use|x*"), "land_use\\|x*");
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1, "provision"), "1 provision");
        assert_eq!(count(0, "provision"), "0 provisions");
        assert_eq!(count(2, "matching provision"), "2 matching provisions");
        assert_eq!(count(1, "matching provision"), "1 matching provision");
    }
}

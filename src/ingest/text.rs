//! Plain text and Markdown: decoded by `load` (UTF-8 with or without BOM,
//! UTF-16, GB18030/GBK, Big5 and other legacy encodings). Markdown keeps its
//! lines (the structure parser reads its `#` headings and 第X条 lines) but
//! loses its emphasis marks (`**节能改造**` is 节能改造 in the document).

use std::path::Path;

use crate::corpus::load;
use crate::error::Result;

/// The text, and whether it is the file's bytes unchanged.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<(String, bool)> {
    let decoded = load::decode(path, bytes)?;
    let verbatim = decoded.text.as_bytes() == bytes;
    Ok((decoded.text, verbatim))
}

/// [`extract`] for Markdown: `**strong**` and `__strong__` marks removed
/// where they come in pairs on a line.
pub fn extract_markdown(path: &Path, bytes: &[u8]) -> Result<(String, bool)> {
    let (text, verbatim) = extract(path, bytes)?;
    if !text.contains("**") && !text.contains("__") {
        return Ok((text, verbatim));
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut line = line.to_string();
        for mark in ["**", "__"] {
            if line.matches(mark).count() >= 2 && line.matches(mark).count() % 2 == 0 {
                line = line.replace(mark, "");
            }
        }
        out.push_str(&line);
    }
    let verbatim = out.as_bytes() == bytes;
    Ok((out, verbatim))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_emphasis_is_removed_in_pairs() {
        let md = "### （一）节能降碳\n\n实施**节能改造**，降低单位能耗。\n5 ** 2 不是强调\n";
        let (text, verbatim) = extract_markdown(Path::new("a.md"), md.as_bytes()).unwrap();
        assert_eq!(
            text,
            "### （一）节能降碳\n\n实施节能改造，降低单位能耗。\n5 ** 2 不是强调\n"
        );
        assert!(!verbatim);
    }

    #[test]
    fn gbk_is_decoded_and_not_verbatim() {
        let s = "第一条 为了规范管理，制定本办法。\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        let (t, verbatim) = extract(Path::new("a.txt"), &gbk).unwrap();
        assert_eq!(t, s);
        assert!(!verbatim);
        let (t, verbatim) = extract(Path::new("a.txt"), s.as_bytes()).unwrap();
        assert_eq!(t, s);
        assert!(verbatim);
    }
}

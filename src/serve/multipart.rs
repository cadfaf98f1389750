//! `multipart/form-data` bodies (RFC 7578), as browsers send a form with
//! files: the parts with their field name, file name and bytes.

use memchr::memmem;

/// One field of a form.
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    /// Set for a file field (possibly empty when no file was chosen).
    pub filename: Option<String>,
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    let kind = parts.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// The parts of `body`, or what is malformed about it.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let delim = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let Some(first) = memmem::find(body, delim.as_bytes()) else {
        return Err("the form has no parts".into());
    };
    let mut at = first + delim.len();
    let mut parts = vec![];
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("a part's boundary is not followed by a line break")?;
        let head_end = memmem::find(rest, b"\r\n\r\n").ok_or("a part's headers do not end")?;
        let head = std::str::from_utf8(&rest[..head_end])
            .map_err(|_| "a part's headers are not UTF-8".to_string())?;
        let data_start = head_end + 4;
        let data_len = memmem::find(&rest[data_start..], next.as_bytes())
            .ok_or("the form ends before its closing boundary")?;
        let (name, filename) = disposition(head).ok_or("a part has no form-data name")?;
        parts.push(Part {
            name,
            filename,
            data: &rest[data_start..data_start + data_len],
        });
        at += 2 + data_start + data_len + next.len();
    }
}

/// The `name` and `filename` of a part's `Content-Disposition: form-data`.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.split("\r\n").find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(v)
    })?;
    let (mut name, mut filename) = (None, None);
    for param in params(line) {
        match param {
            (k, v) if k.eq_ignore_ascii_case("name") => name = Some(v),
            (k, v) if k.eq_ignore_ascii_case("filename") => filename = Some(v),
            _ => {}
        }
    }
    Some((name?, filename))
}

/// `form-data; name="a"; filename="b;c.txt"` → (name, a), (filename, b;c.txt):
/// quoted values may hold `;` (browsers send `"` as `%22`).
fn params(line: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut s = line;
    while let Some(eq) = s.find('=') {
        let key = s[..eq].rsplit(';').next().unwrap_or("").trim().to_string();
        let rest = &s[eq + 1..];
        let (value, after) = match rest.strip_prefix('"') {
            Some(q) => match q.find('"') {
                Some(end) => (q[..end].to_string(), &q[end + 1..]),
                None => (q.to_string(), ""),
            },
            None => {
                let end = rest.find(';').unwrap_or(rest.len());
                (rest[..end].trim().to_string(), &rest[end..])
            }
        };
        out.push((key, value.replace("%22", "\"")));
        s = after;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body as Chromium sends it: a text field, a file with a Chinese
    /// name, an empty file field.
    #[test]
    fn parts_of_a_browser_form() {
        let b = "----WebKitFormBoundaryX7";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"关于;人才.txt\"\r\n\
             Content-Type: text/plain\r\n\r\n第一条\r\n第二条\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n\r\n--{b}--\r\n"
        );
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={b}")).as_deref(),
            Some(b)
        );
        let parts = parse(body.as_bytes(), b).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].data),
            ("csrf", &b"abc"[..])
        );
        assert_eq!(parts[1].filename.as_deref(), Some("关于;人才.txt"));
        assert_eq!(parts[1].data, "第一条\r\n第二条".as_bytes());
        assert_eq!(parts[2].filename.as_deref(), Some(""));
        assert!(parts[2].data.is_empty());
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert!(boundary("application/x-www-form-urlencoded").is_none());
        assert!(parse(b"no parts here", "B").is_err());
        let truncated = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nxyz";
        assert!(parse(truncated.as_bytes(), "B").is_err());
        let nameless = "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--";
        assert!(parse(nameless.as_bytes(), "B").is_err());
    }
}

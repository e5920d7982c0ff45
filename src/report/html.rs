//! HTML and SVG text escaping, written once for the report, the tables and
//! the figures.

/// `s` safe inside HTML or SVG text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            super::escape(r#"<b a="1">x & y</b>"#),
            "&lt;b a=&quot;1&quot;&gt;x &amp; y&lt;/b&gt;"
        );
    }
}

//! Safe file names for everything named after data (a column, an outcome,
//! a level): `cohortlab run`'s tables and figures and the page's downloads.
//! A column called `x/../../../ESCAPED` must not write outside the folder
//! asked for, so every such name goes through [`safe_stem`] or
//! [`safe_file_name`].

/// The longest stem kept (in bytes, which are ASCII here).
pub const MAX_STEM: usize = 80;

/// Names Windows reserves for devices, whatever the extension.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A file stem made of ASCII letters, digits, `-` and `_` only: every run
/// of other characters (`/`, `\`, `.`, spaces, control characters, non-ASCII)
/// becomes one `_`, the result is at most [`MAX_STEM`] bytes, never empty,
/// never starts with a dot (there are none) and is never a device name.
/// `forest_tpcr` stays `forest_tpcr`; `x/../../../ESCAPED` becomes
/// `x_ESCAPED`.
pub fn safe_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(MAX_STEM));
    let mut replaced = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            if replaced && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            replaced = false;
            out.push(c);
        } else {
            replaced = true;
        }
        if out.len() >= MAX_STEM {
            break;
        }
    }
    out.truncate(MAX_STEM);
    let out = out.trim_matches('_').to_string();
    if out.is_empty() {
        return "unnamed".into();
    }
    if RESERVED.contains(&out.to_ascii_lowercase().as_str()) {
        return format!("{out}_");
    }
    out
}

/// A whole file name: [`safe_stem`] of the part before the last dot, and
/// an extension of ASCII letters and digits only (at most 10).
/// `matched.csv` stays `matched.csv`.
pub fn safe_file_name(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !ext.is_empty()
                && ext.len() <= 10
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!("{}.{ext}", safe_stem(stem))
        }
        _ => safe_stem(name),
    }
}

/// Safe stems for a list of names, made unique (`name`, `name-2`, ...)
/// so that two columns whose names differ only in replaced characters do
/// not overwrite each other's files.
pub fn unique_stems<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| {
            let base = safe_stem(n);
            let mut stem = base.clone();
            let mut k = 2;
            while !seen.insert(stem.to_ascii_lowercase()) {
                stem = format!("{base}-{k}");
                k += 1;
            }
            stem
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_readable_and_inside() {
        assert_eq!(safe_stem("forest_tpcr"), "forest_tpcr");
        assert_eq!(
            safe_stem("survival_by_x/../../../ESCAPED"),
            "survival_by_x_ESCAPED"
        );
        assert_eq!(safe_stem("..\\..\\win"), "win");
        assert_eq!(safe_stem("a\0b"), "a_b");
        assert_eq!(safe_stem("../.."), "unnamed");
        assert_eq!(safe_stem(""), "unnamed");
        assert_eq!(safe_stem(".hidden"), "hidden");
        assert_eq!(safe_stem("Ki-67 (%)"), "Ki-67");
        assert_eq!(safe_stem("âge"), "ge");
        assert_eq!(safe_stem("NUL"), "NUL_");
        assert_eq!(safe_stem(&"x".repeat(100_000)).len(), MAX_STEM);
        assert_eq!(safe_file_name("matched.csv"), "matched.csv");
        assert_eq!(safe_file_name("../../etc/passwd"), "etc_passwd");
        assert_eq!(safe_file_name("a/b.svg"), "a_b.svg");
        assert_eq!(
            unique_stems(["a/b", "a\\b", "a_b", "c"]),
            ["a_b", "a_b-2", "a_b-3", "c"]
        );
    }
}

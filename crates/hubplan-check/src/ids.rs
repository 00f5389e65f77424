//! Ids and text: duplicates after Unicode normalisation, invisible characters.

use std::collections::BTreeMap;

use hubplan_io::LoadedScenario;
use unicode_normalization::UnicodeNormalization;

use crate::{codes, file_label, notice, Notice};

/// Characters that cannot be seen, or look like a plain space but are not one:
/// controls, zero-width and joiners, the byte-order mark, non-breaking and other
/// unusual spaces, bidirectional marks, variation selectors, soft hyphen, tags.
pub(crate) fn is_invisible(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    matches!(c as u32,
        0x00A0 | 0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5
        | 0x180B..=0x180E | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F
        | 0x3000 | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8
        | 0xE0000..=0xE0FFF)
}

/// The comparison key of an id: NFKC, invisible characters removed, case-folded
/// (lower case, then NFKC again), trimmed, inner runs of spaces made one.
pub(crate) fn key(id: &str) -> String {
    let s: String = id.nfkc().filter(|&c| !is_invisible(c) || c == ' ').collect();
    let folded: String = s
        .chars()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfkc()
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `U+200B` for each invisible character of `s`, in order, without repeats.
fn invisible_names(s: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for c in s.chars().filter(|&c| is_invisible(c)) {
        let n = format!("U+{:04X}{}", c as u32, describe(c));
        if !v.contains(&n) {
            v.push(n);
        }
    }
    v
}

fn describe(c: char) -> &'static str {
    match c as u32 {
        0x00A0 => " no-break space",
        0x200B => " zero-width space",
        0x200C => " zero-width non-joiner",
        0x200D => " zero-width joiner",
        0xFEFF => " byte-order mark",
        0x00AD => " soft hyphen",
        0x09 => " tab",
        0x0A => " line feed",
        0x0D => " carriage return",
        _ => "",
    }
}

/// The text with invisible characters shown as `<U+XXXX>`.
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_invisible(c) {
                format!("<U+{:04X}>", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

struct Record<'a> {
    id: &'a str,
    row: Option<u64>,
    texts: Vec<(&'static str, &'a str)>,
}

fn check_file(file: &str, what: &str, records: &[Record<'_>], out: &mut Vec<Notice>) {
    // Invisible characters in any text field.
    for r in records {
        for &(field, text) in std::iter::once(&("id", r.id)).chain(r.texts.iter()) {
            let names = invisible_names(text);
            if names.is_empty() {
                continue;
            }
            out.push(
                notice(
                    codes::INVISIBLE_CHARACTER,
                    format!(
                        "{what} {:?}: the {field} has invisible or control characters ({}); they make equal-looking texts differ: retype it or remove them",
                        visible(r.id),
                        names.join(", ")
                    ),
                )
                .file(file)
                .row_opt(r.row)
                .field(field)
                .value(visible(text)),
            );
        }
    }
    // Ids equal after normalisation.
    let mut groups: BTreeMap<String, Vec<&Record<'_>>> = BTreeMap::new();
    for r in records {
        groups.entry(key(r.id)).or_default().push(r);
    }
    for (_, g) in groups.into_iter().filter(|(_, g)| g.len() > 1) {
        for r in &g {
            let mut others: Vec<String> = g
                .iter()
                .filter(|o| !std::ptr::eq(*o, r))
                .map(|o| format!("{:?}", visible(o.id)))
                .collect();
            others.sort();
            out.push(
                notice(
                    codes::DUPLICATE_ID_AFTER_NORMALISATION,
                    format!(
                        "{what} id {:?} is the same as {} once case, character width, spaces and invisible characters are ignored; give each {what} one spelling",
                        visible(r.id),
                        others.join(", ")
                    ),
                )
                .file(file)
                .row_opt(r.row)
                .field("id")
                .value(visible(r.id)),
            );
        }
    }
}

pub(crate) fn check(loaded: &LoadedScenario, out: &mut Vec<Notice>) {
    let inp = &loaded.inputs_without_travel;
    let rows = &loaded.rows;
    let sites: Vec<Record<'_>> = inp
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| Record {
            id: &s.id,
            row: rows.sites.get(i).copied(),
            texts: vec![("name", &s.name), ("district", &s.district), ("kind", &s.kind)],
        })
        .collect();
    check_file(&file_label(loaded, &rows.sites_file), "site", &sites, out);
    let zones: Vec<Record<'_>> = inp
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| Record {
            id: &z.id,
            row: rows.zones.get(i).copied(),
            texts: vec![("name", &z.name), ("district", &z.district)],
        })
        .collect();
    check_file(&file_label(loaded, &rows.zones_file), "zone", &zones, out);
    // Services: from services.csv (with rows), or named in the sites file.
    let from_file = !rows.services_file.as_os_str().is_empty();
    let services: Vec<Record<'_>> = inp
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| Record {
            id: &s.id,
            row: if from_file { rows.services.get(i).copied() } else { None },
            texts: if from_file { vec![("name", &s.name)] } else { vec![] },
        })
        .collect();
    let file = if from_file {
        file_label(loaded, &rows.services_file)
    } else {
        file_label(loaded, &rows.sites_file)
    };
    check_file(&file, "service", &services, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_width_spaces_and_invisibles() {
        assert_eq!(key("S001"), key("s001"));
        assert_eq!(key("S001"), key("Ｓ００１"));
        assert_eq!(key("S001"), key("S\u{200B}001"));
        assert_eq!(key("Kent  North"), key("kent\u{00A0}north"));
        assert_ne!(key("S001"), key("S002"));
        assert!(is_invisible('\u{FEFF}') && is_invisible('\u{00A0}') && !is_invisible('é'));
    }
}

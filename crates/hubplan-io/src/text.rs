//! Text read from input files, in one Unicode normal form.
//!
//! An accented letter can be stored as one character (`é`, U+00E9: NFC, what most
//! keyboards and spreadsheets write) or as a letter and a combining accent (`e` +
//! U+0301: NFD, what some macOS tools and databases write). Both look the same and
//! mean the same, but compared byte for byte they differ, so a site id typed one
//! way in the sites file and the other way in the travel-time matrix would not
//! match. Every text cell is therefore read as NFC, at the edge (CSV and GeoJSON
//! cells and headers, the matrix's ids, the scenario's id lists, and the ids of a
//! what-if), and compared in that form.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// `s` in Unicode Normalization Form C (canonical composition): borrowed when it
/// already is (every ASCII text is, at the cost of one scan).
pub fn nfc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        let n: String = s.nfc().collect();
        if n == s {
            Cow::Borrowed(s)
        } else {
            Cow::Owned(n)
        }
    }
}

/// [`nfc`] as an owned string.
pub(crate) fn nfc_string(s: &str) -> String {
    nfc(s).into_owned()
}

/// A note for a message about an id that has accented (non-ASCII) letters: ids are
/// compared in NFC, so two spellings that differ only in how accents are encoded
/// are the same id. Empty for an ASCII id.
pub(crate) fn nfc_note(id: &str) -> &'static str {
    if id.is_ascii() {
        ""
    } else {
        " (ids are compared after Unicode normalisation to NFC: an accented letter stored as one character or as a letter and a combining accent is the same id)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_becomes_nfc_and_the_rest_is_borrowed() {
        let nfd = "Cafe\u{301} Hub";
        assert_eq!(nfc(nfd), "Caf\u{e9} Hub");
        assert!(matches!(nfc("Caf\u{e9} Hub"), Cow::Borrowed(_)));
        assert!(matches!(nfc("S001"), Cow::Borrowed(_)));
        // Hangul jamo compose too; other scripts pass through.
        assert_eq!(nfc("\u{1100}\u{1161}"), "\u{ac00}");
        assert_eq!(
            nfc("Llanfair\u{ad}pwll"),
            "Llanfair\u{ad}pwll",
            "a soft hyphen is left as it is"
        );
    }
}

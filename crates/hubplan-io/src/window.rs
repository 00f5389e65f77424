//! The departure window `HH:MM-HH:MM`, parsed once: by the scenario reader for
//! `[transit] window` (a typed field of [`crate::TransitSection`]), and by every
//! front end for a `--window` flag (`hubplan-run` re-exports it).

use std::fmt;

/// A departure window `[start, end)` in seconds after midnight of the service day.
/// Hours run to 47, so a window may pass midnight (`23:30-25:00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Start, seconds after midnight (inclusive).
    pub start_s: u32,
    /// End, seconds after midnight (exclusive); always after `start_s`.
    pub end_s: u32,
}

/// Why a window did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WindowError(String);

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WindowError {}

impl Window {
    /// Parses `HH:MM-HH:MM` (hours 0–47, minutes 0–59; the end after the start).
    pub fn parse(text: &str) -> Result<Window, WindowError> {
        let err = |m: String| WindowError(m);
        let hm = |s: &str| -> Result<u32, WindowError> {
            let (h, m) = s
                .trim()
                .split_once(':')
                .ok_or_else(|| err(format!("expected HH:MM, found {s:?}")))?;
            let h: u32 = h
                .trim()
                .parse()
                .map_err(|_| err(format!("expected an hour, found {h:?}")))?;
            let m: u32 = m
                .trim()
                .parse()
                .map_err(|_| err(format!("expected minutes, found {m:?}")))?;
            if h > 47 || m > 59 {
                return Err(err(format!("time {s:?} is out of range (hours 0–47, minutes 0–59)")));
            }
            Ok(h * 3600 + m * 60)
        };
        let (a, b) = text
            .split_once('-')
            .ok_or_else(|| err(format!("expected a window HH:MM-HH:MM, found {text:?}")))?;
        let (start_s, end_s) = (hm(a)?, hm(b)?);
        if end_s == start_s {
            return Err(err(format!(
                "the window {text:?} is empty: it ends when it starts; expected an end after the start \
                 (one departure every minute from the start, up to but not including the end)"
            )));
        }
        if end_s < start_s {
            return Err(err(format!(
                "the window {text:?} ends before it starts; a window past midnight is written with hours past 24 \
                 (e.g. 23:30-25:00)"
            )));
        }
        Ok(Window { start_s, end_s })
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |s: u32| format!("{:02}:{:02}", s / 3600, (s % 3600) / 60);
        write!(f, "{}-{}", hm(self.start_s), hm(self.end_s))
    }
}

impl std::str::FromStr for Window {
    type Err = WindowError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Window::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse() {
        assert_eq!(
            Window::parse("14:00-15:00").unwrap(),
            Window {
                start_s: 50_400,
                end_s: 54_000
            }
        );
        assert_eq!(
            Window::parse("23:30-25:00").unwrap(),
            Window {
                start_s: 84_600,
                end_s: 90_000
            }
        );
        assert_eq!(Window::parse("07:00-09:00").unwrap().to_string(), "07:00-09:00");
        assert!(Window::parse("15:00-14:00").is_err());
        // Session 15 audit: an empty window was said to end before it starts.
        let empty = Window::parse("09:00-09:00").unwrap_err().to_string();
        assert!(empty.contains("is empty: it ends when it starts"), "{empty}");
        let past_midnight = Window::parse("23:00-01:00").unwrap_err().to_string();
        assert!(past_midnight.contains("ends before it starts"), "{past_midnight}");
        assert!(past_midnight.contains("23:30-25:00"), "{past_midnight}");
        assert!(Window::parse("1400-1500").is_err());
        assert!(Window::parse("07:6x-09:00").is_err());
        assert!(Window::parse("48:00-49:00").is_err());
    }
}

//! Reading input files (scenarios, manifests, sweeps, traces) as text, and
//! quoting what was found in them, so that every problem names where it is:
//! an I/O error names the path, invalid UTF-8 names the line and column of
//! the first bad byte, and a quoted value is cut to a short prefix so a 2 MB
//! value cannot turn into a 2 MB error line.

use super::diagnostic::{Diagnostic, Pos};
use std::path::Path;

/// Longest prefix (in characters) of a value quoted in a message.
pub const MAX_QUOTED_CHARS: usize = 64;

/// Longest message shown whole; longer ones (a long value shown bare) are cut.
const MAX_MESSAGE_BYTES: usize = 2000;

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read at all; the caller says where it was named.
    Io(std::io::Error),
    /// Not UTF-8: located at the first invalid byte, in the file itself.
    NotUtf8(Diagnostic),
}

/// Reads `path` as UTF-8 text. `what` names the file's role in the message
/// ("the scenario file", "the trace file"). A file that cannot be read gives a
/// diagnostic naming the path (line 0: it is about the file as a whole); one
/// that is not UTF-8 gives the line and column of its first invalid byte.
pub fn read_text(path: &Path, what: &str) -> Result<String, Diagnostic> {
    read_utf8(path, what).map_err(|e| match e {
        ReadError::Io(e) => Diagnostic::new(
            path.display().to_string(),
            Pos::default(),
            "",
            format!("cannot read {what}: {e}"),
        ),
        ReadError::NotUtf8(d) => d,
    })
}

/// [`read_text`] for a file named by another (a manifest, a scheduler
/// configuration, a trace): the caller reports an I/O error at the reference.
pub fn read_utf8(path: &Path, what: &str) -> Result<String, ReadError> {
    let bytes = crate::input::read_bytes(path).map_err(ReadError::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid_up_to = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let byte = bytes[valid_up_to];
        ReadError::NotUtf8(Diagnostic::new(
            path.display().to_string(),
            position_of_byte(bytes, valid_up_to),
            "",
            format!(
                "{what} is not valid UTF-8: byte 0x{byte:02x} at offset {valid_up_to}; \
                 save the file as UTF-8"
            ),
        ))
    })
}

/// The 1-based line and column (in characters) of byte `offset` of `bytes`,
/// whose first `offset` bytes are valid UTF-8.
fn position_of_byte(bytes: &[u8], offset: usize) -> Pos {
    let before = std::str::from_utf8(&bytes[..offset]).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// `value` quoted and escaped for a one-line message; beyond `max_chars`
/// characters it is cut and the full length is said: `"aaaa…" (2000000 bytes)`.
pub fn quote_prefix(value: &str, max_chars: usize) -> String {
    match value.char_indices().nth(max_chars) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &value[..cut], value.len()),
    }
}

/// `value` for a message without quotes (inside backticks, a field path),
/// cut like [`quote_prefix`].
pub fn prefix(value: &str, max_chars: usize) -> String {
    match value.char_indices().nth(max_chars) {
        None => value.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &value[..cut], value.len()),
    }
}

/// Cuts every long quoted part of an already formatted message: a `"…"`
/// string in Rust's escaped form or a `` `…` `` name longer than
/// [`MAX_QUOTED_CHARS`]. Messages come from many decoders (and the model's
/// own parsers, such as quantities and durations); this is the last line of
/// defence so that no found value, however long, makes a long error line.
pub fn shorten_quoted(message: &str) -> std::borrow::Cow<'_, str> {
    if message.len() <= MAX_QUOTED_CHARS {
        return one_line(message);
    }
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let delimiter = rest.as_bytes()[open];
        out.push_str(&rest[..open]);
        let body_start = open + 1;
        let Some(len) = quoted_len(&rest[body_start..], delimiter) else {
            // An unmatched delimiter: keep the rest as it is, cut if long.
            out.push_str(&prefix(&rest[open..], MAX_QUOTED_CHARS * 4));
            rest = "";
            break;
        };
        let body = &rest[body_start..body_start + len];
        let d = delimiter as char;
        match body.char_indices().nth(MAX_QUOTED_CHARS) {
            None => {
                out.push(d);
                out.push_str(body);
                out.push(d);
            }
            Some((cut, _)) => {
                // Do not cut inside an escape such as `\u{1f600}` or `\"`.
                let cut = body[..cut]
                    .rfind('\\')
                    .filter(|b| cut - b < 12)
                    .unwrap_or(cut);
                out.push(d);
                out.push_str(&body[..cut]);
                out.push(d);
                out.push_str(&format!("… ({} characters)", body.chars().count()));
            }
        }
        rest = &rest[body_start + len + 1..];
    }
    out.push_str(rest);
    // A path or name shown bare may hold a line break; a diagnostic is one line.
    if out.contains(char::is_control) {
        out = one_line(&out).into_owned();
    }
    // Whatever is left unquoted (a bare name) is bounded too.
    if out.len() > MAX_MESSAGE_BYTES {
        out = prefix(&out, MAX_MESSAGE_BYTES / 4);
    }
    std::borrow::Cow::Owned(out)
}

/// `text` with control characters (line breaks, tabs, NUL) escaped as Rust
/// escapes them, so that it stays on one line.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Length of a quoted body up to (not including) its closing `delimiter`;
/// inside `"…"` a backslash escapes the next character.
fn quoted_len(body: &str, delimiter: u8) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if delimiter == b'"' => i += 2,
            b if b == delimiter => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kubesim-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn invalid_utf8_names_line_and_column_of_the_first_bad_byte() {
        // Line 3 is "  é\xff": the bad byte is the 4th character of the line.
        let path = write("bad.yaml", b"a: 1\nb:\n  \xc3\xa9\xff\n");
        let d = read_text(&path, "the scenario file").unwrap_err();
        assert_eq!(d.pos, Pos::new(3, 4));
        assert_eq!(d.file, path.display().to_string());
        assert!(
            d.message
                .starts_with("the scenario file is not valid UTF-8: byte 0xff at offset 12"),
            "{}",
            d.message
        );
        assert_eq!(
            read_text(&write("ok.yaml", b"a: 1\n"), "x").unwrap(),
            "a: 1\n"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let path = std::env::temp_dir().join("kubesim-no-such-file.yaml");
        let d = read_text(&path, "the trace file").unwrap_err();
        assert_eq!(d.file, path.display().to_string());
        assert_eq!(d.pos.line, 0);
        assert!(
            d.message.starts_with("cannot read the trace file: "),
            "{}",
            d.message
        );
    }

    #[test]
    fn long_values_are_quoted_by_a_short_prefix() {
        assert_eq!(quote_prefix("web", 64), "\"web\"");
        let long = "a".repeat(2_000_000);
        let q = quote_prefix(&long, 4);
        assert_eq!(q, "\"aaaa\"… (2000000 bytes)");
        assert_eq!(quote_prefix("ééééé", 2), "\"éé\"… (10 bytes)");
    }

    #[test]
    fn shorten_quoted_cuts_each_long_quote_and_keeps_the_rest() {
        let long = "k".repeat(1000);
        let message = format!(
            "unknown field `{long}`; found {:?}; expected one of: a, b",
            long
        );
        let short = shorten_quoted(&message);
        assert!(short.len() < 250, "{short}");
        assert!(short.starts_with(&format!(
            "unknown field `{}`… (1000 characters)",
            &long[..64]
        )));
        assert!(
            short.ends_with("… (1000 characters); expected one of: a, b"),
            "{short}"
        );
        // Escapes are not cut in half.
        let escaped = format!("{:?}", format!("{}\"tail", "x".repeat(63)));
        let message = format!("found {escaped} and more text to be long");
        let short = shorten_quoted(&message);
        assert!(short.starts_with("found \""), "{short}");
        assert!(!short.contains("\\\"…"), "{short}");
        assert_eq!(shorten_quoted("short \"x\""), "short \"x\"");
        // A bare path with a line break stays on one line.
        assert_eq!(
            shorten_quoted("cannot read /a/|\n  block: No such file or directory (os error 2)"),
            "cannot read /a/|\\n  block: No such file or directory (os error 2)"
        );
    }
}

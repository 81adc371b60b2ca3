//! Quoting what was found in an input inside a one-line message: a value is
//! escaped and cut to a short prefix, so a 2 MB value cannot turn into a 2 MB
//! error line, and control characters never break a diagnostic's line.

/// Longest prefix (in characters) of a value quoted in a message.
pub const MAX_QUOTED_CHARS: usize = 64;

/// Longest message shown whole; longer ones (a long value shown bare) are cut.
const MAX_MESSAGE_BYTES: usize = 2000;

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

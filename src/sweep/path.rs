//! Field paths into a scenario's YAML tree (`nodePools[0].count`,
//! `scheduler.profiles[0].pluginConfig[0].args.scoringStrategy.type`) and
//! overriding the value they name.
//!
//! Overrides edit the parsed tree before the scenario is decoded, so a sweep
//! can vary any field the scenario format has, and the scenario decoder (not
//! this module) decides whether a field is valid: a misspelt last segment
//! becomes a new key that the decoder reports as an unknown field with a
//! "did you mean" hint. Missing intermediate mappings are created for the same
//! reason (sweeping `scheduler.percentageOfNodesToScore` over a scenario with
//! no `scheduler:` section works). What cannot be edited at all (an index past
//! the end of a list, a field of a scalar) is an error here.

use crate::input::diagnostic::Pos;
use crate::input::yaml::{Node, Value};
use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed path, displayed exactly as the scenario decoder writes field paths
/// in its diagnostics (plain keys dotted, other keys as `["..."]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    pub segments: Vec<Segment>,
}

fn is_plain_key(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            match s {
                Segment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{k:?}]")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Parses `a.b[0].c` and `metadata.labels["app.kubernetes.io/name"]`.
pub fn parse_path(text: &str) -> Result<FieldPath, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut segments = Vec::new();
    let mut i = 0;
    let bad = |at: usize, what: &str| {
        Err(format!(
            "invalid field path {text:?} at character {}: {what}; expected a path such as nodePools[0].count",
            at + 1
        ))
    };
    if chars.is_empty() {
        return bad(0, "the path is empty");
    }
    while i < chars.len() {
        if chars[i] == '[' {
            i += 1;
            if chars.get(i) == Some(&'"') {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '"' {
                    i += 1;
                }
                if chars.get(i + 1) != Some(&']') {
                    return bad(i, "a quoted key must end with \"]");
                }
                segments.push(Segment::Key(chars[start..i].iter().collect()));
                i += 2;
            } else {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                if start == i || chars.get(i) != Some(&']') {
                    return bad(i, "expected a list index such as [0]");
                }
                let digits: String = chars[start..i].iter().collect();
                let n = digits.parse::<usize>().map_err(|_| {
                    format!("invalid field path {text:?}: index {digits} is too large")
                })?;
                segments.push(Segment::Index(n));
                i += 1;
            }
        } else {
            if chars[i] == '.' {
                if segments.is_empty() {
                    return bad(i, "a path cannot start with '.'");
                }
                i += 1;
            } else if !segments.is_empty() {
                return bad(i, "expected '.' or '[' between fields");
            }
            let start = i;
            while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                i += 1;
            }
            if start == i {
                return bad(i, "a field name is missing");
            }
            segments.push(Segment::Key(chars[start..i].iter().collect()));
        }
    }
    Ok(FieldPath { segments })
}

/// Sets the field at `path` in `root` to `value`. New keys are created at
/// `key_pos` (the position of the path in the sweep file), so that when the
/// decoder rejects a new key the error points at the sweep file.
pub fn set(root: &mut Node, path: &FieldPath, value: &Node, key_pos: Pos) -> Result<(), String> {
    let mut node = root;
    let mut walked = FieldPath {
        segments: Vec::new(),
    };
    for (depth, seg) in path.segments.iter().enumerate() {
        let last = depth + 1 == path.segments.len();
        let where_ = if walked.segments.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        match seg {
            Segment::Key(k) => {
                if node.is_null() {
                    node.value = Value::Map(Vec::new());
                }
                let kind = node.kind_name();
                let Value::Map(entries) = &mut node.value else {
                    return Err(format!(
                        "{where_} is {kind}, not a mapping, so it has no field `{k}`"
                    ));
                };
                let i = match entries.iter().position(|(key, _)| key.as_str() == Some(k)) {
                    Some(i) => i,
                    None => {
                        if !last && matches!(path.segments[depth + 1], Segment::Index(_)) {
                            return Err(format!("{where_} has no list `{k}` to index into"));
                        }
                        entries.push((
                            Node::new(Value::Str(k.clone()), key_pos),
                            Node::new(Value::Null, key_pos),
                        ));
                        entries.len() - 1
                    }
                };
                node = &mut entries[i].1;
            }
            Segment::Index(n) => {
                let kind = node.kind_name();
                let Value::Seq(items) = &mut node.value else {
                    return Err(format!(
                        "{where_} is {kind}, not a list, so it has no item [{n}]"
                    ));
                };
                let len = items.len();
                let Some(item) = items.get_mut(*n) else {
                    return Err(format!(
                        "{where_} has {len} item(s), so index [{n}] is out of range"
                    ));
                };
                node = item;
            }
        }
        walked.segments.push(seg.clone());
    }
    *node = value.clone();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::yaml::parse_single;

    fn check_roundtrip(text: &str) {
        assert_eq!(parse_path(text).unwrap().to_string(), text);
    }

    #[test]
    fn paths_parse_and_display_as_the_decoder_writes_them() {
        check_roundtrip("nodePools[0].count");
        check_roundtrip("scheduler.profiles[0].pluginConfig[0].args.scoringStrategy.type");
        check_roundtrip("nodePools[1].labels[\"node.kubernetes.io/instance-type\"]");
        assert_eq!(
            parse_path("a[0][1].b").unwrap().segments,
            vec![
                Segment::Key("a".into()),
                Segment::Index(0),
                Segment::Index(1),
                Segment::Key("b".into())
            ]
        );
    }

    #[test]
    fn malformed_paths_say_where() {
        for (text, at) in [
            ("", "character 1"),
            (".a", "character 1"),
            ("a..b", "character 3"),
            ("a[x]", "character 3"),
            ("a[0", "character 4"),
            ("a[0]b", "character 5"),
        ] {
            let e = parse_path(text).unwrap_err();
            assert!(e.contains(at), "{text}: {e}");
        }
    }

    fn tree(text: &str) -> Node {
        parse_single("s.yaml", text).unwrap()
    }

    fn set_str(root: &mut Node, path: &str, value: &str) -> Result<(), String> {
        let v = tree(value);
        set(root, &parse_path(path).unwrap(), &v, Pos::new(9, 9))
    }

    #[test]
    fn set_replaces_existing_values_and_creates_missing_keys() {
        let mut t = tree("nodePools:\n  - name: a\n    count: 2\n");
        set_str(&mut t, "nodePools[0].count", "7").unwrap();
        set_str(&mut t, "scheduler.percentageOfNodesToScore", "50").unwrap();
        let expected = tree(
            "nodePools:\n  - name: a\n    count: 7\nscheduler:\n  percentageOfNodesToScore: 50\n",
        );
        // Positions differ; compare the shape through a debug rendering without them.
        fn strip(n: &Node) -> String {
            match &n.value {
                Value::Map(e) => e
                    .iter()
                    .map(|(k, v)| format!("{}:{}", strip(k), strip(v)))
                    .collect::<Vec<_>>()
                    .join(",")
                    .to_string(),
                Value::Seq(items) => items.iter().map(strip).collect::<Vec<_>>().join(";"),
                _ => n.scalar_text().unwrap_or_default(),
            }
        }
        assert_eq!(strip(&t), strip(&expected));
    }

    #[test]
    fn set_refuses_what_cannot_be_edited() {
        let mut t = tree("nodePools:\n  - name: a\n    count: 2\n");
        assert_eq!(
            set_str(&mut t, "nodePools[3].count", "1").unwrap_err(),
            "`nodePools` has 1 item(s), so index [3] is out of range"
        );
        assert_eq!(
            set_str(&mut t, "nodePools[0].count.x", "1").unwrap_err(),
            "`nodePools[0].count` is an integer, not a mapping, so it has no field `x`"
        );
        assert_eq!(
            set_str(&mut t, "arrivals[0].rate", "1").unwrap_err(),
            "the scenario has no list `arrivals` to index into"
        );
    }
}

//! Labels and the expressions that select by them: label sets, label
//! selector requirements (`metav1.LabelSelector`'s `matchExpressions`) and
//! node selector requirements (core/v1 `NodeSelectorRequirement`, which adds
//! the `Gt` and `Lt` operators), together with label key and value
//! validation.
//!
//! Matching follows `k8s.io/apimachinery/pkg/labels/selector.go`
//! (`Requirement.Matches`) and `metav1.LabelSelectorAsSelector` in
//! `k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go`; validation follows
//! `k8s.io/apimachinery/pkg/util/validation/validation.go`,
//! `k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`
//! (`ValidateLabelSelectorRequirement`), `pkg/apis/core/validation`
//! (`ValidateNodeSelectorRequirement`) and `labels.NewRequirement`, which
//! the scheduler (`k8s.io/component-helpers/scheduling/corev1/nodeaffinity`)
//! uses to turn node selector terms into selectors (Kubernetes v1.32).

use std::collections::BTreeMap;
use std::fmt;

/// An object's labels. Ordered, so iteration (and anything printed from it)
/// is deterministic.
pub type Labels = BTreeMap<String, String>;

/// A selector operator. `Gt` and `Lt` exist only in node selector terms
/// (node affinity); label selectors reject them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

impl Operator {
    /// Parses the API spelling (`In`, `NotIn`, `Exists`, `DoesNotExist`,
    /// `Gt`, `Lt`); case-sensitive, as the API server is.
    pub fn parse(s: &str) -> Option<Operator> {
        Some(match s {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            "Gt" => Operator::Gt,
            "Lt" => Operator::Lt,
            _ => return None,
        })
    }

    /// The API spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
            Operator::Gt => "Gt",
            Operator::Lt => "Lt",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `key operator values` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether `labels` satisfy this requirement, as `Requirement.Matches` in
    /// selector.go decides:
    /// - `In`: the key is present and its value is one of `values`;
    /// - `NotIn`: the key is absent, or its value is none of `values`;
    /// - `Exists` / `DoesNotExist`: the key is present / absent;
    /// - `Gt` / `Lt`: the key is present, there is exactly one value, both the
    ///   label's value and that value parse as `i64` (Go's
    ///   `strconv.ParseInt(s, 10, 64)`), and the label's is greater / less.
    ///   Anything else is no match, never an error.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.contains(v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Gt | Operator::Lt => {
                let Some(label_value) = value.and_then(|v| parse_go_int(v)) else {
                    return false;
                };
                let [threshold] = self.values.as_slice() else {
                    return false;
                };
                let Some(threshold) = parse_go_int(threshold) else {
                    return false;
                };
                if self.operator == Operator::Gt {
                    label_value > threshold
                } else {
                    label_value < threshold
                }
            }
        }
    }

    /// Validates the requirement as the API server and the scheduler would,
    /// so that a requirement accepted here behaves as it would in a cluster:
    /// - `In` / `NotIn` need at least one value and `Exists` / `DoesNotExist`
    ///   none (`ValidateLabelSelectorRequirement`,
    ///   `ValidateNodeSelectorRequirement`);
    /// - `Gt` / `Lt` are accepted only when `allow_gt_lt` (node selector
    ///   terms) and need exactly one value that is an integer. The API server
    ///   only counts the values, but `labels.NewRequirement`, through which
    ///   the scheduler evaluates node affinity, rejects a non-integer, and a
    ///   term with a rejected requirement never matches any node;
    /// - the key must be a valid label key (qualified name) and every value a
    ///   valid label value (`NewRequirement` checks values for node selector
    ///   terms too).
    ///
    /// All problems are reported, joined by "; ", each in upstream's
    /// `field: Type: detail` wording.
    pub fn validate(&self, allow_gt_lt: bool) -> Result<(), String> {
        let mut errs = Vec::new();
        match self.operator {
            Operator::In | Operator::NotIn => {
                if self.values.is_empty() {
                    errs.push(
                        "values: Required value: must be specified when `operator` is 'In' or \
                         'NotIn'"
                            .to_string(),
                    );
                }
            }
            Operator::Exists | Operator::DoesNotExist => {
                if !self.values.is_empty() {
                    errs.push(
                        "values: Forbidden: may not be specified when `operator` is 'Exists' \
                         or 'DoesNotExist'"
                            .to_string(),
                    );
                }
            }
            Operator::Gt | Operator::Lt if !allow_gt_lt => {
                errs.push(format!(
                    "operator: Invalid value: {:?}: not a valid selector operator (Gt and Lt \
                     are only valid in node selector terms)",
                    self.operator.as_str()
                ));
            }
            Operator::Gt | Operator::Lt => {
                if self.values.len() != 1 {
                    errs.push(
                        "values: Required value: must be specified single value when \
                         `operator` is 'Lt' or 'Gt'"
                            .to_string(),
                    );
                }
                for (i, v) in self.values.iter().enumerate() {
                    if parse_go_int(v).is_none() {
                        errs.push(format!(
                            "values[{i}]: Invalid value: {v:?}: for 'Gt', 'Lt' operators, the \
                             value must be an integer"
                        ));
                    }
                }
            }
        }
        for msg in is_qualified_name(&self.key) {
            errs.push(format!("key: Invalid value: {:?}: {msg}", self.key));
        }
        for (i, v) in self.values.iter().enumerate() {
            for msg in is_valid_label_value(v) {
                errs.push(format!("values[{i}]: Invalid value: {v:?}: {msg}"));
            }
        }
        join_errors(errs)
    }
}

impl fmt::Display for Requirement {
    /// `key In [a, b]`: for messages only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.key, self.operator)?;
        if !self.values.is_empty() {
            write!(f, " [{}]", self.values.join(", "))?;
        }
        Ok(())
    }
}

/// `metav1.LabelSelector`: `matchLabels` AND `matchExpressions`.
///
/// An empty selector matches everything, as `metav1.LabelSelectorAsSelector`
/// makes it `labels.Everything()`. An absent (`nil`) selector matches
/// nothing there; callers hold `Option<LabelSelector>` and handle `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: Labels,
    pub match_expressions: Vec<Requirement>,
}

impl LabelSelector {
    /// Whether every `matchLabels` pair is present with that exact value and
    /// every expression matches.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// True when the selector has no terms, and so selects everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Validates as `ValidateLabelSelector` does: `matchLabels` keys and
    /// values must be valid labels, and each expression must pass
    /// [`Requirement::validate`] without `Gt` / `Lt`.
    pub fn validate(&self) -> Result<(), String> {
        let mut errs = Vec::new();
        for (k, v) in &self.match_labels {
            for msg in is_qualified_name(k) {
                errs.push(format!("matchLabels: Invalid value: {k:?}: {msg}"));
            }
            for msg in is_valid_label_value(v) {
                errs.push(format!("matchLabels: Invalid value: {v:?}: {msg}"));
            }
        }
        for (i, r) in self.match_expressions.iter().enumerate() {
            if let Err(e) = r.validate(false) {
                errs.push(format!("matchExpressions[{i}].{e}"));
            }
        }
        join_errors(errs)
    }
}

/// Validates a label key as `IsQualifiedName`: an optional DNS-1123
/// subdomain prefix (at most 253 characters) and '/', then a name of at most
/// 63 characters from `[A-Za-z0-9-_.]` that starts and ends alphanumeric.
/// On error, returns upstream's messages joined by "; ".
pub fn validate_label_key(key: &str) -> Result<(), String> {
    join_errors(is_qualified_name(key))
}

/// Validates a label value as `IsValidLabelValue`: empty, or at most 63
/// characters from `[A-Za-z0-9-_.]` starting and ending alphanumeric. On
/// error, returns upstream's messages joined by "; ".
pub fn validate_label_value(value: &str) -> Result<(), String> {
    join_errors(is_valid_label_value(value))
}

fn join_errors(errs: Vec<String>) -> Result<(), String> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, in
/// range. Rust's `i64::from_str` accepts exactly the same texts.
fn parse_go_int(s: &str) -> Option<i64> {
    s.parse().ok()
}

// The formats and messages below are upstream's constants, verbatim, so
// that error messages read as a real API server's do.
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', \
                                      and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of \
                                   alphanumeric characters, '-', '_' or '.', and must start and \
                                   end with an alphanumeric character";
const LABEL_VALUE_MAX_LENGTH: usize = 63;
const DNS1123_SUBDOMAIN_FMT: &str =
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower \
                                         case alphanumeric characters, '-' or '.', and must \
                                         start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;

/// Upstream `IsQualifiedName`: the list of problems, empty when valid.
fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push(format!("prefix part {}", empty_error()));
            } else {
                for msg in dns1123_subdomain_errors(prefix) {
                    errs.push(format!("prefix part {msg}"));
                }
            }
            *name
        }
        _ => {
            return vec![format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. \
                 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR_MSG,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            )]
        }
    };
    if name.is_empty() {
        errs.push(format!("name part {}", empty_error()));
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errs.push(format!(
            "name part {}",
            max_len_error(QUALIFIED_NAME_MAX_LENGTH)
        ));
    }
    // Upstream also reports the format for an empty name: the regex needs
    // at least one character.
    if !is_qualified_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// Upstream `IsValidLabelValue`.
fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !(value.is_empty() || is_qualified_name_part(value)) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// Upstream `IsDNS1123Subdomain`'s messages (none when valid).
fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !value.split('.').all(is_label_shaped) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// Upstream `IsDNS1123Subdomain`: at most 253 characters, dot-separated
/// parts each shaped as a label (their length bounded only by the total).
pub fn is_dns1123_subdomain(value: &str) -> bool {
    value.len() <= DNS1123_SUBDOMAIN_MAX_LENGTH && value.split('.').all(is_label_shaped)
}

/// Upstream `IsDNS1123Label`: at most 63 characters, shaped as a label.
pub fn is_dns1123_label(value: &str) -> bool {
    value.len() <= 63 && is_label_shaped(value)
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, without a regex engine.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// One dot-separated label of a subdomain: `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`.
fn is_label_shaped(s: &str) -> bool {
    let lower_alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            lower_alnum(first)
                && lower_alnum(last)
                && b.iter().all(|c| lower_alnum(c) || *c == b'-')
        }
        _ => false,
    }
}

fn empty_error() -> &'static str {
    "must be non-empty"
}

fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

/// Upstream `RegexError`, including its double space between examples
/// ("'MyName',  or 'my.name'"), so messages match a real cluster's.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{example}', "));
    }
    out.push_str(&format!("regex used for validation is '{fmt}')"));
    out
}

#[cfg(test)]
mod tests;

//! The `name` of a scenario, a sweep or a GPU fill-up: it names the results
//! directory (`results/<name>`), so it must be a single safe path component.
//! kubesim asks what Kubernetes asks of an object's name, a lowercase RFC 1123
//! subdomain (upstream `ValidateObjectMeta` / `NameIsDNSSubdomain`), which
//! cannot be `.`, `..`, absolute or hold a `/`.

use super::manifest::is_dns1123_subdomain;
use crate::input::decode::Ctx;
use crate::input::diagnostic::Pos;
use crate::input::yaml::Node;

/// The `name` field if it is valid, else the default derived from the file
/// name if that is valid; otherwise an error at the field (or, without one,
/// at `doc_pos`) and `None`.
pub fn decode(
    ctx: &mut Ctx,
    node: Option<&Node>,
    default_name: &str,
    doc_pos: Pos,
) -> Option<String> {
    const EXPECTED: &str = "a lowercase RFC 1123 subdomain (at most 253 lowercase letters, \
         digits, '-' and '.', each dot-separated part starting and ending with a letter or \
         digit, e.g. \"capacity-base\"), since it names the results directory";
    match node {
        Some(n) => {
            let mut c = ctx.field("name");
            let name = c.str(n)?;
            if is_dns1123_subdomain(&name) {
                Some(name)
            } else {
                c.error(
                    n.pos,
                    format!("expected {EXPECTED}, found {}", n.describe()),
                );
                None
            }
        }
        None if is_dns1123_subdomain(default_name) => Some(default_name.to_string()),
        None => {
            ctx.field("name").error(
                doc_pos,
                format!(
                    "the file name {} cannot stand for the missing `name` (expected \
                     {EXPECTED}); add a `name:` field",
                    crate::input::yaml::quote(default_name)
                ),
            );
            None
        }
    }
}

/// The path of the results directory for a valid name: `results/<name>`.
/// Checks again that the name is one plain path component, so that no input
/// can direct the results outside `results/`.
pub fn results_dir(name: &str) -> std::path::PathBuf {
    assert!(
        is_dns1123_subdomain(name),
        "results names are validated when decoded: {name:?}"
    );
    std::path::Path::new("results").join(name)
}

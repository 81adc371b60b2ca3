//! Validating a trace row without building its pod: the load-time pass
//! over every row finds the problems [`PodTrace::build`] would report, but
//! clones no template, formats no annotation and resolves no behaviour, so
//! a million rows are checked in the time it takes to read them. The few
//! rows whose problems depend on the built pod as a whole (a GPU share,
//! from the row or its template) are built.
//!
//! `check_and_build_agree` in the tests pins that both report the same
//! problems, in the same order.

use super::{behaviour, policy, PodTrace};
use crate::input::diagnostic::Diagnostic;
use crate::model::gpu_share;
use crate::model::labels::is_dns1123_subdomain;
use crate::model::{Pod, ResourceNames};
use crate::trace::pods::{Field, PodRow};

impl PodTrace {
    /// The template a row starts from, or the problem with its `template`.
    pub(super) fn template_of(&self, row: &PodRow) -> Result<&Pod, String> {
        let Some(name) = &row.template else {
            return Ok(&self.bare);
        };
        match self.templates.iter().find(|t| &t.metadata.name == name) {
            Some(t) => Ok(t),
            None if self.templates.is_empty() => Err(format!(
                "found {name:?}; this trace's entry has no `templates`"
            )),
            None => {
                let known: Vec<&str> = self
                    .templates
                    .iter()
                    .map(|t| t.metadata.name.as_str())
                    .collect();
                Err(format!(
                    "found {name:?}; expected one of the templates: {}",
                    known.join(", ")
                ))
            }
        }
    }

    /// The problem with a row that has no `name`: the name it would get
    /// (`<file stem>-<row>`) is not a valid pod name.
    pub(super) fn generated_name_problem(name: &str) -> Option<String> {
        (!is_dns1123_subdomain(name)).then(|| {
            format!(
                "the row has no name and would be named {name:?}, which is not a valid pod \
                 name; expected a `name` column, or a file whose name is a valid prefix"
            )
        })
    }

    /// The name and namespace of the pod a row creates.
    pub(super) fn identity<'r>(
        &'r self,
        row: &'r PodRow,
        template: &'r Pod,
    ) -> (&'r str, Name<'r>) {
        let namespace = row
            .namespace
            .as_deref()
            .unwrap_or(&template.metadata.namespace);
        let name = match &row.name {
            Some(n) => Name::Given(n),
            None => Name::Generated(&self.name_prefix, row.index),
        };
        (namespace, name)
    }

    /// The problems [`PodTrace::build`] would report for `row`, added to
    /// `errors`; extended resources are interned into `names` as there.
    pub fn check(&self, row: &PodRow, names: &mut ResourceNames, errors: &mut Vec<Diagnostic>) {
        let mut fail = |field: Field, message: String| {
            let (pos, column) = row.at(field);
            errors.push(Diagnostic::new(&self.file, pos, column, message));
        };
        let template = match self.template_of(row) {
            Ok(t) => t,
            Err(message) => return fail(Field::Template, message),
        };
        let row_gpu =
            row.gpu_milli.is_some() || row.gpu_count.is_some() || row.gpu_models.is_some();
        let template_gpu = template.metadata.annotations.keys().any(|k| {
            k.strip_prefix(behaviour::ANNOTATION_PREFIX)
                .is_some_and(|s| gpu_share::ANNOTATION_SUFFIXES.contains(&s))
        });
        if row_gpu || template_gpu {
            // A GPU share is checked on the pod as a whole: build it.

            self.build(row, names, errors);
            return;
        }
        if row.name.is_none() {
            let name = format!("{}-{}", self.name_prefix, row.index);
            if let Some(p) = Self::generated_name_problem(&name) {
                fail(Field::Name, p);
            }
        }
        let sets_resources = row.cpu_millis.is_some()
            || row.memory_bytes.is_some()
            || row.cpu_limit_millis.is_some()
            || row.memory_limit_bytes.is_some()
            || !row.extended.is_empty();
        match template.spec.containers.first() {
            None if sets_resources => fail(
                Field::Template,
                "the template has no containers to give the row's requests to".into(),
            ),
            None => {}
            Some(c) => {
                let cpu = (
                    row.cpu_millis.unwrap_or(c.requests.cpu_millis),
                    row.cpu_limit_millis.unwrap_or(c.limits.cpu_millis),
                );
                let memory = (
                    row.memory_bytes.unwrap_or(c.requests.memory_bytes),
                    row.memory_limit_bytes.unwrap_or(c.limits.memory_bytes),
                );
                for ((request, limit), field, what) in
                    [(cpu, Field::Cpu, "cpu"), (memory, Field::Memory, "memory")]
                {
                    if limit > 0 && request > limit {
                        fail(field, request_over_limit(what, request, limit));
                    }
                }
                for (name, _) in &row.extended {
                    if let Err(e) = names.intern(name) {
                        fail(Field::Extended, e);
                    }
                }
            }
        }
        let (class, priority) = match &row.priority_class {
            Some(class) => (Some(class.as_str()), 0),
            None => (
                template.spec.priority_class_name.as_deref(),
                template.spec.priority,
            ),
        };
        if let Err(e) = policy::admission(class, priority, &self.classes) {
            fail(Field::PriorityClass, e);
        }
    }
}

/// A pod's name: the row's, or the one made from the file's name and the row.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Name<'r> {
    Given(&'r str),
    Generated(&'r str, u64),
}

impl std::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Given(n) => f.write_str(n),
            Name::Generated(prefix, i) => write!(f, "{prefix}-{i}"),
        }
    }
}

/// `ValidateResourceRequirements`' problem with a request above its limit
/// (pkg/apis/core/validation/validation.go).
pub(super) fn request_over_limit(what: &str, request: i64, limit: i64) -> String {
    let shown = |v: i64| {
        if what == "cpu" {
            crate::model::quantity::format_milli(v)
        } else {
            v.to_string()
        }
    };
    format!(
        "a {what} request of {} must be less than or equal to the {what} limit of {}",
        shown(request),
        shown(limit)
    )
}

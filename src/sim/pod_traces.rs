//! Pod traces during a run: each trace has at most one pod waiting in the
//! event queue. When it is created the next row is read and built, so the
//! run holds one row per trace, not the file: memory follows the pods alive.
//!
//! The files are read again here, during the run: the one place the core
//! reads input, so that a trace of millions of pods is never held whole.
//! Every row was validated when the scenario was loaded; a row that now
//! fails (the file changed since) ends its trace and is reported in
//! [`super::RunReport::input_errors`], which fails the run.

use crate::engine::SimTime;
use crate::input::diagnostic::Diagnostic;
use crate::model::{Pod, ResourceNames};
use crate::scenario::pod_trace::PodTrace;
use crate::trace::pods::PodTraceReader;
use std::fs::File;
use std::io::BufReader;

/// One trace's open file and the pod it will create next.
pub struct TraceSource {
    reader: Option<PodTraceReader<BufReader<File>>>,
    /// The scenario's resource names: the rows' extended resources were
    /// interned into them when it was loaded.
    names: ResourceNames,
    next: Option<Pod>,
}

impl TraceSource {
    /// Opens the trace's file; a file that cannot be opened now is reported.
    pub fn open(trace: &PodTrace, names: &ResourceNames, errors: &mut Vec<Diagnostic>) -> Self {
        let reader = match trace.open() {
            Ok(r) => Some(r),
            Err(e) => {
                errors.extend(changed(e));
                None
            }
        };
        TraceSource {
            reader,
            names: names.clone(),
            next: None,
        }
    }

    /// Reads the next row and builds its pod: when it is to be created, or
    /// `None` at the end of the file (or after a problem, reported).
    pub fn advance(&mut self, trace: &PodTrace, errors: &mut Vec<Diagnostic>) -> Option<SimTime> {
        let reader = self.reader.as_mut()?;
        let built = match reader.next_row() {
            None => None,
            Some(Ok(row)) => {
                let mut problems = Vec::new();
                let built = trace.build(&row, &mut self.names, &mut problems);
                errors.extend(changed(problems));
                built
            }
            Some(Err(problems)) => {
                errors.extend(changed(problems));
                None
            }
        };
        match built {
            Some((at, pod)) => {
                self.next = Some(pod);
                Some(at)
            }
            None => {
                // The end of the file, or a problem: the file is closed.
                self.reader = None;
                None
            }
        }
    }

    /// The pod whose time has come.
    pub fn take(&mut self) -> Option<Pod> {
        self.next.take()
    }
}

/// A problem found during the run is one the validation did not see: the
/// file changed after the scenario was loaded.
fn changed(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    problems
        .into_iter()
        .map(|mut d| {
            d.message
                .push_str(" (the pod trace changed after the scenario was loaded)");
            d
        })
        .collect()
}

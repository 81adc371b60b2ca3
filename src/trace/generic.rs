//! The generic CSV trace format, for traces other than openb: one pod per
//! row, columns found by header name.
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `submit_time` | yes | seconds from the start of the trace when the pod is created |
//! | `run_time` | yes | seconds it runs once created (it is deleted at submit + run) |
//! | `cpu_milli` | yes | cpu request, millicores |
//! | `memory_mib` | yes | memory request, MiB |
//! | `num_gpu` | no (0) | GPUs requested |
//! | `gpu_milli` | no (1000 if `num_gpu` > 0) | share of each GPU, 1–1000; below 1000 only with `num_gpu` 1 |
//! | `gpu_spec` | no (any) | allowed GPU models, `|`-separated |
//! | `priority` | no (0) | scheduling priority, higher first (an integer, may be negative) |
//! | `owner` | no (empty) | the workload the pod belongs to |
//! | `name` | no (`pod-<row>`) | pod name |
//!
//! Rows become [`TracePod`]s with `creation_s = submit_time` and
//! `deletion_s = submit_time + run_time`, so the same replay runs both formats.

use super::csv_rows::{self, Cells};
use super::openb::{Qos, TracePhase, TracePod};
use crate::input::diagnostic::Diagnostic;
use crate::model::gpu_device::{GpuModels, GpuRequest, ModelSet, MILLI_PER_GPU};

const REQUIRED: [&str; 4] = ["submit_time", "run_time", "cpu_milli", "memory_mib"];
const OPTIONAL: [&str; 6] = [
    "num_gpu",
    "gpu_milli",
    "gpu_spec",
    "priority",
    "owner",
    "name",
];

/// Reads a generic trace; GPU models must be among `models` (the node list's).
pub fn read_pods(
    file: &str,
    text: &str,
    models: &GpuModels,
    errors: &mut Vec<Diagnostic>,
) -> Vec<TracePod> {
    let Some((rows, cols)) = csv_rows::table(file, text, &REQUIRED, &OPTIONAL, errors) else {
        return Vec::new();
    };
    let mut pods = Vec::with_capacity(rows.rows.len());
    for (n, row) in rows.rows.iter().enumerate() {
        let before = errors.len();
        let mut cells = Cells {
            file,
            row,
            header: &rows.header,
            errors,
        };
        let submit = cells.non_negative(cols[0]);
        let run = cells.non_negative(cols[1]);
        let cpu = cells.non_negative(cols[2]);
        let memory = cells.non_negative(cols[3]);
        let num_gpu = match cols[4] {
            Some(_) => cells.optional_non_negative(cols[4]).map(|v| v.unwrap_or(0)),
            None => Some(0),
        };
        let gpu_milli = match cols[5] {
            Some(_) => cells
                .optional_non_negative(cols[5])
                .map(|v| v.unwrap_or(-1)),
            None => Some(-1),
        };
        let set = match cols[6].and_then(|_| cells.text(cols[6])) {
            Some((text, c)) => cells.gpu_models(cols[6].unwrap(), text, c, models),
            None => 0,
        };
        let priority = match cols[7].and_then(|_| cells.text(cols[7])) {
            Some(("", _)) | None => 0,
            Some((t, c)) => t.parse::<i64>().unwrap_or_else(|_| {
                cells.invalid(
                    cols[7].unwrap(),
                    c,
                    format!("found {t:?}; expected an integer"),
                );
                0
            }),
        };
        let owner = cols[8]
            .and_then(|_| cells.text(cols[8]))
            .map_or(String::new(), |(t, _)| t.to_string());
        let name = match cols[9].and_then(|_| cells.text(cols[9])) {
            Some((t, _)) if !t.is_empty() => t.to_string(),
            _ => format!("pod-{n}"),
        };
        let (count, milli) = match (num_gpu, gpu_milli) {
            (Some(0), Some(m)) if m <= 0 => (0, 0),
            (Some(n), Some(-1)) => (n, MILLI_PER_GPU as i64),
            (Some(n), Some(m)) => (n, m),
            _ => (0, 0),
        };
        if let (Some(_), Some(_)) = (num_gpu, gpu_milli) {
            let problem = csv_rows::gpu_request_problem(count, milli);
            if let Some(p) = problem {
                let (idx, c) = match cols[5] {
                    Some(i) => (i, row.fields.get(i).map_or(row.end_column, |f| f.1)),
                    None => (cols[4].unwrap(), row.fields[cols[4].unwrap()].1),
                };
                cells.invalid(idx, c, p);
            }
        }
        if errors.len() == before {
            let submit = submit.unwrap_or_default();
            pods.push(TracePod {
                name,
                cpu_milli: cpu.unwrap_or_default(),
                memory_mib: memory.unwrap_or_default(),
                gpu: GpuRequest {
                    count: count as u8,
                    milli: milli as i32,
                    models: ModelSet(set),
                },
                gpu_spec: cols[6]
                    .and_then(|i| row.fields.get(i))
                    .map_or(String::new(), |f| f.0.trim().to_string()),
                qos: Qos::BestEffort,
                phase: TracePhase::Pending,
                creation_s: submit,
                deletion_s: Some(submit + run.unwrap_or_default()),
                scheduled_s: None,
                priority,
                owner,
            });
        }
    }
    pods
}

/// Reads an openb-format node list and a generic pod trace together.
pub fn load(
    nodes_path: &std::path::Path,
    pods_path: &std::path::Path,
) -> Result<super::openb::OpenbTrace, crate::input::diagnostic::Diagnostics> {
    super::openb::load_with(nodes_path, pods_path, read_pods)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models() -> GpuModels {
        let mut m = GpuModels::default();
        m.intern("T4").unwrap();
        m.intern("A10").unwrap();
        m
    }

    #[test]
    fn reads_the_generic_format_with_defaults() {
        let text = "submit_time,run_time,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,priority,owner\n10,50,4000,8192,1,250,T4|A10,-5,train\n20,5,1000,1024,2,,,,\n30,1,500,512,,,,,\n";
        let mut errors = Vec::new();
        let pods = read_pods("g.csv", text, &models(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(pods.len(), 3);
        assert_eq!((pods[0].creation_s, pods[0].deletion_s), (10, Some(60)));
        assert_eq!(
            (pods[0].gpu.count, pods[0].gpu.milli, pods[0].gpu.models),
            (1, 250, ModelSet(0b11))
        );
        assert_eq!(
            (
                pods[0].priority,
                pods[0].owner.as_str(),
                pods[0].name.as_str()
            ),
            (-5, "train", "pod-0")
        );
        // num_gpu 2 without gpu_milli means whole GPUs.
        assert_eq!((pods[1].gpu.count, pods[1].gpu.milli), (2, 1000));
        assert_eq!(
            (pods[2].gpu.count, pods[2].gpu.milli, pods[2].priority),
            (0, 0, 0)
        );
        // Only the required columns.
        let pods = read_pods(
            "g.csv",
            "submit_time,run_time,cpu_milli,memory_mib\n0,1,2,3\n",
            &models(),
            &mut errors,
        );
        assert!(errors.is_empty() && pods.len() == 1);
    }

    #[test]
    fn malformed_generic_rows_are_reported_with_position() {
        let header = "submit_time,run_time,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n";
        for (row, col, field, words) in [
            ("0,1,-2,3,0,0,\n", 5, "cpu_milli", "negative value -2"),
            ("0,1,2\n", 6, "memory_mib", "missing column"),
            ("0,1,2,3,1,500,H100\n", 15, "gpu_spec", "unknown GPU model"),
            (
                "0,1,2,3,4,500,\n",
                11,
                "gpu_milli",
                "only a one-GPU pod may share",
            ),
        ] {
            let mut errors = Vec::new();
            read_pods("g.csv", &format!("{header}{row}"), &models(), &mut errors);
            // A short row reports each missing column; the first is the one named.
            assert!(!errors.is_empty(), "{row}");
            let e = &errors[0];
            assert_eq!(
                (e.pos.line, e.pos.column, e.field.as_str()),
                (2, col, field),
                "{e}"
            );
            assert!(e.message.contains(words), "{e}");
        }
        let mut errors = Vec::new();
        read_pods("g.csv", "submit_time,cpu_milli\n", &models(), &mut errors);
        assert!(errors[0].message.contains("no column `run_time`"));
    }
}

//! The Alibaba openb GPU-cluster trace (Weng et al., ATC'23; README in
//! `traces/openb/`): the node list and the pod list CSVs, every column mapped.
//!
//! Node list `sn,cpu_milli,memory_mib,gpu,model`; pod list
//! `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,
//! creation_time,deletion_time,scheduled_time`. Columns are found by header
//! name. A malformed row (a missing column, a negative or non-numeric request,
//! an unknown GPU model, a sharing share on a multi-GPU pod) is reported at
//! its file, line and column; every problem is reported, not only the first.

use super::csv_rows::{self, Cells};
use crate::input::diagnostic::{Diagnostic, Diagnostics};
use crate::model::gpu_device::{GpuModels, GpuRequest, ModelSet, MAX_GPUS_PER_NODE, MILLI_PER_GPU};
use std::path::Path;

/// The GPU models of the openb trace, interned first so their ids are the same in every run.
pub const OPENB_MODELS: [&str; 7] = ["G2", "G3", "T4", "P100", "V100M16", "V100M32", "A10"];

/// A node of the node list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceNode {
    pub name: String,
    pub cpu_milli: i64,
    pub memory_mib: i64,
    pub gpus: u8,
    /// None for a CPU-only node (empty `model`).
    pub model: Option<u8>,
}

/// The pod's QoS class as the trace labels it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qos {
    LatencySensitive,
    BestEffort,
    Burstable,
    Guaranteed,
}

/// The phase the pod was observed in, in production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TracePhase {
    Running,
    Failed,
    Pending,
    Succeeded,
}

/// A pod of the pod list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracePod {
    pub name: String,
    pub cpu_milli: i64,
    pub memory_mib: i64,
    pub gpu: GpuRequest,
    /// The `gpu_spec` text (empty: any model).
    pub gpu_spec: String,
    pub qos: Qos,
    pub phase: TracePhase,
    /// Seconds from the start of the trace.
    pub creation_s: i64,
    pub deletion_s: Option<i64>,
    /// Empty for pods that stayed Pending.
    pub scheduled_s: Option<i64>,
    /// Scheduling priority (higher first); 0 in the openb trace.
    pub priority: i64,
    /// The owning workload, if the trace names one; empty in the openb trace.
    pub owner: String,
}

/// A node list and a pod list read together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenbTrace {
    pub models: GpuModels,
    pub nodes: Vec<TraceNode>,
    pub pods: Vec<TracePod>,
}

impl OpenbTrace {
    /// Total GPUs of the cluster, in milli-GPU.
    pub fn gpu_capacity_milli(&self) -> i64 {
        self.nodes.iter().map(|n| n.gpus as i64).sum::<i64>() * MILLI_PER_GPU as i64
    }

    /// A model set rendered as a `gpu_spec` (models in id order, `|`-separated).
    pub fn spec_text(&self, set: ModelSet) -> String {
        (0..32u8)
            .filter(|i| set.0 & (1 << i) != 0)
            .map(|i| self.models.name(i))
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// Reads a trace file; an I/O error names its path, invalid UTF-8 its line and column.
fn read_file(path: &Path) -> Result<String, Diagnostics> {
    crate::input::source::read_text(path, "the trace file").map_err(|d| Diagnostics(vec![d]))
}

/// Reads a pod list of one trace format: file name, text, the node list's
/// GPU models, where problems go.
pub(crate) type PodReader = fn(&str, &str, &GpuModels, &mut Vec<Diagnostic>) -> Vec<TracePod>;

/// Reads both files.
pub fn load(nodes_path: &Path, pods_path: &Path) -> Result<OpenbTrace, Diagnostics> {
    load_with(nodes_path, pods_path, read_pods)
}

/// Reads an openb node list and a pod list read by `read_pods`; the node
/// list comes first because it defines the GPU models.
pub(crate) fn load_with(
    nodes_path: &Path,
    pods_path: &Path,
    read_pods: PodReader,
) -> Result<OpenbTrace, Diagnostics> {
    let mut models = GpuModels::default();
    for m in OPENB_MODELS {
        models.intern(m).expect("fewer than MAX_GPU_MODELS");
    }
    let nodes_text = read_file(nodes_path)?;
    let pods_text = read_file(pods_path)?;
    let nodes_file = nodes_path.display().to_string();
    let pods_file = pods_path.display().to_string();
    let mut errors = Vec::new();
    let nodes = read_nodes(&nodes_file, &nodes_text, &mut models, &mut errors);
    let pods = read_pods(&pods_file, &pods_text, &models, &mut errors);
    if errors.is_empty() {
        Ok(OpenbTrace {
            models,
            nodes,
            pods,
        })
    } else {
        Err(Diagnostics::new(errors))
    }
}

/// Reads a node list; new model names are interned.
pub fn read_nodes(
    file: &str,
    text: &str,
    models: &mut GpuModels,
    errors: &mut Vec<Diagnostic>,
) -> Vec<TraceNode> {
    let columns = ["sn", "cpu_milli", "memory_mib", "gpu", "model"];
    let Some((rows, cols)) = csv_rows::table(file, text, &columns, &[], errors) else {
        return Vec::new();
    };
    let mut nodes = Vec::with_capacity(rows.rows.len());
    for row in &rows.rows {
        let before = errors.len();
        let mut cells = Cells {
            file,
            row,
            header: &rows.header,
            errors,
        };
        let name = cells.text(cols[0]).map(|(t, _)| t.to_string());
        let cpu = cells.non_negative(cols[1]);
        let memory = cells.non_negative(cols[2]);
        let gpus = cells.non_negative(cols[3]);
        let model = cells.text(cols[4]);
        if let (Some(g), Some(i)) = (gpus, cols[3]) {
            if g > MAX_GPUS_PER_NODE as i64 {
                let c = row.fields[i].1;
                cells.invalid(
                    i,
                    c,
                    format!("{g} GPUs; expected at most {MAX_GPUS_PER_NODE} per node"),
                );
            }
        }
        let model = match (model, gpus) {
            (Some(("", _)), Some(0)) => Some(None),
            (Some(("", col)), Some(g)) => {
                cells.invalid(
                    cols[4].unwrap(),
                    col,
                    format!("empty GPU model on a node with {g} GPU(s); expected a model name such as T4"),
                );
                None
            }
            (Some((m, col)), _) => match models.intern(m) {
                Ok(id) => Some(Some(id)),
                Err(e) => {
                    cells.invalid(cols[4].unwrap(), col, e);
                    None
                }
            },
            _ => None,
        };
        if errors.len() == before {
            nodes.push(TraceNode {
                name: name.unwrap_or_default(),
                cpu_milli: cpu.unwrap_or_default(),
                memory_mib: memory.unwrap_or_default(),
                gpus: gpus.unwrap_or_default() as u8,
                model: model.flatten(),
            });
        }
    }
    nodes
}

const POD_COLUMNS: [&str; 11] = [
    "name",
    "cpu_milli",
    "memory_mib",
    "num_gpu",
    "gpu_milli",
    "gpu_spec",
    "qos",
    "pod_phase",
    "creation_time",
    "deletion_time",
    "scheduled_time",
];

/// Reads a pod list; every model in `gpu_spec` must be known.
pub fn read_pods(
    file: &str,
    text: &str,
    models: &GpuModels,
    errors: &mut Vec<Diagnostic>,
) -> Vec<TracePod> {
    let Some((rows, cols)) = csv_rows::table(file, text, &POD_COLUMNS, &[], errors) else {
        return Vec::new();
    };
    let col = |i: usize| cols[i];
    let mut pods = Vec::with_capacity(rows.rows.len());
    for row in &rows.rows {
        let before = errors.len();
        let mut cells = Cells {
            file,
            row,
            header: &rows.header,
            errors,
        };
        let name = cells.text(col(0)).map(|(t, _)| t.to_string());
        let cpu = cells.non_negative(col(1));
        let memory = cells.non_negative(col(2));
        let num_gpu = cells.non_negative(col(3));
        let gpu_milli = cells.non_negative(col(4));
        let spec = cells.text(col(5));
        let qos = cells.one_of(
            col(6),
            &[
                ("LS", Qos::LatencySensitive),
                ("BE", Qos::BestEffort),
                ("Burstable", Qos::Burstable),
                ("Guaranteed", Qos::Guaranteed),
            ],
        );
        let phase = cells.one_of(
            col(7),
            &[
                ("Running", TracePhase::Running),
                ("Failed", TracePhase::Failed),
                ("Pending", TracePhase::Pending),
                ("Succeeded", TracePhase::Succeeded),
            ],
        );
        let creation = cells.non_negative(col(8));
        let deletion = cells.optional_non_negative(col(9));
        let scheduled = cells.optional_non_negative(col(10));
        let models_set = match spec {
            Some((text, c)) => cells.gpu_models(col(5).unwrap(), text, c, models),
            None => 0,
        };
        if let (Some(n), Some(m)) = (num_gpu, gpu_milli) {
            let c = row.fields[col(4).unwrap()].1;
            let problem = csv_rows::gpu_request_problem(n, m);
            if let Some(p) = problem {
                cells.invalid(col(4).unwrap(), c, p);
            }
        }
        if errors.len() == before {
            pods.push(TracePod {
                name: name.unwrap_or_default(),
                cpu_milli: cpu.unwrap_or_default(),
                memory_mib: memory.unwrap_or_default(),
                gpu: GpuRequest {
                    count: num_gpu.unwrap_or_default() as u8,
                    milli: gpu_milli.unwrap_or_default() as i32,
                    models: ModelSet(models_set),
                },
                gpu_spec: spec.map(|(t, _)| t.to_string()).unwrap_or_default(),
                qos: qos.expect("checked"),
                phase: phase.expect("checked"),
                creation_s: creation.unwrap_or_default(),
                deletion_s: deletion.flatten(),
                scheduled_s: scheduled.flatten(),
                priority: 0,
                owner: String::new(),
            });
        }
    }
    pods
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,2,P100\nn1,96000,786432,8,G2\nc0,32000,1024,0,\n";
    const HEADER: &str = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";

    fn models() -> GpuModels {
        let mut m = GpuModels::default();
        for name in OPENB_MODELS {
            m.intern(name).unwrap();
        }
        m
    }

    fn pods(rows: &str) -> (Vec<TracePod>, Vec<Diagnostic>) {
        let mut errors = Vec::new();
        let pods = read_pods(
            "pods.csv",
            &format!("{HEADER}{rows}"),
            &models(),
            &mut errors,
        );
        (pods, errors)
    }

    #[test]
    fn reads_every_column() {
        let mut m = models();
        let mut errors = Vec::new();
        let nodes = read_nodes("nodes.csv", NODES, &mut m, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes[1].gpus, 8);
        assert_eq!(nodes[1].model.map(|id| m.name(id)), Some("G2"));
        assert_eq!(nodes[2].model, None);
        let (p, errors) = pods("p0,6000,12288,1,460,V100M16|V100M32,LS,Running,427061,12902960,427061\np1,88000,327680,0,0,,BE,Pending,5,,\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(p[0].gpu.count, 1);
        assert_eq!(p[0].gpu.milli, 460);
        assert_eq!(p[0].gpu.models, ModelSet((1 << 4) | (1 << 5)));
        assert_eq!(
            (p[0].qos, p[0].phase),
            (Qos::LatencySensitive, TracePhase::Running)
        );
        assert_eq!(
            (p[0].creation_s, p[0].deletion_s, p[0].scheduled_s),
            (427061, Some(12902960), Some(427061))
        );
        assert_eq!(
            (p[1].gpu.count, p[1].scheduled_s, p[1].phase),
            (0, None, TracePhase::Pending)
        );
    }

    fn check_error(rows: &str, line: u32, column: u32, field: &str, words: &str) {
        let (_, errors) = pods(rows);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert_eq!(
            (e.pos.line, e.pos.column, e.field.as_str()),
            (line, column, field),
            "{e}"
        );
        assert!(e.message.contains(words), "{e}");
    }

    #[test]
    fn malformed_rows_are_reported_with_their_position() {
        // Line 2 is the first data row. A missing trailing column points just past the line.
        check_error(
            "p0,1000,1024,1,1000,,LS,Running,0,10\n",
            2,
            37,
            "scheduled_time",
            "missing column",
        );
        // A negative request, at its column.
        check_error(
            "p0,-5,1024,1,1000,,LS,Running,0,10,0\n",
            2,
            4,
            "cpu_milli",
            "negative value -5",
        );
        // An unknown GPU model, at the model's own column inside gpu_spec.
        check_error(
            "p0,1000,1024,1,1000,T4|H100,LS,Running,0,10,0\n",
            2,
            24,
            "gpu_spec",
            "unknown GPU model \"H100\"",
        );
        // A share on a multi-GPU pod.
        check_error(
            "p0,1000,1024,2,500,,LS,Running,0,10,0\n",
            2,
            16,
            "gpu_milli",
            "only a one-GPU pod may share",
        );
        // Not a number.
        check_error(
            "p0,1000,lots,0,0,,LS,Running,0,10,0\n",
            2,
            9,
            "memory_mib",
            "expected an integer",
        );
        check_error(
            "p0,1000,1024,0,0,,XX,Running,0,10,0\n",
            2,
            19,
            "qos",
            "found \"XX\"; expected LS, BE, Burstable or Guaranteed",
        );
        check_error(
            "p0,1000,1024,0,0,,LS,Done,0,10,0\n",
            2,
            22,
            "pod_phase",
            "found \"Done\"; expected Running, Failed, Pending or Succeeded",
        );
    }

    #[test]
    fn missing_header_column_and_bad_node_rows() {
        let mut errors = Vec::new();
        read_pods("pods.csv", "name,cpu_milli\np,1\n", &models(), &mut errors);
        assert!(
            errors[0].message.contains("no column `memory_mib`"),
            "{}",
            errors[0]
        );
        let mut errors = Vec::new();
        let mut m = models();
        read_nodes(
            "nodes.csv",
            "sn,cpu_milli,memory_mib,gpu,model\nn,1000,1024,2,\nm,1000,1024,9,T4\n",
            &mut m,
            &mut errors,
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((errors[0].pos.line, errors[0].pos.column), (2, 15));
        assert!(errors[0].message.contains("empty GPU model"));
        assert_eq!((errors[1].pos.line, errors[1].field.as_str()), (3, "gpu"));
    }

    #[test]
    fn reads_the_committed_openb_trace() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/openb");
        let t = load(
            &dir.join("openb_node_list_gpu_node.csv"),
            &dir.join("openb_pod_list_default.csv"),
        )
        .unwrap();
        // Totals from the trace README: 1 213 nodes, 6 212 GPUs, 8 152 pods,
        // 6 086.8 GPUs requested.
        assert_eq!(t.nodes.len(), 1213);
        assert_eq!(t.gpu_capacity_milli(), 6_212_000);
        assert_eq!(t.pods.len(), 8152);
        assert_eq!(
            t.pods.iter().map(|p| p.gpu.total_milli()).sum::<i64>(),
            6_086_800
        );
        assert_eq!(t.pods.iter().filter(|p| p.gpu.is_share()).count(), 3078);
    }
}

//! A snapshot's running pods keep their start. `kubectl get pods -o yaml`
//! prints, for a pod Running on its node, `status.startTime` (when its
//! kubelet first synced it, which `activeDeadlineSeconds` counts from:
//! `pkg/kubelet/active_deadline.go`, v1.32) and each container's
//! `state.running.startedAt`. They are read here as civil times and placed
//! before t = 0 once the whole scenario is read, because t = 0 is the
//! scenario's `controllerManager.startTime`, or, without one, the latest
//! time the snapshots show (the moment nearest to when they were taken),
//! which then is t = 0's civil time for CronJob schedules too.

use super::civil_time::parse_utc_timestamp;
use super::manifest::NameSite;
use crate::engine::{SimDuration, SimTime};
use crate::input::decode::Ctx;
use crate::input::diagnostic::Diagnostic;
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::pod::SnapshotStart;
use crate::model::Pod;

/// A civil time a snapshot shows, with where it was given (for errors).
#[derive(Clone, Debug)]
pub struct ShownTime {
    pub unix_s: i64,
    pub text: String,
    pub site: NameSite,
}

/// When an app container of a snapshot's running pod started.
#[derive(Clone, Debug)]
pub enum ContainerStart {
    /// Not in `containerStatuses`, or running without `startedAt`: it runs
    /// since the pod's `startTime`.
    WithPod,
    /// `state.running.startedAt`.
    At(ShownTime),
    /// Shown waiting or terminated: the kubelet creates it afresh at t = 0.
    NotRunning,
}

/// The start times a snapshot shows for one running pod.
#[derive(Clone, Debug)]
pub struct SnapshotTimes {
    pub pod: ShownTime,
    /// Per app container, in spec order.
    pub containers: Vec<ContainerStart>,
}

fn entry<'n>(node: &'n Yaml, key: &str) -> Option<&'n Yaml> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// A time such as `2024-05-01T10:00:00Z` at `node`, whose field `ctx` names.
fn shown_time(ctx: &mut Ctx<'_>, node: &Yaml) -> Option<ShownTime> {
    let text = ctx.str(node)?;
    match parse_utc_timestamp(&text) {
        Ok(unix_s) => Some(ShownTime {
            unix_s,
            text,
            site: NameSite {
                file: ctx.file().to_string(),
                pos: node.pos,
                field: ctx.path(),
            },
        }),
        Err(e) => {
            ctx.error(node.pos, e);
            None
        }
    }
}

/// The start times of a Pod manifest `doc` that decoded into `pod`: `None`
/// unless it runs in the snapshot and shows `status.startTime` (without
/// one it starts afresh at t = 0). The rest of `status` is not read.
pub fn decode_times(ctx: &mut Ctx<'_>, doc: &Yaml, pod: &Pod) -> Option<SnapshotTimes> {
    if !pod.running_in_snapshot {
        return None;
    }
    let status = entry(doc, "status")?;
    let mut sctx = ctx.field("status");
    let start = entry(status, "startTime")?;
    let pod_start = shown_time(&mut sctx.field("startTime"), start);
    let names: Vec<&str> = pod
        .spec
        .containers
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mut containers = vec![ContainerStart::WithPod; names.len()];
    if let Some(list) = entry(status, "containerStatuses") {
        let mut lctx = sctx.field("containerStatuses");
        for (i, item) in lctx.seq(list).unwrap_or(&[]).iter().enumerate() {
            let mut ictx = lctx.index(i);
            let Some(name_node) = entry(item, "name") else {
                ictx.error(item.pos, "missing required field `name`");
                continue;
            };
            let Some(name) = ictx.field("name").str(name_node) else {
                continue;
            };
            let Some(c) = names.iter().position(|n| *n == name) else {
                let known = names.join(", ");
                ictx.field("name").error(
                    name_node.pos,
                    format!("expected the name of one of the pod's containers ({known}), found {name:?}"),
                );
                continue;
            };
            let running = entry(item, "state").and_then(|s| entry(s, "running"));
            containers[c] = match running {
                None => ContainerStart::NotRunning,
                Some(r) => match entry(r, "startedAt") {
                    None => ContainerStart::WithPod,
                    Some(at) => {
                        let mut actx = ictx.field("state");
                        let mut actx = actx.field("running");
                        match shown_time(&mut actx.field("startedAt"), at) {
                            Some(t) => ContainerStart::At(t),
                            None => continue,
                        }
                    }
                },
            };
        }
    }
    Some(SnapshotTimes {
        pod: pod_start?,
        containers,
    })
}

/// `controllerManager.startTime` as Unix seconds, `None` when absent;
/// `Err` when it does not read (reported where it is decoded).
pub(super) fn given_start_time(controller_manager: Option<&Yaml>) -> Result<Option<i64>, ()> {
    let Some(node) = controller_manager.and_then(|n| entry(n, "startTime")) else {
        return Ok(None);
    };
    match &node.value {
        Value::Str(s) => parse_utc_timestamp(s).map(Some).map_err(|_| ()),
        _ => Err(()),
    }
}

/// Places every snapshot pod's start before t = 0 (`times` is parallel to
/// `pods`). t = 0 is `start_time` (Unix seconds) or, without it, the latest
/// time shown; a time after t = 0 is an error: a snapshot cannot show a
/// start after it was taken. Returns t = 0 (`None` without start times).
pub fn resolve(
    sink: &mut Vec<Diagnostic>,
    pods: &mut [(SimTime, Pod)],
    times: &[Option<SnapshotTimes>],
    start_time: Option<i64>,
) -> Option<i64> {
    let shown = |t: &SnapshotTimes| {
        let containers = t.containers.iter().filter_map(|c| match c {
            ContainerStart::At(s) => Some(s.unix_s),
            _ => None,
        });
        std::iter::once(t.pod.unix_s).chain(containers).max()
    };
    let t0 = start_time.or_else(|| times.iter().flatten().filter_map(shown).max())?;
    let mut before_t0 = |s: &ShownTime| -> Option<SimDuration> {
        if s.unix_s > t0 {
            sink.push(Diagnostic {
                file: s.site.file.clone(),
                pos: s.site.pos,
                field: s.site.field.clone(),
                message: format!(
                    "expected a time at or before the scenario's controllerManager.startTime \
                     (t = 0), found {} ({} s after it): a snapshot cannot show a start after it was taken",
                    s.text,
                    s.unix_s - t0
                ),
            });
            return None;
        }
        Some(SimDuration::from_secs((t0 - s.unix_s) as u64))
    };
    for ((_, pod), t) in pods.iter_mut().zip(times) {
        let Some(t) = t else { continue };
        let Some(pod_ago) = before_t0(&t.pod) else {
            continue;
        };
        let mut containers = Vec::with_capacity(t.containers.len());
        for c in &t.containers {
            containers.push(match c {
                ContainerStart::WithPod => Some(pod_ago),
                ContainerStart::At(s) => before_t0(s),
                ContainerStart::NotRunning => None,
            });
        }
        pod.snapshot_start = Some(Box::new(SnapshotStart {
            pod: pod_ago,
            containers,
        }));
    }
    Some(t0)
}

//! The names a scenario gives must be unique where the API requires it:
//! nodes, workload objects per kind and namespace, and pods (manifest Pods and
//! the pods arrivals name `<arrival>-<n>`). Each clash is reported at the
//! place that introduces it.

use super::manifest;
use super::spec::{Arrival, ArrivalProcess};
use crate::engine::SimTime;
use crate::input::decode::Ctx;
use crate::input::diagnostic::Pos;
use crate::model::node::Node;
use crate::model::workloads::TimedWorkload;
use crate::model::Pod;
use std::collections::BTreeSet;

/// Every node name once. A duplicate is reported once per place that
/// introduces it (a pool naming several taken names is one problem), at
/// that place: the later pool's `name` or the later Node's `metadata.name`.
pub(super) fn check_unique_node_names(
    ctx: &mut Ctx,
    nodes: &[Node],
    node_sites: &[usize],
    sites: &[manifest::NameSite],
) {
    debug_assert_eq!(nodes.len(), node_sites.len());
    let mut first_site: std::collections::BTreeMap<&str, usize> = Default::default();
    // Per introducing site: (its taken names, the first of them, where that one was named).
    let mut clashes: std::collections::BTreeMap<usize, (usize, &str, usize)> = Default::default();
    for (node, &site) in nodes.iter().zip(node_sites) {
        let name = node.metadata.name.as_str();
        match first_site.get(name) {
            None => {
                first_site.insert(name, site);
            }
            Some(&other) => clashes.entry(site).or_insert((0, name, other)).0 += 1,
        }
    }
    for (site, (n, name, other)) in clashes {
        let also = match n {
            1 => String::new(),
            n => format!(" and {} more of its nodes' names", n - 1),
        };
        ctx.sink().push(sites[site].error(format!(
            "node name {name:?}{also} already taken (named at {}); node names must be unique",
            sites[other].at()
        )));
    }
}

pub(super) fn check_unique_workload_names(ctx: &mut Ctx, pos: Pos, workloads: &[TimedWorkload]) {
    let mut seen = BTreeSet::new();
    for w in workloads {
        let m = &w.workload.metadata;
        if !seen.insert((
            w.workload.spec.kind(),
            m.namespace.as_str(),
            m.name.as_str(),
        )) {
            ctx.error(
                pos,
                format!(
                    "two {}s are named {}/{}; names must be unique per kind",
                    w.workload.spec.kind(),
                    m.namespace,
                    m.name
                ),
            );
        }
    }
}

/// Pod names are unique per namespace: a manifest Pod's, and those an
/// arrival gives its pods (`<name>-<n>`, n from 0). Each clash is reported
/// at the later Pod's `metadata.name` or at the arrival's `name`.
///
/// The pods controllers create are named by generateName with a random
/// suffix (`web-7d9f8c6b5-x2k4q`), so whether one would match a manifest
/// Pod is not known at load time; they are not checked here.
pub(super) fn check_unique_pod_names(
    ctx: &mut Ctx,
    pods: &[(SimTime, Pod)],
    pod_sites: &[manifest::NameSite],
    arrivals: &[Arrival],
    arrival_sites: &[manifest::NameSite],
) {
    debug_assert_eq!(pods.len(), pod_sites.len());
    debug_assert_eq!(arrivals.len(), arrival_sites.len());
    let mut seen: std::collections::BTreeMap<(&str, &str), &manifest::NameSite> =
        Default::default();
    for ((_, p), site) in pods.iter().zip(pod_sites) {
        let key = (p.metadata.namespace.as_str(), p.metadata.name.as_str());
        if let Some(other) = seen.get(&key) {
            ctx.sink().push(site.error(format!(
                "pod name {}/{} already taken (named at {}); pod names must be unique",
                key.0,
                key.1,
                other.at()
            )));
        } else {
            seen.insert(key, site);
        }
    }
    let mut arrival_names: std::collections::BTreeMap<&str, &manifest::NameSite> =
        Default::default();
    for (a, site) in arrivals.iter().zip(arrival_sites) {
        if let Some(other) = arrival_names.get(a.name.as_str()) {
            ctx.sink().push(site.error(format!(
                "arrival name {:?} already taken (named at {}); the pods of both would be named {0}-0, {0}-1, …",
                a.name,
                other.at()
            )));
            continue;
        }
        arrival_names.insert(&a.name, site);
        let namespace = a.template.metadata.namespace.as_str();
        let limit = arrival_pod_limit(a);
        // The manifest Pods this arrival's pods would be named after.
        for (&(ns, name), pod_site) in &seen {
            let Some(n) = name
                .strip_prefix(a.name.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .filter(|n| n == &"0" || !n.starts_with('0'))
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            if ns == namespace && limit.is_none_or(|limit| n < limit) {
                ctx.sink().push(site.error(format!(
                    "arrival {:?} would create pod {ns}/{name}, already the name of the Pod at {}; \
                     pod names must be unique: rename the arrival or the Pod",
                    a.name,
                    pod_site.at()
                )));
            }
        }
    }
}

/// How many pods an arrival creates at most, if it is bounded by its
/// declaration alone (`count`, or its list of `times`).
pub(super) fn arrival_pod_limit(a: &Arrival) -> Option<u64> {
    let times = match &a.process {
        ArrivalProcess::Times(t) => Some(t.len() as u64),
        _ => None,
    };
    match (a.count, times) {
        (Some(c), Some(t)) => Some(c.min(t)),
        (c, t) => c.or(t),
    }
}

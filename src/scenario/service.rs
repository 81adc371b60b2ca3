//! Decoding a v1 Service manifest. kubesim uses only its selector: the
//! endpoints controller counts the ready pods it selects, so that the
//! availability a Service's clients see can be measured. Ports, types and
//! traffic policies are accepted and ignored.

use super::manifest::{decode_labels, decode_metadata};
use crate::input::decode::check_type;
use crate::input::decode::{Ctx, MapReader};
use crate::input::yaml::Node as Yaml;
use crate::model::workloads::{ServiceSpec, Workload, WorkloadSpec};

const SPEC_IGNORED: &[&str] = &[
    "ports",
    "type",
    "clusterIP",
    "clusterIPs",
    "externalIPs",
    "sessionAffinity",
    "sessionAffinityConfig",
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "loadBalancerClass",
    "externalName",
    "externalTrafficPolicy",
    "internalTrafficPolicy",
    "healthCheckNodePort",
    "publishNotReadyAddresses",
    "ipFamilies",
    "ipFamilyPolicy",
    "allocateLoadBalancerNodePorts",
    "trafficDistribution",
];

pub fn decode_service(ctx: &mut Ctx<'_>, doc: &Yaml) -> Option<Workload> {
    let errors_before = ctx.error_count();
    let mut m = MapReader::new(ctx, doc)?;
    check_type(ctx, &mut m, "Service", "v1");
    let metadata = m
        .req(ctx, "metadata")
        .map(|n| decode_metadata(&mut ctx.field("metadata"), n, true, true));
    let mut selector = None;
    if let Some(spec) = m.opt("spec") {
        let mut sctx = ctx.field("spec");
        if let Some(mut sm) = MapReader::new(&mut sctx, spec) {
            selector = sm
                .opt("selector")
                .map(|n| decode_labels(&mut sctx.field("selector"), n));
            sm.ignore(SPEC_IGNORED);
            sm.finish(&mut sctx);
        }
    }
    m.ignore(&["status"]);
    m.finish(ctx);
    if ctx.error_count() > errors_before {
        return None;
    }
    Some(Workload {
        metadata: metadata?,
        spec: WorkloadSpec::Service(ServiceSpec { selector }),
    })
}

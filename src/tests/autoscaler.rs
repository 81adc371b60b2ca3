//! The Cluster Autoscaler (cluster-autoscaler 1.32 defaults) and node cost,
//! on small scenarios whose timings are worked out by hand in each test.

use super::run;
use crate::sim::RunReport;

fn figure(report: &RunReport, name: &str) -> String {
    report.summary.get(name).expect(name).to_csv()
}

#[test]
fn fixed_pools_with_a_price_cost_their_node_hours() {
    let r = run("
duration: 2h
nodePools:
  - {name: a, count: 2, capacity: {cpu: '4', memory: 8Gi}, pricePerHour: 0.5}
  - {name: b, count: 1, capacity: {cpu: '4', memory: 8Gi}, capacityType: spot}
actions:
  - {at: 30m, addNodes: {pool: a, count: 1}}
");
    // a: 2 nodes × 2 h + 1 node × 1.5 h = 5.5 h at 0.5; b: 2 h at nothing.
    assert_eq!(figure(&r, "node_hours"), "7.500000");
    assert_eq!(figure(&r, "cost"), "2.750000");
}

#[test]
fn without_a_price_cost_is_empty() {
    let r = run("
duration: 1h
nodePools: [{name: a, count: 2, capacity: {cpu: '4', memory: 8Gi}}]
");
    assert_eq!(figure(&r, "node_hours"), "2.000000");
    assert_eq!(figure(&r, "cost"), "");
}

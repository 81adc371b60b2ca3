//! `intstr.IntOrString` as the API uses it for counts: an absolute number or
//! a percentage (`maxSurge: 25%`, `maxUnavailable: 1`, `minAvailable: 50%`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i32),
    Percent(i32),
}

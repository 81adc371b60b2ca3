//! Container probes (`core/v1` Probe): when the kubelet checks a container
//! and how many results in a row change its state. What a probe *returns*
//! is declared behaviour (`readyAfter`, `startedAfter`, `livenessFailsAfter`).

/// Which probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    Startup = 0,
    Readiness = 1,
    Liveness = 2,
}

impl ProbeKind {
    pub const ALL: [ProbeKind; 3] = [
        ProbeKind::Startup,
        ProbeKind::Readiness,
        ProbeKind::Liveness,
    ];
    /// As the kubelet names it in events ("Readiness probe failed: …").
    pub fn title(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Liveness => "Liveness",
        }
    }
}

/// A probe's timing and thresholds, defaulted as `SetDefaults_Probe`
/// (`pkg/apis/core/v1/defaults.go`): period 10 s, timeout 1 s, success
/// threshold 1, failure threshold 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    pub initial_delay_s: u32,
    pub period_s: u32,
    pub timeout_s: u32,
    pub success_threshold: u32,
    pub failure_threshold: u32,
}

impl Default for Probe {
    fn default() -> Self {
        Probe {
            initial_delay_s: 0,
            period_s: 10,
            timeout_s: 1,
            success_threshold: 1,
            failure_threshold: 3,
        }
    }
}

/// A container's probes, indexed by [`ProbeKind`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContainerProbes(pub [Option<Probe>; 3]);

impl ContainerProbes {
    pub fn get(&self, kind: ProbeKind) -> Option<&Probe> {
        self.0[kind as usize].as_ref()
    }
}

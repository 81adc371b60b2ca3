//! Resource amounts as a fixed-size, copyable vector: cpu, memory,
//! ephemeral-storage and a bounded number of extended resources
//! (`nvidia.com/gpu`, …) whose names are interned per run.
//!
//! The scheduler's filter and score loops touch these for every node of every
//! cycle, so they are plain integers in one contiguous struct: no string keys
//! and no allocation in the hot path.

use std::ops::{AddAssign, SubAssign};

/// The most distinct extended resource names one run may use.
pub const MAX_EXTENDED_RESOURCES: usize = 8;

/// Upstream's default requests used for scoring when a container sets none
/// (`pkg/scheduler/util/pod_resources.go`: DefaultMilliCPURequest = 100,
/// DefaultMemoryRequest = 200 MiB), so empty pods are not all piled on one node.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
pub const DEFAULT_MEMORY_REQUEST_BYTES: i64 = 200 * 1024 * 1024;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Resources {
    pub cpu_millis: i64,
    pub memory_bytes: i64,
    pub ephemeral_storage_bytes: i64,
    /// Indexed by [`ExtendedResourceId`].
    pub extended: [i64; MAX_EXTENDED_RESOURCES],
}

/// Index of an interned extended resource name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExtendedResourceId(pub u8);

impl Resources {
    pub fn is_zero(&self) -> bool {
        *self == Resources::default()
    }

    /// Component-wise maximum (used for init containers).
    pub fn max(&self, other: &Resources) -> Resources {
        let mut r = *self;
        r.cpu_millis = r.cpu_millis.max(other.cpu_millis);
        r.memory_bytes = r.memory_bytes.max(other.memory_bytes);
        r.ephemeral_storage_bytes = r.ephemeral_storage_bytes.max(other.ephemeral_storage_bytes);
        for (a, b) in r.extended.iter_mut().zip(other.extended) {
            *a = (*a).max(b);
        }
        r
    }

    /// True when every component of `self` is at most the one in `other`.
    pub fn fits_within(&self, other: &Resources) -> bool {
        self.cpu_millis <= other.cpu_millis
            && self.memory_bytes <= other.memory_bytes
            && self.ephemeral_storage_bytes <= other.ephemeral_storage_bytes
            && self
                .extended
                .iter()
                .zip(other.extended)
                .all(|(a, b)| *a <= b)
    }
}

impl AddAssign<&Resources> for Resources {
    fn add_assign(&mut self, o: &Resources) {
        self.cpu_millis += o.cpu_millis;
        self.memory_bytes += o.memory_bytes;
        self.ephemeral_storage_bytes += o.ephemeral_storage_bytes;
        for (a, b) in self.extended.iter_mut().zip(o.extended) {
            *a += b;
        }
    }
}

impl SubAssign<&Resources> for Resources {
    fn sub_assign(&mut self, o: &Resources) {
        self.cpu_millis -= o.cpu_millis;
        self.memory_bytes -= o.memory_bytes;
        self.ephemeral_storage_bytes -= o.ephemeral_storage_bytes;
        for (a, b) in self.extended.iter_mut().zip(o.extended) {
            *a -= b;
        }
    }
}

/// A resource named the way Kubernetes names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceName {
    Cpu,
    Memory,
    EphemeralStorage,
    Extended(ExtendedResourceId),
}

impl ResourceName {
    pub fn get(self, r: &Resources) -> i64 {
        match self {
            ResourceName::Cpu => r.cpu_millis,
            ResourceName::Memory => r.memory_bytes,
            ResourceName::EphemeralStorage => r.ephemeral_storage_bytes,
            ResourceName::Extended(id) => r.extended[id.0 as usize],
        }
    }

    pub fn set(self, r: &mut Resources, value: i64) {
        match self {
            ResourceName::Cpu => r.cpu_millis = value,
            ResourceName::Memory => r.memory_bytes = value,
            ResourceName::EphemeralStorage => r.ephemeral_storage_bytes = value,
            ResourceName::Extended(id) => r.extended[id.0 as usize] = value,
        }
    }
}

/// The interned names of extended resources used in a run, in first-seen order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceNames {
    extended: Vec<String>,
}

impl ResourceNames {
    /// Looks up a resource name, interning extended names. Returns an error
    /// message when more than [`MAX_EXTENDED_RESOURCES`] names are used or the
    /// name is not a valid extended resource name (it must be domain-prefixed,
    /// like `nvidia.com/gpu`, or a `hugepages-` size).
    pub fn intern(&mut self, name: &str) -> Result<ResourceName, String> {
        if let Some(r) = self.lookup(name) {
            return Ok(r);
        }
        if !(name.contains('/') || name.starts_with("hugepages-")) {
            return Err(format!(
                "unknown resource {name:?} (expected cpu, memory, ephemeral-storage, pods, \
                 or an extended resource with a domain prefix such as nvidia.com/gpu)"
            ));
        }
        if self.extended.len() >= MAX_EXTENDED_RESOURCES {
            return Err(format!(
                "too many extended resources: {name:?} would be number {} (at most {MAX_EXTENDED_RESOURCES})",
                self.extended.len() + 1
            ));
        }
        self.extended.push(name.to_string());
        Ok(ResourceName::Extended(ExtendedResourceId(
            (self.extended.len() - 1) as u8,
        )))
    }

    /// Looks up a name without interning it.
    pub fn lookup(&self, name: &str) -> Option<ResourceName> {
        match name {
            "cpu" => Some(ResourceName::Cpu),
            "memory" => Some(ResourceName::Memory),
            "ephemeral-storage" => Some(ResourceName::EphemeralStorage),
            _ => self
                .extended
                .iter()
                .position(|n| n == name)
                .map(|i| ResourceName::Extended(ExtendedResourceId(i as u8))),
        }
    }

    pub fn name(&self, r: ResourceName) -> &str {
        match r {
            ResourceName::Cpu => "cpu",
            ResourceName::Memory => "memory",
            ResourceName::EphemeralStorage => "ephemeral-storage",
            ResourceName::Extended(id) => &self.extended[id.0 as usize],
        }
    }

    pub fn extended_ids(&self) -> impl Iterator<Item = ExtendedResourceId> {
        (0..self.extended.len()).map(|i| ExtendedResourceId(i as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_extended_names_in_order() {
        let mut names = ResourceNames::default();
        assert_eq!(names.intern("cpu"), Ok(ResourceName::Cpu));
        let gpu = names.intern("nvidia.com/gpu").unwrap();
        assert_eq!(gpu, ResourceName::Extended(ExtendedResourceId(0)));
        assert_eq!(names.intern("nvidia.com/gpu"), Ok(gpu));
        assert_eq!(names.name(gpu), "nvidia.com/gpu");
        assert!(names.intern("gpu").unwrap_err().contains("domain prefix"));
    }

    #[test]
    fn refuses_more_than_the_limit() {
        let mut names = ResourceNames::default();
        for i in 0..MAX_EXTENDED_RESOURCES {
            names.intern(&format!("example.com/r{i}")).unwrap();
        }
        assert!(names.intern("example.com/one-more").is_err());
    }

    #[test]
    fn max_and_fit_are_component_wise() {
        let a = Resources {
            cpu_millis: 100,
            memory_bytes: 50,
            ..Default::default()
        };
        let b = Resources {
            cpu_millis: 20,
            memory_bytes: 80,
            ..Default::default()
        };
        let m = a.max(&b);
        assert_eq!((m.cpu_millis, m.memory_bytes), (100, 80));
        assert!(a.fits_within(&m) && b.fits_within(&m));
        assert!(!m.fits_within(&a));
    }
}

//! Pod sizes drawn per arrival: `requests: {cpu: uniform(100m, 4), memory: 1Gi}`
//! on an arrival process gives each pod it creates its own request, so one
//! stream can model a population of differently sized pods (capacity
//! planning with realistic size mixes, the end-to-end benchmarks).

use rand::RngCore;

use super::manifest::quantity_value;
use crate::input::decode::Ctx;
use crate::input::yaml::{Node as Yaml, Value};
use crate::model::{ResourceName, ResourceNames, Resources};

/// One resource's request: a quantity, or integers uniform in `[min, max]`
/// (milli-cpu for cpu, whole units otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRange {
    pub resource: ResourceName,
    pub min: i64,
    pub max: i64,
}

impl RequestRange {
    /// Draws one value with exactly one `u64` from the generator (none for a constant).
    pub fn sample<R: RngCore + ?Sized>(&self, rng: &mut R) -> i64 {
        if self.min == self.max {
            return self.min;
        }
        let span = (self.max - self.min) as u128 + 1;
        // Lemire's multiply-shift: maps a u64 onto [0, span) without `rand`'s
        // range code, whose algorithm may change between crate versions.
        self.min + ((rng.next_u64() as u128 * span) >> 64) as i64
    }
}

/// Draws every range into `requests` (the other resources keep their value).
pub fn sample_into<R: RngCore + ?Sized>(
    ranges: &[RequestRange],
    rng: &mut R,
    requests: &mut Resources,
) {
    for r in ranges {
        r.resource.set(requests, r.sample(rng));
    }
}

const FORMS: &str = "expected a quantity (such as 500m or 1Gi) or uniform(MIN, MAX)";

/// Decodes the `requests` mapping of an arrival.
pub fn decode(
    ctx: &mut Ctx<'_>,
    node: &Yaml,
    names: &mut ResourceNames,
) -> Option<Vec<RequestRange>> {
    let Value::Map(entries) = &node.value else {
        ctx.expected(
            node,
            "a mapping of resource names to quantities or uniform(MIN, MAX)",
        );
        return None;
    };
    let errors_before = ctx.error_count();
    let mut out = Vec::new();
    for (k, v) in entries.iter() {
        let Some(key) = k.scalar_text() else {
            ctx.expected(k, "a resource name (a string)");
            continue;
        };
        let mut c = ctx.field(&key);
        let resource = match names.intern(&key) {
            Ok(r) => r,
            Err(e) => {
                c.error(k.pos, e);
                continue;
            }
        };
        let Some(text) = v.scalar_text() else {
            c.expected(v, FORMS);
            continue;
        };
        let bounds = match text
            .trim()
            .strip_prefix("uniform(")
            .and_then(|s| s.strip_suffix(')'))
        {
            Some(args) => match args.split(',').map(str::trim).collect::<Vec<_>>()[..] {
                [a, b] => (
                    quantity_value(&mut c, v, &key, a),
                    quantity_value(&mut c, v, &key, b),
                ),
                _ => {
                    c.error(
                        v.pos,
                        format!("{text:?}: uniform takes two quantities; {FORMS}"),
                    );
                    continue;
                }
            },
            None => {
                let q = quantity_value(&mut c, v, &key, &text);
                (q, q)
            }
        };
        let (Some(min), Some(max)) = bounds else {
            continue;
        };
        if min > max {
            c.error(
                v.pos,
                format!("{text:?}: the minimum is larger than the maximum"),
            );
            continue;
        }
        out.push(RequestRange { resource, min, max });
    }
    (ctx.error_count() == errors_before).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn uniform_draws_cover_the_inclusive_range_and_nothing_else() {
        let r = RequestRange {
            resource: ResourceName::Cpu,
            min: 100,
            max: 103,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = [0; 4];
        for _ in 0..4000 {
            let v = r.sample(&mut rng);
            assert!((100..=103).contains(&v), "{v}");
            seen[(v - 100) as usize] += 1;
        }
        // Each value about 1000 times (binomial sd ≈ 27).
        assert!(seen.iter().all(|&n| (850..1150).contains(&n)), "{seen:?}");
    }

    #[test]
    fn a_constant_consumes_no_randomness() {
        let r = RequestRange {
            resource: ResourceName::Memory,
            min: 5,
            max: 5,
        };
        let mut a = ChaCha8Rng::seed_from_u64(1);
        let b = a.clone();
        assert_eq!(r.sample(&mut a), 5);
        assert_eq!(a, b);
    }
}

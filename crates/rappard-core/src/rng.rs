//! A small seeded random number generator (SplitMix64, Steele, Lea and
//! Flood, 2014), written out here so that the draws of a seed never change
//! with a dependency's version: the same scenario and seed give the same
//! record on every machine and every release.
//!
//! Each delegation's draws come from its own stream, keyed by the seed, the
//! item and the member id ([`Rng::for_member`]), so that adding a Member or
//! an item to a scenario does not change what the others draw.

/// SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from a 64-bit seed.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The stream of one member for one item under one seed: the seed mixed
    /// with an FNV-1a hash of `item` and `member`.
    pub fn for_member(seed: u64, item: &str, member: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in item.bytes().chain([0xff]).chain(member.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Self::new(seed ^ h);
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A whole number in `lo..=hi`, uniform (rejection-free; the bias of a
    /// 64-bit modulo over ranges this small is below 1e-15).
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi - lo) + 1;
        lo + (self.next_u64() % span) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first outputs for seed 0 are SplitMix64's published reference
    /// values, so the generator is the one the module names.
    #[test]
    fn matches_the_reference_sequence() {
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn streams_differ_by_member_and_item() {
        let a = Rng::for_member(7, "agri", "BRA").next_u64();
        let b = Rng::for_member(7, "agri", "IND").next_u64();
        let c = Rng::for_member(7, "nama", "BRA").next_u64();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, Rng::for_member(7, "agri", "BRA").next_u64());
        let mut r = Rng::new(1);
        assert!((0..1000).all(|_| (10..=20).contains(&r.range(10, 20))));
    }
}

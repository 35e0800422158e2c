//! The minutes of delegations' capacity and of special and differential
//! treatment (`crate::capacity`, `crate::flexibility`): who has no Geneva
//! mission, who can follow how many meetings a day, who missed which
//! business, and the flexibilities an item or initiative carries.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Minutes;
use super::format::{level, short_list};
use crate::flexibility::Flexibility;
use crate::member::MemberId;
use crate::record::Event;

impl Minutes {
    /// Writes the event if it is one of this module's; says whether it was.
    pub(super) fn development(&mut self, event: &Event) -> bool {
        match event {
            Event::CapacityListed {
                non_resident,
                meetings_per_day,
                ..
            } => self.capacity(non_resident, meetings_per_day),
            Event::FlexibilitiesListed {
                item,
                flexibility,
                beneficiaries,
            } => self.flexibilities(item, flexibility, beneficiaries.len()),
            Event::MeetingMissed {
                business, members, ..
            } => {
                let _ = writeln!(
                    self.out,
                    "  over capacity for the day, missing [{business}]: {}",
                    short_list(members)
                );
            }
            _ => return false,
        }
        true
    }

    fn capacity(&mut self, non_resident: &[MemberId], limits: &BTreeMap<MemberId, u32>) {
        if !non_resident.is_empty() {
            let _ = writeln!(
                self.out,
                "Without a Geneva mission (they keep their capitals' hours): {}",
                short_list(non_resident)
            );
        }
        let mut by_limit: BTreeMap<u32, Vec<MemberId>> = BTreeMap::new();
        for (m, k) in limits {
            by_limit.entry(*k).or_default().push(m.clone());
        }
        for (k, ids) in by_limit {
            let _ = writeln!(
                self.out,
                "Can follow {k} meeting{} a day: {}",
                if k == 1 { "" } else { "s" },
                short_list(&ids)
            );
        }
    }

    fn flexibilities(&mut self, item: &str, f: &Flexibility, beneficiaries: usize) {
        let statuses: Vec<&str> = f.beneficiaries.iter().map(|d| d.as_str()).collect();
        let _ = writeln!(
            self.out,
            "  [{item}] special and differential treatment for {} Members ({beneficiaries} delegations): tolerance wider by {}, {} year{}' transition",
            statuses.join(" and "),
            level(f.tolerance_widening),
            f.transition_years,
            if f.transition_years == 1 { "" } else { "s" },
        );
    }
}

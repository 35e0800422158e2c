//! Coalitions acting as blocs in the minutes (`[[coalition]] bloc = true`;
//! rules and sources in `secretariat/blocs.rs`): each bloc formed at the
//! opening, each call on which a bloc spoke with one voice (who followed
//! the coordinator), and each member that left the bloc on an item.

use std::fmt::Write as _;

use super::Minutes;
use super::format::{level, short_list};
use crate::record::Event;

impl Minutes {
    /// One bloc event.
    pub(super) fn blocs(&mut self, event: &Event) {
        let w = &mut self.out;
        match event {
            Event::BlocFormed {
                coalition,
                coordinator,
                members,
                defection_limit,
            } => {
                let _ = writeln!(
                    w,
                    "Bloc {coalition}: {} Members follow {coordinator} unless their position is more than {} from the coordinator's",
                    members.len(),
                    level(*defection_limit)
                );
            }
            Event::BlocSpoke {
                call,
                item,
                coalition,
                coordinator,
                answer,
                followed,
                as_one,
            } => {
                let one = if *as_one { "as one" } else { "split" };
                let _ = writeln!(
                    w,
                    "  [{item}] call {call}: bloc {coalition} {one}, {coordinator} says {answer}; followed by {}",
                    short_list(followed)
                );
            }
            Event::BlocDefection {
                call,
                item,
                coalition,
                member,
                answer,
                distance,
            } => {
                let how_far = distance.map_or("not comparable".to_owned(), level);
                let _ = writeln!(
                    w,
                    "  [{item}] call {call}: {member} leaves bloc {coalition} and says {answer} (distance {how_far})"
                );
            }
            _ => {}
        }
    }
}

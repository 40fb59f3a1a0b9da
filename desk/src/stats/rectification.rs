//! Two more of the town's figures, about what happens after a dispatch and a resolution:
//! - **按时整改率** (rectified on time), per handling unit and per category: of the tasks
//!   that ended in the period (passed on review, or given back), the share the unit
//!   answered done before their due time (as moved by a granted extension or a failed
//!   review) and that then passed review.
//! - **复发** (relapses): of the 回头看 checks made in the period, those that found the
//!   hazard back (each opens a new linked report); per category too.
//!
//! Both are counted over plain rows, like [`super::figures`], and shown under the same
//! small-number guard.

use super::Ratio;
use std::collections::BTreeMap;

/// A task that ended in the period.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskFacts {
    pub unit: String,
    pub category: String,
    pub passed: bool,
    pub answered_at: Option<i64>,
    pub due_at: i64,
}

impl TaskFacts {
    pub fn on_time(&self) -> bool {
        self.passed && self.answered_at.is_some_and(|at| at <= self.due_at)
    }
}

/// A 回头看 check made in the period.
#[derive(Clone, Debug, PartialEq)]
pub struct RecheckFacts {
    pub category: String,
    pub relapse: bool,
}

/// The period's rectification and relapse figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rectification {
    pub on_time: Ratio,
    pub on_time_by_unit: BTreeMap<String, Ratio>,
    pub on_time_by_category: BTreeMap<String, Ratio>,
    /// Relapses of all checks.
    pub relapses: Ratio,
    pub relapses_by_category: BTreeMap<String, Ratio>,
}

/// The figures of the tasks ended and the checks made in a period.
pub fn rectification(tasks: &[TaskFacts], rechecks: &[RecheckFacts]) -> Rectification {
    let mut out = Rectification::default();
    for t in tasks {
        let hit = t.on_time();
        for ratio in [
            &mut out.on_time,
            out.on_time_by_unit.entry(t.unit.clone()).or_default(),
            out.on_time_by_category
                .entry(t.category.clone())
                .or_default(),
        ] {
            ratio.count(hit);
        }
    }
    for c in rechecks {
        out.relapses.count(c.relapse);
        out.relapses_by_category
            .entry(c.category.clone())
            .or_default()
            .count(c.relapse);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(unit: &str, passed: bool, answered_at: Option<i64>) -> TaskFacts {
        TaskFacts {
            unit: unit.into(),
            category: "flying_line_charging".into(),
            passed,
            answered_at,
            due_at: 100,
        }
    }

    #[test]
    fn on_time_means_answered_done_by_the_due_time_and_passed() {
        let tasks = [
            task("xinkai", true, Some(100)),
            task("xinkai", true, Some(101)),
            task("xinkai", false, Some(50)), // given back
            task("grid", true, Some(10)),
        ];
        let checks = [
            RecheckFacts {
                category: "ebike_in_stairwell".into(),
                relapse: true,
            },
            RecheckFacts {
                category: "ebike_in_stairwell".into(),
                relapse: false,
            },
        ];
        let r = rectification(&tasks, &checks);
        assert_eq!(r.on_time, Ratio { num: 2, den: 4 });
        assert_eq!(r.on_time_by_unit["xinkai"], Ratio { num: 1, den: 3 });
        assert_eq!(r.on_time_by_unit["grid"], Ratio { num: 1, den: 1 });
        assert_eq!(r.relapses, Ratio { num: 1, den: 2 });
        assert_eq!(
            r.relapses_by_category["ebike_in_stairwell"],
            Ratio { num: 1, den: 2 }
        );
    }
}

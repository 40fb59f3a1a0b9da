//! The schedules of delivery defects found and fixed before, spelled out: they are also
//! among the ones the property explores; here they are sure to run.

use super::*;

#[test]
fn a_delete_during_a_hanging_attempt_is_not_undone() {
    use Action::*;
    let actions = vec![
        Submit { tab: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Flush {
            tab: 0,
            mode: FlushMode::Resumed,
        },
        Poll { pick: 0 }, // records
        Poll { pick: 0 },
        Poll { pick: 0 }, // claim
        Poll { pick: 0 },
        Poll { pick: 0 }, // on the wire
        Delete { pick: 0 },
        Poll { pick: 1 },
        Poll { pick: 1 }, // deleted
        Answer {
            pick: 0,
            reply: Reply::Hang { arrived: false },
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Clock {
            delta_ms: 4_000_000.0,
        },
        Flush {
            tab: 1,
            mode: FlushMode::ResidentAsked,
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
    ];
    run(actions).unwrap();
}

#[test]
fn a_2xx_after_a_clear_writes_nothing_back() {
    use Action::*;
    let actions = vec![
        Submit { tab: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Flush {
            tab: 1,
            mode: FlushMode::Resumed,
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Clear { tab: 0 },
        Poll { pick: 1 },
        Poll { pick: 1 },
        Answer {
            pick: 0,
            reply: Reply::Created,
        },
        Poll { pick: 0 },
        Poll { pick: 0 },
        Poll { pick: 0 },
    ];
    run(actions).unwrap();
}

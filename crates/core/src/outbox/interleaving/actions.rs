//! What can happen next, as proptest draws it: the resident's actions, flushes, reloads,
//! answers and the clock.

use super::*;

#[derive(Clone, Debug)]
pub(super) enum Action {
    Submit {
        tab: usize,
    },
    Delete {
        pick: usize,
    },
    Clear {
        tab: usize,
    },
    EditResend {
        pick: usize,
    },
    Flush {
        tab: usize,
        mode: FlushMode,
    },
    Reload {
        tab: usize,
        arrived: bool,
    },
    Answer {
        pick: usize,
        reply: Reply,
    },
    Poll {
        pick: usize,
    },
    /// Every task runs until it waits for an answer (or ends).
    RunAll,
    Clock {
        delta_ms: f64,
    },
}

pub(super) fn reply_strategy() -> impl Strategy<Value = Reply> {
    prop_oneof![
        3 => Just(Reply::Created),
        1 => Just(Reply::CreatedWithoutTicket),
        1 => Just(Reply::Redirect),
        1 => Just(Reply::Conflict),
        1 => prop_oneof![Just(1u32), Just(3600)].prop_map(Reply::TooMany),
        1 => Just(Reply::Unavailable),
        1 => any::<bool>().prop_map(|arrived| Reply::Hang { arrived }),
        1 => Just(Reply::Refuse),
    ]
}

pub(super) fn mode_strategy() -> impl Strategy<Value = FlushMode> {
    prop_oneof![
        Just(FlushMode::Automatic),
        Just(FlushMode::Resumed),
        Just(FlushMode::ResidentAsked)
    ]
}

pub(super) fn action_strategy() -> impl Strategy<Value = Action> {
    let tab = 0..TABS;
    prop_oneof![
        3 => tab.clone().prop_map(|tab| Action::Submit { tab }),
        1 => any::<usize>().prop_map(|pick| Action::Delete { pick }),
        1 => tab.clone().prop_map(|tab| Action::Clear { tab }),
        1 => any::<usize>().prop_map(|pick| Action::EditResend { pick }),
        3 => (tab.clone(), mode_strategy()).prop_map(|(tab, mode)| Action::Flush { tab, mode }),
        1 => (tab, any::<bool>()).prop_map(|(tab, arrived)| Action::Reload { tab, arrived }),
        4 => (any::<usize>(), reply_strategy()).prop_map(|(pick, reply)| Action::Answer { pick, reply }),
        6 => any::<usize>().prop_map(|pick| Action::Poll { pick }),
        4 => Just(Action::RunAll),
        1 => prop_oneof![
            Just(1_000.0),
            Just(60_000.0),
            Just(4_000_000.0),
            Just(-86_400_000.0)
        ]
        .prop_map(|delta_ms| Action::Clock { delta_ms }),
    ]
}

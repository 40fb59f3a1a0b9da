//! The phone's side of the wire: every request waits until the scheduler answers it, and
//! the tabs share one clock that the scheduler moves.

use super::*;

/// A request on the wire; the scheduler decides when and how it is answered.
pub(super) struct Call {
    pub(super) tab: usize,
    pub(super) key: String,
    pub(super) body: String,
    /// The step at which it was sent.
    pub(super) step: usize,
    pub(super) slot: Rc<RefCell<Option<Answer>>>,
    pub(super) open: bool,
}

#[derive(Default)]
pub(super) struct Wire {
    pub(super) calls: RefCell<Vec<Call>>,
    pub(super) step: Cell<usize>,
}

/// Resolves once the scheduler has put an answer in the slot.
struct Awaiting(Rc<RefCell<Option<Answer>>>);

impl Future for Awaiting {
    type Output = Answer;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Answer> {
        match self.0.borrow_mut().take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}

pub(super) struct GatedTransport<'a> {
    pub(super) tab: usize,
    pub(super) wire: &'a Wire,
}

impl Transport for GatedTransport<'_> {
    async fn submit(&self, key: &str, body: &str) -> Answer {
        let slot = Rc::new(RefCell::new(None));
        self.wire.calls.borrow_mut().push(Call {
            tab: self.tab,
            key: key.into(),
            body: body.into(),
            step: self.wire.step.get(),
            slot: slot.clone(),
            open: true,
        });
        Awaiting(slot).await
    }
    async fn ticket_status(&self, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
    async fn feedback(&self, _: &str, _: &str, _: &str, _: &str) -> Answer {
        Answer::NetworkError
    }
}

pub(super) struct SharedClock(pub(super) Cell<f64>);

impl Clock for SharedClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
    fn jitter(&self) -> f64 {
        0.5
    }
}

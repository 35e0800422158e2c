//! The relay of direct talks through the Secretariat, for delegations
//! whose node no applicant can reach (a laptop behind NAT).
//!
//! The bilateral market-access talks of an accession (Marrakesh Agreement
//! Art. XII; the accession procedures of WT/ACC/22/Rev.1 and WT/L/93) are
//! held between the applicant and each member of its Working Party. A
//! delegation's node normally serves them itself (`crate::talks`) and gives
//! its address when it joins. A node that gives none (`rappard member
//! --talks relay`) opens the `Offers` stream instead, and an applicant
//! that finds no address for a counterpart (`Counterparts`) makes its offer
//! through the Secretariat (`RelayOffer`). The Secretariat:
//!
//! - reads who makes the offer from the applicant's client certificate,
//!   as the member's own node does on the direct path, and takes offers
//!   only from an applicant, only for a Working Party member it has no
//!   deal with yet;
//! - hands the offer to the named member's latest `Offers` stream, and to
//!   no other (`Relay::offer`); waits for that node's `ReplyOffer`, which
//!   only the node of the member the offer was made to can give
//!   (`Relay::reply`), at most [`RELAY_DEADLINE`]; and returns the reply
//!   to the applicant. It forwards and decides nothing: the member's core
//!   `Delegation` decides and remembers, as on the direct path, so the
//!   record is the same byte for byte.
//!
//! Privacy: the Secretariat sees relayed offers and replies (on the direct
//! path it sees neither); other delegations never do. A relayed offer is
//! not part of the record.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rappard_core::member::MemberId;
use rappard_proto::v1;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::Instant;

use crate::Error;

/// How long the Secretariat waits for a member's node to take a relayed
/// offer and reply (and, for a node that has joined without a talks
/// address, for its `Offers` stream to open): shorter than the applicant's
/// own wait for one counterpart (`crate::member::TALKS_DEADLINE`), so that
/// the applicant hears why there was no deal.
pub const RELAY_DEADLINE: Duration = Duration::from_secs(8);

/// Relayed offers a member's node has not taken yet, at most.
const INBOX: usize = 16;

/// A std mutex's guard, also after a panic elsewhere while it was held
/// (what it guards stays consistent: maps of senders).
fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The Secretariat's side of the relay (module doc): each relayed
/// delegation's `Offers` stream, and the offers awaiting a reply.
#[derive(Default)]
pub(crate) struct Relay {
    /// Where to hand each delegation its offers: its latest `Offers`.
    inboxes: std::sync::Mutex<BTreeMap<MemberId, mpsc::Sender<v1::RelayedOffer>>>,
    /// Woken when a delegation opens its `Offers`.
    opened: Notify,
    /// The offers handed over and not yet replied to: to whom, and where
    /// the reply goes.
    pending: std::sync::Mutex<HashMap<u64, (MemberId, oneshot::Sender<bool>)>>,
    /// Relays numbered so far.
    last: AtomicU64,
}

/// Forgets a relayed offer when its `RelayOffer` ends, replied or not.
struct Forget<'a>(&'a Relay, u64);

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        locked(&self.0.pending).remove(&self.1);
    }
}

impl Relay {
    /// Opens `me`'s `Offers` stream, replacing an earlier one.
    pub(crate) fn open(&self, me: &MemberId) -> mpsc::Receiver<v1::RelayedOffer> {
        let (tx, rx) = mpsc::channel(INBOX);
        locked(&self.inboxes).insert(me.clone(), tx);
        self.opened.notify_waiters();
        rx
    }

    /// Ends every `Offers` stream: the negotiation has closed (or failed).
    pub(crate) fn close_all(&self) {
        locked(&self.inboxes).clear();
    }

    /// Hands `applicant`'s offer to `to`'s node and returns its reply.
    /// With `wait`, a node that has not opened its `Offers` yet is waited
    /// for (within [`RELAY_DEADLINE`]); without, such a node makes the
    /// relay fail at once. Failures are `UNAVAILABLE`: no deal.
    pub(crate) async fn offer(
        &self,
        to: &MemberId,
        applicant: &MemberId,
        offer: v1::OfferRequest,
        wait: bool,
    ) -> Result<bool, Error> {
        let deadline = Instant::now() + RELAY_DEADLINE;
        let secs = RELAY_DEADLINE.as_secs();
        let inbox = loop {
            let opened = self.opened.notified();
            tokio::pin!(opened);
            opened.as_mut().enable();
            let inbox = locked(&self.inboxes)
                .get(to)
                .filter(|tx| !tx.is_closed())
                .cloned();
            match inbox {
                Some(tx) => break tx,
                None if wait => {
                    if tokio::time::timeout_at(deadline, opened).await.is_err() {
                        return Err(Error::Transport(format!(
                            "{to}'s node opened no stream for relayed offers within {secs} s: no deal"
                        )));
                    }
                }
                None => {
                    return Err(Error::Transport(format!(
                        "{to}'s node takes no relayed offers (it has not joined, or it serves its talks directly): no deal"
                    )));
                }
            }
        };
        let relay = self.last.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = oneshot::channel();
        locked(&self.pending).insert(relay, (to.clone(), tx));
        let _forget = Forget(self, relay);
        let relayed = v1::RelayedOffer {
            relay,
            applicant: applicant.to_string(),
            offer: Some(offer),
        };
        let gone = || Error::Transport(format!("{to}'s node left before it replied: no deal"));
        match tokio::time::timeout_at(deadline, inbox.send(relayed)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(gone()),
            Err(_) => {
                return Err(Error::Transport(format!(
                    "{to}'s node took no relayed offer within {secs} s: no deal"
                )));
            }
        }
        match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(accept)) => Ok(accept),
            Ok(Err(_)) => Err(gone()),
            Err(_) => Err(Error::Transport(format!(
                "{to}'s node did not reply within {secs} s: no deal"
            ))),
        }
    }

    /// `me`'s node's reply to relayed offer `relay`: only to an offer made
    /// to `me`, and once.
    pub(crate) fn reply(&self, me: &MemberId, relay: u64, accept: bool) -> Result<(), Error> {
        let mut pending = locked(&self.pending);
        match pending.get(&relay) {
            None => Err(Error::FailedPrecondition(format!(
                "field `ReplyOfferRequest.relay`: no relayed offer {relay} awaits a reply (replied already, timed out, or never made)"
            ))),
            Some((to, _)) if to != me => Err(Error::PermissionDenied(format!(
                "relayed offer {relay} was not made to {me}: a delegation replies only to its own offers"
            ))),
            Some(_) => {
                if let Some((_, tx)) = pending.remove(&relay) {
                    let _ = tx.send(accept);
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MemberId {
        MemberId::new(s).expect("id")
    }

    fn offer() -> v1::OfferRequest {
        v1::OfferRequest {
            call: 7,
            round: 1,
            offer: 4_000,
        }
    }

    /// An offer reaches the named member's latest stream only, with the
    /// applicant the Secretariat read; only that member's reply counts,
    /// once.
    #[tokio::test]
    async fn offers_reach_the_named_member_only_and_its_reply_returns() {
        let relay = std::sync::Arc::new(Relay::default());
        let mut usa = relay.open(&id("USA"));
        let mut chn = relay.open(&id("CHN"));
        let r = relay.clone();
        let made =
            tokio::spawn(async move { r.offer(&id("USA"), &id("COM"), offer(), false).await });
        let got = usa.recv().await.expect("USA's node gets the offer");
        assert_eq!(got.applicant, "COM");
        assert_eq!(got.offer, Some(offer()));
        assert!(chn.try_recv().is_err(), "CHN sees nothing");
        let e = relay
            .reply(&id("CHN"), got.relay, false)
            .expect_err("not CHN's");
        assert!(matches!(e, Error::PermissionDenied(_)), "{e}");
        relay
            .reply(&id("USA"), got.relay, true)
            .expect("USA replies");
        assert!(made.await.expect("joined").expect("relayed"));
        let e = relay.reply(&id("USA"), got.relay, true).expect_err("once");
        assert!(matches!(e, Error::FailedPrecondition(_)), "{e}");
    }

    /// A member without an open stream is no deal at once, unless the
    /// Secretariat waits for it; a stream opened meanwhile takes the offer.
    #[tokio::test]
    async fn a_member_without_a_stream_is_no_deal_unless_waited_for() {
        let relay = std::sync::Arc::new(Relay::default());
        let e = relay
            .offer(&id("USA"), &id("COM"), offer(), false)
            .await
            .expect_err("no stream");
        assert!(matches!(e, Error::Transport(_)), "{e}");
        let r = relay.clone();
        let made =
            tokio::spawn(async move { r.offer(&id("USA"), &id("COM"), offer(), true).await });
        // Opened before or after the offer looks: either way it gets there.
        tokio::task::yield_now().await;
        let mut usa = relay.open(&id("USA"));
        let got = usa.recv().await.expect("the offer");
        relay.reply(&id("USA"), got.relay, false).expect("reply");
        assert!(!made.await.expect("joined").expect("relayed"));
    }
}

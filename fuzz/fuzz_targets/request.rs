//! Every request message of the gRPC services decoded from arbitrary bytes
//! (`JoinRequest`, `SubscribeRequest`, `AnswerRequest`,
//! `CounterpartsRequest`, `MemberCertificateRequest`, `OfferRequest`):
//! never a panic, and what decodes encodes and decodes back the same. An
//! `AnswerRequest` then goes through `convert::answer_from_wire` and, if it
//! converts, to the core's `Secretariat::answer` on an open call of a small
//! scenario (the first byte picks the scenario and how many calls to run
//! first): a converted answer survives the round trip through the wire,
//! and a refused answer changes nothing (the unanswered delegations and the
//! record's SHA-256 are as before).

#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use rappard_core::member::MemberId;
use rappard_core::protocol::{Answer, MAX_LEVEL, Stated};
use rappard_core::secretariat::Secretariat;
use rappard_core::simulation;
use rappard_fuzz::scenarios;
use rappard_proto::convert;
use rappard_proto::v1;

/// Decodes `M` from `bytes`; what decodes must survive a round trip.
fn decodes<M: Message + Default + PartialEq + std::fmt::Debug>(bytes: &[u8]) -> Option<M> {
    let m = M::decode(bytes).ok()?;
    let again = M::decode(m.encode_to_vec().as_slice()).expect("re-encoded message decodes");
    assert_eq!(m, again, "a message changed through encode and decode");
    Some(m)
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    decodes::<v1::JoinRequest>(bytes);
    decodes::<v1::SubscribeRequest>(bytes);
    decodes::<v1::CounterpartsRequest>(bytes);
    decodes::<v1::MemberCertificateRequest>(bytes);
    decodes::<v1::OfferRequest>(bytes);
    let Some(req) = decodes::<v1::AnswerRequest>(bytes) else {
        return;
    };
    let Ok(answer) = convert::answer_from_wire(req.answer.as_ref()) else {
        return;
    };
    let back = convert::answer_to_wire(answer);
    assert_eq!(convert::answer_from_wire(Some(&back)), Ok(answer));
    if let Answer::Position(Stated::Level(l)) | Answer::Offer(l) = answer {
        assert!(l <= MAX_LEVEL, "a level beyond the scale converted: {l}");
    }
    to_the_core(first, &req, answer);
});

/// Opens a call of a small scenario (after `first >> 1` calls answered by
/// the delegations) and gives it the answer, as the member the request
/// names (or, if it names none that parses, the first awaited), to the
/// call it names and then to the open call.
fn to_the_core(first: u8, req: &v1::AnswerRequest, answer: Answer) {
    let sc = &scenarios()[usize::from(first & 1)];
    let mut s = Secretariat::new(sc.agenda.clone());
    let mut ds = simulation::delegations(sc);
    for _ in 0..(first >> 1) % 64 {
        let Some(call) = s.step().cloned() else {
            return;
        };
        for m in &call.awaited {
            if let Some(a) = ds.get_mut(m).and_then(|d| d.answer(&call)) {
                s.answer(m, call.call, a)
                    .expect("a delegation's own answer");
            }
        }
        s.close_call();
    }
    let Some(call) = s.step().cloned() else {
        return;
    };
    let member = match MemberId::new(&req.member) {
        Ok(m) => m,
        Err(_) => match call.awaited.first() {
            Some(m) => m.clone(),
            None => return,
        },
    };
    for id in [req.call, call.call] {
        let before = (s.unanswered(), s.record().sha256());
        if let Err(e) = s.answer(&member, id, answer) {
            assert_eq!((s.unanswered(), s.record().sha256()), before, "{e}");
        }
    }
    s.close_call();
    s.step();
}

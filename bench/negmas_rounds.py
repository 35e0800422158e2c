"""NegMAS's multilateral stacked-alternating-offers mechanism, timed per round.

Runs one `SAOMechanism` (NegMAS's implementation of the stacked alternating
offers protocol for multilateral negotiation, Aydoğan et al. 2017) with N
negotiators over one issue of 101 levels, half preferring high levels and
half low, each a `TimeBasedConcedingNegotiator` with a reservation value of
0.3, for at most R rounds. One NegMAS step is one round: each negotiator in
turn answers the standing offer (accepts it, or rejects it and makes its
own). The first step also builds each negotiator's view of the outcome
space, so it is reported apart from the rest.

Prints one line of JSON: the rounds run, the seconds of the first round,
the mean seconds of the others, and the agreement (or none).

    python negmas_rounds.py --negotiators 164 --rounds 20
"""

import argparse
import json
import random
import sys
import time

from negmas import SAOMechanism, TimeBasedConcedingNegotiator, make_issue
from negmas.preferences import LinearAdditiveUtilityFunction
from negmas.preferences.value_fun import AffineFun


def mechanism(negotiators: int, rounds: int) -> SAOMechanism:
    issues = [make_issue(name="level", values=101)]
    m = SAOMechanism(issues=issues, n_steps=rounds)
    for i in range(negotiators):
        rising = i % 2 == 0
        value = AffineFun(slope=0.01 if rising else -0.01, bias=0.0 if rising else 1.0)
        ufun = LinearAdditiveUtilityFunction(
            values=[value], weights=[1.0], issues=issues, reserved_value=0.3
        )
        m.add(TimeBasedConcedingNegotiator(name=f"d{i}"), ufun=ufun)
    return m


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--negotiators", type=int, default=164)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    random.seed(0)
    m = mechanism(args.negotiators, args.rounds)
    times = []
    while True:
        start = time.perf_counter()
        state = m.step()
        times.append(time.perf_counter() - start)
        if not state.running:
            break
    rest = times[1:]
    print(
        json.dumps(
            {
                "negotiators": args.negotiators,
                "rounds": len(times),
                "first_round_s": times[0],
                "mean_round_s": sum(rest) / len(rest) if rest else times[0],
                "agreement": None if state.agreement is None else list(state.agreement),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

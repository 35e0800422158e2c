"""Plays delegations of a running class from headless Chromium.

Driven by tests/tests/classroom.rs, which starts `rappard class` and passes
the links it printed. One browser context per delegation (each with its own
token) and one for the dashboard; each person answers every call addressed
to it through the page, with a fixed choice per kind of call; the script
prints what each chose (JSON, one object per answer) for the Rust side to
find in the minutes. With --refusals it also checks that a token is
refused for another delegation's call (403), an unknown token (401), a
delegation's token for the teacher's controls (403), and that none of them
is taken.

Chromium is Debian's (`apt-get install chromium`), given by path: the
script never downloads a browser.
"""

import argparse
import json
import ssl
import sys
import time
import urllib.error
import urllib.request

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# What each person chooses, by kind of call (the minutes must show it).
CHOICES = {
    "BRA": {"positions": ("level", 0.3), "reactions": "object", "objections": "object",
            "votes": "no", "signatures": "sign", "join": "join"},
    "IND": {"positions": ("level", 0.45), "reactions": "support", "objections": "no-objection",
            "votes": "yes", "signatures": "sign", "join": "join"},
}
DEFAULT = {"positions": ("level", 0.5), "reactions": "support", "objections": "no-objection",
           "votes": "yes", "signatures": "sign", "join": "join"}


def post(url, token, body):
    """POSTs JSON with a bearer token; returns (status, body) without TLS checks
    (the negotiation's own authority signed the certificate)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def get(url, token):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def out_of_range_on_the_page(page):
    """A level beyond 0-1, entered on the page, is refused with a message
    the page shows; the call stays open for a proper answer."""
    page.fill("#level", "1.5")
    page.click('[data-choice="level"]')
    page.wait_for_function("document.getElementById('message').className !== 'pending'",
                           timeout=60000)
    text = page.locator("#message.error").inner_text()
    assert "422" in text and "not between 0 and 1" in text, text
    assert page.locator("#given").count() == 0


def answer(page, who, head):
    """Answers the call shown on a page; returns what was chosen."""
    kind = head.get_attribute("data-kind")
    shown = {
        "member": who, "call": int(head.get_attribute("data-call")), "kind": kind,
        "subject": head.get_attribute("data-subject"), "round": int(head.get_attribute("data-round")),
    }
    choice = CHOICES.get(who, DEFAULT).get(kind, DEFAULT.get(kind))
    if isinstance(choice, tuple):
        page.fill("#level", f"{choice[1]:.2f}")
        page.click('[data-choice="level"]')
        said = f"{choice[1]:.4f}"
    elif choice is None:
        page.click(".choices button >> nth=0")
        said = None
    else:
        page.click(f'[data-choice="{choice}"]')
        said = choice
    # The answer is acknowledged (the call may close at once, when it was
    # the last awaited, and the page moves on to the next call).
    page.wait_for_function("document.getElementById('message').className !== 'pending'",
                           timeout=60000)
    error = page.locator("#message.error")
    if error.count() and error.inner_text().strip():
        raise SystemExit(f"{who}: the page refused the answer: {error.inner_text()}")
    return {**shown, "choice": said}


def refusals(base, tokens, pages, checked):
    """With BRA and CHN played by people: BRA's token for CHN's
    signatures call is refused 403, an unknown token 401, BRA's token on
    the teacher's controls 403; CHN's call stays unanswered by them."""
    if checked.get("done"):
        return
    head = pages["CHN"].locator("#call-head")
    if not head.count() or head.get_attribute("data-kind") != "signatures":
        return
    call = int(head.get_attribute("data-call"))
    status, body = post(f"{base}/api/answer", tokens["BRA"],
                        {"call": call, "answer": {"kind": "signature", "sign": True}})
    assert status == 403, (status, body)
    assert "not addressed to BRA" in body["error"], body
    status, body = post(f"{base}/api/answer", "0" * 64,
                        {"call": call, "answer": {"kind": "signature", "sign": True}})
    assert status == 401, (status, body)
    status, body = post(f"{base}/api/answer", tokens["BRA"],
                        {"call": call, "member": "CHN", "answer": {"kind": "signature", "sign": True}})
    assert status == 403, (status, body)
    status, body = post(f"{base}/api/teacher/pause", tokens["BRA"], {})
    assert status == 403, (status, body)
    status, body = get(f"{base}/api/me", "f" * 64)
    assert status == 401, (status, body)
    status, me = get(f"{base}/api/me", tokens["CHN"])
    assert status == 200 and me["call"]["call"] == call and me["call"]["given"] is None, me
    status, me = get(f"{base}/api/me", tokens["BRA"])
    assert status == 200 and me["call"] is None, me
    assert "CHN" not in json.dumps(me["brief"]), me["brief"]
    checked["done"] = call
    print(f"refusals checked on call {call}", file=sys.stderr)


def wait_state(base, pred, what, within=30):
    """Polls /api/state until pred(state) holds."""
    until = time.time() + within
    while time.time() < until:
        status, state = get(f"{base}/api/state", "")
        if status == 200 and pred(state):
            return state
        time.sleep(0.1)
    raise SystemExit(f"the Secretariat's state never showed {what}: {state}")


def teacher_controls(browser, url, base, page):
    """The teacher pauses from the dashboard: the open call's deadline
    stands still and the people's pages say so; then resumes."""
    teacher = browser.new_context(ignore_https_errors=True).new_page()
    teacher.goto(url)
    wait_state(base, lambda s: s["deadline_ms"] is not None, "an open call")
    teacher.click("#pause")
    wait_state(base, lambda s: s["paused"] and s["deadline_ms"] is None, "the pause")
    page.wait_for_function("document.getElementById('status').textContent === 'paused'",
                           timeout=60000)
    teacher.click("#resume")
    wait_state(base, lambda s: not s["paused"] and s["deadline_ms"] is not None, "the resumption")
    print("teacher's pause and resume checked", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dashboard", required=True)
    ap.add_argument("--join", action="append", default=[], help="ID=URL")
    ap.add_argument("--shots", help="directory for dashboard.png and student.png")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--refusals", action="store_true")
    ap.add_argument("--teacher", help="the teacher's link: pause and resume once")
    ap.add_argument("--within", type=float, default=600)
    args = ap.parse_args()
    joins = dict(j.split("=", 1) for j in args.join)
    tokens = {who: url.split("#token=")[1] for who, url in joins.items()}
    base = args.dashboard.rstrip("/")
    chosen, checked = [], {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                    args=["--no-sandbox"])
        board = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 1000}).new_page()
        board.goto(args.dashboard)
        pages = {}
        for who, url in joins.items():
            pages[who] = browser.new_context(ignore_https_errors=True, viewport={"width": 900, "height": 1000}).new_page()
            pages[who].goto(url)
        if args.teacher:
            teacher_controls(browser, args.teacher, base, next(iter(pages.values())))
        answered, shot = set(), False
        until = time.time() + args.within
        while time.time() < until:
            closed = 0
            for who, page in pages.items():
                if page.locator("#status").inner_text() == "the negotiation is closed":
                    closed += 1
                    continue
                if args.refusals:
                    refusals(base, tokens, pages, checked)
                head = page.locator("#call-head")
                try:
                    if not head.count() or page.locator("#given").count():
                        continue
                    key = (who, head.get_attribute("data-call", timeout=2000))
                except PlaywrightError:
                    continue  # the page moved on to the next call meanwhile
                if key in answered:
                    continue
                if args.shots and not shot and who == "BRA":
                    page.screenshot(path=f"{args.shots}/student.png", full_page=True)
                    shot = True
                answered.add(key)
                probe = args.refusals and who == "BRA" and not checked.get("range") \
                    and head.get_attribute("data-kind") == "positions"
                if probe:
                    out_of_range_on_the_page(page)
                chosen.append(answer(page, who, head))
                if probe:
                    # The same call again: a second answer is refused.
                    status, body = post(f"{base}/api/answer", tokens[who],
                                        {"call": chosen[-1]["call"],
                                         "answer": {"kind": "position", "level": 0.9}})
                    assert status in (409,), (status, body)
                    checked["range"] = chosen[-1]["call"]
            if closed == len(pages):
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"the run did not end within {args.within} s")
        board.wait_for_selector("#closed", timeout=60000)
        outcomes = board.locator("#outcomes").inner_text()
        if args.shots:
            board.screenshot(path=f"{args.shots}/dashboard.png", full_page=True)
        if args.refusals:
            if not checked.get("done") or not checked.get("range"):
                raise SystemExit(f"the refusals were not all checked: {checked}")
            # A closed call: refused, with the reason.
            status, body = post(f"{base}/api/answer", tokens["BRA"],
                                {"call": checked["range"],
                                 "answer": {"kind": "position", "level": 0.5}})
            assert status == 409 and "closed" in body["error"], (status, body)
        browser.close()
    print(json.dumps({"answers": chosen, "outcomes": outcomes}))


if __name__ == "__main__":
    main()

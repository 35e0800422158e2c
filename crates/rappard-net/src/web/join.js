// A delegation's page: its brief, the call addressed to it with the
// deadline in the delegation's local time and the student's, the choices
// of that call, and its own answers. The token is in the link's fragment
// (never sent in a URL) and goes in the Authorization header.
"use strict";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const token = (location.hash.match(/token=([0-9a-f]+)/) || [])[1] || "";
let shownCall = null;
let me = null;

function message(text, ok) {
  $("message").textContent = text;
  $("message").className = ok ? "ok" : "error";
}

async function api(path, body) {
  const r = await fetch(path, {
    method: body ? "POST" : "GET",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json().catch(() => ({}));
  return { ok: r.ok, status: r.status, json };
}

function time(ms, zone) {
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" }).format(new Date(ms));
  } catch (_) { return new Date(ms).toISOString(); }
}

// The choices of each kind of call.
const objection = [["object", { kind: "objection", object: true }, "Object"], ["no-objection", { kind: "objection", object: false }, "Do not object"]];
const CHOICES = {
  positions: "level",
  "bilateral-offer": "offer",
  reactions: [["support", { kind: "reaction", reaction: "support" }, "Support"], ["reserve", { kind: "reaction", reaction: "reserve" }, "Reserve"], ["object", { kind: "reaction", reaction: "object" }, "Object"]],
  votes: [["yes", { kind: "vote", vote: "yes" }, "Yes"], ["no", { kind: "vote", vote: "no" }, "No"], ["abstain", { kind: "vote", vote: "abstain" }, "Abstain"]],
  signatures: [["sign", { kind: "signature", sign: true }, "Sign the text"], ["no-sign", { kind: "signature", sign: false }, "Do not sign"]],
  join: [["join", { kind: "join", join: true }, "Join"], ["no-join", { kind: "join", join: false }, "Stay out"]],
  "bilateral-response": [["accept", { kind: "accept", accept: true }, "Accept the offer"], ["refuse", { kind: "accept", accept: false }, "Refuse"]],
  objections: objection, "written-objections": objection, "package-objections": objection,
  "annex4-objections": objection, "certification-objections": objection,
  confessional: "range",
};
const EXPLAIN = {
  positions: "State your position on the 0–1 scale (0: least ambitious, 1: most), or a fixed stance.",
  reactions: "React to the chair's text.",
  objections: "Consensus: any Member present that formally objects blocks the decision.",
  votes: "Vote on the text.",
  signatures: "The co-chairs sign the text before it is issued.",
  join: "Join the plurilateral initiative?",
  "bilateral-offer": "Make your market-access offer (0–1).",
  "bilateral-response": "Accept the applicant's offer?",
  confessional: "In private, tell the Director-General the lowest and highest text you could accept (no other delegation sees it).",
};

async function send(call, answer) {
  $("message").textContent = "Sending…";
  $("message").className = "pending";
  const r = await api("/api/answer", { call, answer });
  if (r.ok) message(`Recorded for call ${call}: ${r.json.given}. It appears in the record when the call closes.`, true);
  else message(`Refused (${r.status}): ${r.json.error || "no reason given"}`, false);
  refresh();
}

function showChoices(c) {
  const box = document.createElement("div");
  box.className = "choices";
  const kind = CHOICES[c.kind];
  if (kind === "level" || kind === "offer") {
    const start = c.text != null ? c.text : 0.5;
    box.innerHTML = `<label>Level <input id="level" type="number" min="0" max="1" step="0.01" value="${start.toFixed(2)}"></label>
      <input id="level-range" type="range" min="0" max="1" step="0.01" value="${start.toFixed(2)}">
      <button data-choice="${kind}">${kind === "level" ? "State this position" : "Make this offer"}</button>`;
    if (kind === "level") box.innerHTML += `<br>or a stance: <button data-choice="stance-support">Support</button><button data-choice="stance-object">Object</button><button data-choice="stance-abstain">Abstain</button>`;
    box.querySelector("#level-range").oninput = (e) => { box.querySelector("#level").value = e.target.value; };
    box.querySelector("#level").oninput = (e) => { box.querySelector("#level-range").value = e.target.value; };
    box.querySelector(`[data-choice="${kind}"]`).onclick = () => {
      const x = Number(box.querySelector("#level").value);
      send(c.call, kind === "level" ? { kind: "position", level: x } : { kind: "offer", level: x });
    };
    for (const s of ["support", "object", "abstain"]) {
      const b = box.querySelector(`[data-choice="stance-${s}"]`);
      if (b) b.onclick = () => send(c.call, { kind: "position", stance: s });
    }
  } else if (kind === "range") {
    box.innerHTML = `<label>From <input id="low" type="number" min="0" max="1" step="0.01" value="0.40"></label>
      <label>to <input id="high" type="number" min="0" max="1" step="0.01" value="0.60"></label>
      <button data-choice="range">Tell the Director-General</button><button data-choice="none">No text is acceptable</button>`;
    box.querySelector('[data-choice="range"]').onclick = () => send(c.call, { kind: "confessional", low: Number(box.querySelector("#low").value), high: Number(box.querySelector("#high").value) });
    box.querySelector('[data-choice="none"]').onclick = () => send(c.call, { kind: "confessional" });
  } else {
    for (const [name, answer, label] of kind || []) {
      const b = document.createElement("button");
      b.dataset.choice = name;
      b.textContent = label;
      b.onclick = () => send(c.call, answer);
      box.appendChild(b);
    }
  }
  return box;
}

function renderCall(p) {
  const c = p.call;
  if (!c) {
    shownCall = null;
    $("call").innerHTML = p.ended ? "The negotiation is closed." : '<span class="muted">No call is addressed to you now: wait for the next one.</span>';
    return;
  }
  const zone = p.roll && p.roll.seat;
  const deadline = c.deadline_ms
    ? `Answer by <b>${esc(time(c.deadline_ms, zone))}</b> in ${esc(zone)} (your delegation's time), <b>${esc(time(c.deadline_ms))}</b> your time: <b id="left">${Math.max(0, Math.round((c.deadline_ms - Date.now()) / 1000))}</b> s left.`
    : (p.paused ? "The teacher has paused the negotiation." : "The deadline starts shortly.");
  const head = `<div id="call-head" data-call="${c.call}" data-kind="${esc(c.kind)}" data-subject="${esc(c.subject)}" data-round="${c.round}">Call <b>${c.call}</b>: <b>${esc(c.kind)}</b> on <b>${esc(c.subject)}</b>${c.title ? ` (${esc(c.title)})` : ""}, round ${c.round}${c.text != null ? `, the chair's text (version ${c.version}) at <b>${c.text.toFixed(2)}</b>` : ""}, under ${esc(c.rule)}; ${c.awaited} delegations asked.<br><span class="muted">${esc(EXPLAIN[c.kind] || "")}</span><br>${deadline}</div>`;
  if (shownCall === c.call + "/" + (c.given || "")) {
    const left = $("left");
    if (left && c.deadline_ms) left.textContent = Math.max(0, Math.round((c.deadline_ms - Date.now()) / 1000));
    else $("call").firstChild.outerHTML = head;
    return;
  }
  shownCall = c.call + "/" + (c.given || "");
  $("call").innerHTML = head;
  if (c.given) {
    $("call").insertAdjacentHTML("beforeend", `<p id="given" class="ok">You answered: <b>${esc(c.given)}</b>.</p>`);
  } else {
    $("call").appendChild(showChoices(c));
  }
}

function renderBrief(p) {
  if (!p.brief.length) { $("brief").innerHTML = '<span class="muted">No instructions: your position is yours to choose.</span>'; return; }
  const f = (x) => (x == null ? "yours to choose" : x.toFixed(2));
  $("brief").innerHTML = "<table><tr><th>Item</th><th>Your instructions</th></tr>" + p.brief.map((b) => `<tr><td><b>${esc(b.item)}</b><br><span class="muted">${esc(b.title)}</span></td><td>${b.stance ? `stance: <b>${esc(b.stance)}</b> throughout` : `ideal ${f(b.ideal)}, tolerance ${f(b.tolerance)}, concession per round ${f(b.concession)}${b.importance ? `, importance in a package ${esc(String(b.importance))}` : ""}`}</td></tr>`).join("") + "</table>";
}

function describe(a) {
  if (a.answer) return a.answer;
  const t = a.type;
  if (t === "position-stated") return a.position.level != null ? `position ${(a.position.level / 10000).toFixed(2)}` : `stance ${a.position.stance}`;
  if (t === "reaction-given") return `reaction ${a.reaction}`;
  if (t === "objection-raised") return "objected";
  if (t === "vote-cast") return `vote ${a.vote}`;
  if (t === "draft-signed") return a.signed ? "signed" : "did not sign";
  if (t === "initiative-joined") return `joined ${a.initiative}`;
  if (t === "offer-made") return `offer ${(a.offer / 10000).toFixed(2)}`;
  return t;
}

async function refresh() {
  if (!token) { message("This page needs the link with your token: ask the teacher.", false); return; }
  let r;
  try { r = await api("/api/me"); } catch (_) { $("status").textContent = "reconnecting…"; return; }
  if (!r.ok) { message(`Refused (${r.status}): ${r.json.error || ""}`, false); $("status").textContent = "not admitted"; return; }
  const p = r.json;
  me = p.member;
  document.title = `rappard: ${p.member}`;
  $("title").textContent = `${p.member}${p.roll ? ": " + p.roll.name : ""}`;
  if (p.roll) $("seat").textContent = `seated in ${p.roll.seat}, office hours ${p.roll.office_hours}; there it is ${time(Date.now(), p.roll.seat)}`;
  $("status").textContent = p.ended ? "the negotiation is closed" : p.paused ? "paused" : "live";
  renderBrief(p);
  renderCall(p);
  $("answers").innerHTML = p.answers.length ? "<table>" + p.answers.map((a) => `<tr data-answer-call="${a.call}"><td>call ${a.call}</td><td>${esc(describe(a))}</td></tr>`).join("") + "</table>" : "none yet";
  if (p.outcomes.length) $("outcomes").innerHTML = p.outcomes.map((o) => `<div><b>${esc(o.item)}</b>: <span class="${esc(o.outcome)}">${esc(o.outcome)}</span></div>`).join("");
}

refresh();
setInterval(refresh, 1000);

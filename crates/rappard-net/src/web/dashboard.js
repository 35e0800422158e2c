// The dashboard: follows the record as server-sent events (each event's id
// is its sequence number; the browser resumes from Last-Event-ID after a
// reconnect) and folds it into the panels. Plain JS, no framework.
"use strict";

const S = {
  seq: 0, now: null, scenario: "", ended: false, closed: null,
  roll: new Map(), items: new Map(), itemOrder: [], meetings: [], calls: new Map(),
  openCall: null, greenrooms: new Map(), initiatives: new Map(), accessions: new Map(),
  decisions: [], lapsed: [], log: [], days: [],
};
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const lvl = (l) => (l == null ? "–" : (l / 10000).toFixed(2));
const list = (ids, max = 12) => {
  ids = ids || [];
  if (ids.length <= max) return ids.map(esc).join(", ") || "none";
  return `${ids.slice(0, max).map(esc).join(", ")} <details style="display:inline"><summary>and ${ids.length - max} more</summary>${ids.slice(max).map(esc).join(", ")}</details>`;
};
const call = (n) => {
  if (!S.calls.has(n)) S.calls.set(n, { call: n, answers: {}, objectors: [], votes: { yes: 0, no: 0, abstain: 0 }, reactions: { support: 0, reserve: 0, object: 0 }, positions: 0, unanswered: [] });
  return S.calls.get(n);
};

function fold(e) {
  const ev = e.event;
  S.seq = e.seq; S.now = e.at;
  switch (ev.type) {
    case "negotiation-opened": S.scenario = ev.scenario; break;
    case "roll-called": for (const m of ev.members) S.roll.set(m.id, m); break;
    case "accession-completed": S.roll.set(ev.entry.id, ev.entry); break;
    case "item-listed":
      S.items.set(ev.item, { ...ev, versions: [], status: "open" }); S.itemOrder.push(ev.item); break;
    case "day-opened": S.days.push(ev); break;
    case "meeting-convened": S.meetings.push(ev); break;
    case "call-issued": Object.assign(call(ev.call), ev, { at: e.at }); S.openCall = ev.call; break;
    case "position-stated": call(ev.call).positions++; break;
    case "reaction-given": call(ev.call).reactions[ev.reaction]++; break;
    case "objection-raised": call(ev.call).objectors.push(ev.member); break;
    case "vote-cast": call(ev.call).votes[ev.vote] += ev.weight || 1; break;
    case "call-closed": call(ev.call).unanswered = ev.unanswered; call(ev.call).closed = true; if (S.openCall === ev.call) S.openCall = null; break;
    case "draft-issued": { const it = S.items.get(ev.item); if (it) it.versions.push({ version: ev.version, text: ev.text }); break; }
    case "decision-taken": { const it = S.items.get(ev.item); if (it) it.status = ev.outcome; S.decisions.push(ev); break; }
    case "item-agreed": { const it = S.items.get(ev.item); if (it && it.status === "open") it.status = "agreed"; break; }
    case "item-lapsed": { const it = S.items.get(ev.item); if (it) it.status = "lapsed"; S.lapsed.push(ev); break; }
    case "consensus-not-reached": { const it = S.items.get(ev.item); if (it) it.status = "no consensus yet"; break; }
    case "green-room-announced": S.greenrooms.set(ev.item, { item: ev.item, participants: ev.participants, agenda: ev.agenda, state: "announced" }); break;
    case "green-room-convened": Object.assign(S.greenrooms.get(ev.item) || {}, ev, { state: "convened" }); if (!S.greenrooms.has(ev.item)) S.greenrooms.set(ev.item, { ...ev, state: "convened" }); break;
    case "green-room-reported": { const g = S.greenrooms.get(ev.item) || { item: ev.item }; g.state = "reported"; g.report = ev; S.greenrooms.set(ev.item, g); break; }
    case "green-room-consulted": { const g = S.greenrooms.get(ev.item) || { item: ev.item }; g.state = "consulted"; g.consulted = ev; S.greenrooms.set(ev.item, g); break; }
    case "initiative-launched": S.initiatives.set(ev.initiative, { ...ev, status: "negotiating" }); break;
    case "initiative-joined": { const i = S.initiatives.get(ev.initiative); if (i) { i.participants = [...(i.participants || []), ev.member]; i.share += ev.share; } break; }
    case "initiative-concluded": { const i = S.initiatives.get(ev.initiative); if (i) Object.assign(i, { participants: ev.participants, share: ev.share, status: ev.status }); break; }
    case "initiative-status": { const i = S.initiatives.get(ev.initiative); if (i) i.status = ev.status; break; }
    case "accession-applied": S.accessions.set(ev.applicant, { applicant: ev.applicant, name: ev.name, stage: "working-party", bilaterals: 0 }); break;
    case "accession-stage": { const a = S.accessions.get(ev.applicant); if (a) a.stage = ev.stage; break; }
    case "bilateral-concluded": { const a = S.accessions.get(ev.applicant); if (a) a.bilaterals++; break; }
    case "negotiation-closed": S.closed = ev; break;
  }
  S.log.push(e);
  if (S.log.length > 40) S.log.shift();
}

// Office hours "HH:MM-HH:MM" local, as UTC hours, for a zone on a day.
const offsets = new Map();
function offsetHours(zone, at) {
  const key = zone + at.slice(0, 10);
  if (offsets.has(key)) return offsets.get(key);
  let off = 0;
  try {
    const d = new Date(at);
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(d).map((x) => [x.type, x.value]));
    const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
    off = Math.round((local - d.getTime()) / 60000) / 60;
  } catch (_) { off = 0; }
  offsets.set(key, off);
  return off;
}
function officeUtc(m, at) {
  const [a, b] = (m.office_hours || "09:00-18:00").split("-").map((t) => { const [h, mi] = t.split(":"); return +h + +mi / 60; });
  const off = offsetHours(m.seat, at);
  const hours = new Set();
  for (let h = 0; h < 24; h++) {
    const local = (((h + 0.5 + off) % 24) + 24) % 24;
    if (a <= b ? local >= a && local < b : local >= a || local < b) hours.add(h);
  }
  return hours;
}

function renderZones() {
  if (!S.now || S.roll.size === 0) return;
  const at = S.now;
  const hour = new Date(at).getUTCHours();
  const zones = new Map();
  for (const m of S.roll.values()) {
    if (!zones.has(m.seat)) zones.set(m.seat, []);
    zones.get(m.seat).push(m.id);
  }
  const rows = [...zones.entries()].map(([z, ids]) => ({ z, ids, off: offsetHours(z, at), on: officeUtc(S.roll.get(ids[0]), at) }));
  rows.sort((x, y) => x.off - y.off || x.z.localeCompare(y.z));
  let inOffice = 0;
  let html = "";
  for (const r of rows) {
    if (r.on.has(hour)) inOffice += r.ids.length;
    html += `<div class="label" title="${esc(r.ids.join(", "))}">${esc(r.z)} (${r.ids.length})</div>`;
    for (let h = 0; h < 24; h++) html += `<div class="${r.on.has(h) ? "on" : ""}${h === hour ? " now" : ""}"></div>`;
    html += `<div class="muted">${r.off >= 0 ? "+" : ""}${r.off}</div>`;
  }
  $("zones").innerHTML = html;
  const meeting = S.meetings[S.meetings.length - 1];
  const day = S.days[S.days.length - 1];
  const windows = day ? day.common_windows.map((w) => `${w.start.slice(11, 16)}–${w.end.slice(11, 16)}`).join(", ") || "none" : "–";
  $("zones-summary").innerHTML = `In office hours now: <b>${inOffice}</b> of ${S.roll.size} Members in ${rows.length} zones. ` +
    `Common windows on ${day ? esc(day.date) : "–"} (UTC): ${esc(windows)}. ` +
    (meeting ? `Latest session: meeting ${meeting.meeting}, ${esc(meeting.interval.start)} to ${esc(meeting.interval.end.slice(11))}.` : "");
}

function renderAgenda() {
  let html = "<table><tr><th>Item</th><th>Rule</th><th>Chair's texts (versions, 0–1)</th><th>Status</th></tr>";
  for (const id of S.itemOrder) {
    const it = S.items.get(id);
    const versions = it.versions.map((v) => `<span class="chip">v${v.version}: ${lvl(v.text)}</span>`).join("") || '<span class="muted">no text yet</span>';
    html += `<tr><td><b>${esc(id)}</b><br><span class="muted">${esc(it.title)}</span></td><td>${esc(it.rule)}${it.fallback ? ` (fallback ${esc(it.fallback)})` : ""}${it.co_chairs && it.co_chairs.length ? `<br><span class="muted">co-chairs ${list(it.co_chairs)}</span>` : ""}</td><td>${versions}</td><td class="${esc(it.status)}" data-item="${esc(id)}">${esc(it.status)}</td></tr>`;
  }
  $("agenda").innerHTML = html + "</table>";
}

function renderCall() {
  const c = S.openCall != null ? S.calls.get(S.openCall) : null;
  if (!c) { $("call").innerHTML = S.closed ? "The negotiation is closed." : '<span class="muted">none</span>'; return; }
  const answered = c.positions + c.objectors.length + c.votes.yes + c.votes.no + c.votes.abstain + c.reactions.support + c.reactions.reserve + c.reactions.object;
  $("call").innerHTML = `Call <b>${c.call}</b>: <b>${esc(c.kind)}</b> on <b>${esc(c.subject)}</b>, round ${c.round}, version ${c.version}${c.text != null ? `, text ${lvl(c.text)}` : ""}<br>` +
    `${c.awaited.length} delegations asked <details><summary>who</summary>${list(c.awaited, 1000)}</details><span class="muted">Answers are recorded when the call closes${answered ? "" : ""}.</span>`;
}

function renderCalls() {
  const closed = [...S.calls.values()].filter((c) => c.closed && c.kind !== "positions" && c.kind !== "bilateral-offer" && c.kind !== "bilateral-response").slice(-10).reverse();
  if (!closed.length) return;
  let html = "<table><tr><th>Call</th><th>Tally</th></tr>";
  for (const c of closed) {
    let tally = "";
    if (c.kind === "votes") tally = `<span class="yes">yes ${c.votes.yes}</span>, <span class="no">no ${c.votes.no}</span>, <span class="abstain">abstain ${c.votes.abstain}</span>`;
    else if (c.kind === "reactions") tally = `<span class="support">support ${c.reactions.support}</span>, <span class="reserve">reserve ${c.reactions.reserve}</span>, <span class="object">object ${c.reactions.object}</span>`;
    else tally = `<span class="${c.objectors.length ? "object" : "support"}">${c.objectors.length} objecting</span>: ${list(c.objectors)}`;
    if (c.unanswered.length) tally += `<br><span class="muted">did not answer: ${list(c.unanswered)}</span>`;
    html += `<tr><td>${c.call}: ${esc(c.kind)}<br><span class="muted">${esc(c.subject)}, round ${c.round}</span></td><td>${tally}</td></tr>`;
  }
  $("calls").innerHTML = html + "</table>";
}

function renderAttendance() {
  const last = S.meetings.slice(-8).reverse();
  if (!last.length) return;
  let html = "<table><tr><th>Meeting</th><th>Present</th><th>Absent</th></tr>";
  for (const m of last) {
    html += `<tr><td>${m.meeting} ${esc(m.kind.kind === "session" ? "session" : "on " + m.kind.item)}<br><span class="muted">${esc(m.interval.start)}</span></td><td>${m.members_present} of ${S.roll.size}</td><td>${m.absent.length} <details style="display:inline"><summary>who</summary>${list(m.absent, 1000)}</details></td></tr>`;
  }
  $("attendance").innerHTML = html + "</table>";
}

function renderGreenRooms() {
  if (!S.greenrooms.size) return;
  let html = "";
  for (const g of S.greenrooms.values()) {
    html += `<div><b>${esc(g.item)}</b>: ${esc(g.state)}; ${(g.participants || []).length} in the room <details style="display:inline"><summary>who</summary>${list(g.participants, 1000)}</details>`;
    if (g.inclusiveness) html += `<br><span class="muted">Members ${(g.inclusiveness.members_permille / 10).toFixed(1)} %, LDCs ${(g.inclusiveness.ldcs_permille / 10).toFixed(1)} %, regions ${(g.inclusiveness.regions_permille / 10).toFixed(1)} %</span>`;
    if (g.report) html += `<br>reported: text ${lvl(g.report.text)}, ${g.report.agreed ? '<span class="agreed">agreed in the room</span>' : '<span class="blocked">not agreed</span>'}`;
    if (g.observers && g.observers.length) html += `<br><span class="muted">observing, no vote: ${g.observers.map(esc).join(", ")}</span>`;
    if (g.consulted) html += `<br>all Members consulted: ${(g.consulted.objectors || []).length} object; next text ${lvl(g.consulted.next_text)}`;
    html += "</div>";
  }
  $("greenrooms").innerHTML = html;
}

function renderInitiatives() {
  if (!S.initiatives.size) return;
  let html = "";
  for (const i of S.initiatives.values()) {
    const pct = Math.min(100, (100 * i.share) / Math.max(1, i.threshold));
    html += `<div><b>${esc(i.initiative)}</b> ${esc(i.topic)}: <span class="${esc(i.status)}">${esc(i.status)}</span>, ${(i.participants || []).length} participants, share ${(i.share / 10000).toFixed(1)} % of ${(i.threshold / 10000).toFixed(1)} % needed` +
      `<div class="bar"><div style="width:${pct}%"></div></div></div>`;
  }
  $("initiatives").innerHTML = html;
}

function renderAccessions() {
  if (!S.accessions.size) return;
  $("accessions").innerHTML = "<table>" + [...S.accessions.values()].map((a) => `<tr><td><b>${esc(a.applicant)}</b> ${esc(a.name)}</td><td>${esc(a.stage)}</td><td class="muted">${a.bilaterals} bilaterals</td></tr>`).join("") + "</table>";
}

function renderOutcomes() {
  let html = S.decisions.map((d) => `<div data-decision="${esc(d.item)}"><b>${esc(d.item)}</b> v${d.version}: <span class="${esc(d.outcome)}">${esc(d.outcome)}</span> by ${esc(d.rule)}${d.votes ? ` (yes ${d.votes.yes}, no ${d.votes.no}, abstain ${d.votes.abstain})` : ""}${d.objectors.length ? `; objecting: ${list(d.objectors)}` : ""}</div>`).join("");
  html += S.lapsed.map((l) => `<div data-decision="${esc(l.item)}"><b>${esc(l.item)}</b>: <span class="lapsed">lapsed</span> <span class="muted">${esc(l.reason)}</span></div>`).join("");
  if (S.closed) html += `<div id="closed"><b>Negotiation closed</b>: ${S.closed.adopted} adopted, ${S.closed.not_adopted} not adopted.</div>`;
  if (html) $("outcomes").innerHTML = html;
}

function render() {
  pending = false;
  $("title").textContent = `rappard: ${S.scenario}`;
  $("seq").textContent = S.seq;
  $("now").textContent = S.now || "–";
  renderOutcomes(); renderCall(); renderAgenda(); renderZones(); renderAttendance(); renderCalls();
  renderGreenRooms(); renderInitiatives(); renderAccessions();
  $("log").innerHTML = S.log.slice().reverse().map((e) => `<div><span class="muted">${e.seq} ${esc(e.at)}</span> ${esc(e.event.type)}</div>`).join("");
}
let pending = false;
const schedule = () => { if (!pending) { pending = true; requestAnimationFrame(render); } };

function connect() {
  const es = new EventSource("/api/events");
  es.onopen = () => { $("status").textContent = S.closed ? "closed" : "live"; };
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.seq !== S.seq + 1) return; // already seen (a resumed stream starts after Last-Event-ID)
    fold(e);
    window.rappardLastSeq = e.seq;
    schedule();
  };
  es.addEventListener("end", () => { es.close(); S.ended = true; $("status").textContent = "the negotiation is closed"; schedule(); });
  es.onerror = () => { if (!S.ended) $("status").textContent = "reconnecting…"; };
}

// The driver's clock: paused, and the open call's deadline.
async function poll() {
  try {
    const r = await fetch("/api/state");
    const s = await r.json();
    let text = s.paused ? "paused by the teacher" : "";
    if (s.deadline_ms) text += ` call ${s.call} closes in ${Math.max(0, Math.round((s.deadline_ms - Date.now()) / 1000))} s`;
    $("clock").textContent = text;
    if (s.ended) return;
  } catch (_) { /* the next poll */ }
  setTimeout(poll, 1000);
}

// The teacher's controls, with the token in the link's fragment.
function teacher() {
  const m = location.hash.match(/teacher=([0-9a-f]+)/);
  if (!m) return;
  $("teacher").hidden = false;
  for (const action of ["pause", "resume", "advance"]) {
    $(action).onclick = async () => {
      const r = await fetch(`/api/teacher/${action}`, { method: "POST", headers: { Authorization: `Bearer ${m[1]}` } });
      const body = await r.json().catch(() => ({}));
      $("teacher-message").textContent = r.ok ? `${action}: done` : `${action}: ${body.error || r.status}`;
    };
  }
}

teacher();
connect();
poll();

// Follow the chair: when the server says "the meeting moved to item I" or "item I changed",
// put that item on the stage. The server's socket consumer sends it as this person may see
// it (roundtable/meetings/follow.py: the access policy asked for this follower, the read
// audited) — an item about a case they are not on arrives as "Item 3 – restricted to members
// of the case". When the message comes with the IDs only (the chair and administrators, whose
// stage carries controls; someone who may read a restricted entry shown), this page fetches
// the item through the ordinary permission-checked fragment view instead.
//
// Modes (data-mode on the stage):
//   follow  the meeting page and the projected screen: move with the chair;
//   pinned  the administrator's recording page for one item: keep the item, refresh it when it
//           changes, and offer a link when the chair moves on (typing is never thrown away).
// The chair's controls (forms marked data-live-control) are sent in the background; the stage
// then moves when the socket says so, like everyone else's.

const stage = document.querySelector("[data-meeting-socket]");
const status = document.querySelector("[data-live-status]");
const agenda = document.querySelector("[data-live-agenda]");
const banner = document.querySelector("[data-moved-banner]");
const statusTag = document.querySelector("[data-meeting-status]");

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
let droppedBefore = false;
let latestRequest = 0;

function announce(text) {
  if (status && text) status.textContent = text;
}

function shownItem() {
  return stage.dataset.item ? Number(stage.dataset.item) : null;
}

function fragmentUrl(itemId) {
  const base = itemId ? `${stage.dataset.itemBase}${Number(itemId)}/` : stage.dataset.stageUrl;
  return stage.dataset.controls === "1" ? `${base}?controls=1` : base;
}

function markAgenda(itemId) {
  if (!agenda) return;
  for (const entry of agenda.querySelectorAll("[data-agenda-item]")) {
    const current = Number(entry.dataset.agendaItem) === itemId;
    entry.classList.toggle("rt-live-agenda__current", current);
    if (current) entry.setAttribute("aria-current", "step");
    else entry.removeAttribute("aria-current");
  }
}

// The meeting's status tag in the page header follows the stage (planned, in session, closed).
function updateStatusTag(fragment) {
  if (!statusTag || !fragment) return;
  const tag = fragment.querySelector("[data-status-tag]");
  if (tag && statusTag.dataset.status !== fragment.dataset.status) {
    statusTag.innerHTML = tag.innerHTML;
    statusTag.dataset.status = fragment.dataset.status;
  }
}

function place(html) {
  stage.innerHTML = html;
  const fragment = stage.querySelector("[data-stage-item]");
  stage.dataset.item = fragment && fragment.dataset.stageItem ? fragment.dataset.stageItem : "";
  markAgenda(shownItem());
  updateStatusTag(fragment);
  if (fragment) announce(fragment.dataset.announce);
}

async function show(itemId) {
  const request = ++latestRequest;
  let response;
  try {
    response = await fetch(fragmentUrl(itemId), { credentials: "same-origin", headers: { "HX-Request": "true" } });
  } catch {
    return; // offline for a moment: the next message or the reconnection brings it back
  }
  if (request !== latestRequest) return; // the chair moved again meanwhile: a newer fetch wins
  if (response.status === 404) {
    stage.innerHTML = '<p class="govuk-body">You can no longer follow this meeting.</p>';
    return;
  }
  if (!response.ok) return;
  const html = await response.text();
  if (request !== latestRequest) return;
  place(html);
}

// The item as sent on the socket: shown at once (and any fetch still under way is dropped).
function showSent(html) {
  ++latestRequest;
  place(html);
}

function onMoved(itemId, html) {
  if (stage.dataset.mode === "pinned") {
    if (!banner) return;
    const elsewhere = itemId !== null && itemId !== shownItem();
    banner.hidden = !elsewhere;
    if (elsewhere) {
      const link = banner.querySelector("[data-moved-link]");
      if (link) link.href = `${stage.dataset.recordBase}${Number(itemId)}/record/`;
    }
    return;
  }
  if (typeof html === "string") showSent(html);
  else show(itemId);
}

function onChanged(itemId, html) {
  if (itemId !== shownItem()) return;
  if (typeof html === "string" && stage.dataset.mode !== "pinned") showSent(html);
  else show(itemId);
}

function connect(attempt = 0) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}${stage.dataset.meetingSocket}`);
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    stage.dataset.live = "connected";
    if (droppedBefore) {
      // Catch up on anything said while the connection was down.
      if (stage.dataset.mode === "pinned") show(shownItem());
      else show(null);
    }
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    const itemId = Number.isInteger(message.item) ? message.item : null;
    if (message.event === "meeting.moved") onMoved(itemId, message.html);
    else if (message.event === "item.changed" && itemId !== null) onChanged(itemId, message.html);
  });
  socket.addEventListener("close", () => {
    stage.dataset.live = "disconnected";
    if (opened) droppedBefore = true;
    // Back off exponentially (with jitter) so a restarted server is not stampeded.
    const next = opened ? 0 : attempt + 1;
    const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** next) * (0.5 + Math.random() / 2);
    window.setTimeout(() => connect(next), delay);
  });
}

async function sendControl(form) {
  const buttons = form.querySelectorAll("button");
  for (const button of buttons) button.disabled = true;
  let response;
  try {
    // getAttribute: the form's "action" field would shadow form.action.
    response = await fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    });
  } catch {
    form.submit(); // no background request possible: an ordinary post does the same
    return;
  }
  for (const button of buttons) button.disabled = false;
  if (response.status === 400) {
    announce(await response.text());
  } else if (!response.ok && response.status !== 204) {
    form.submit();
  }
}

if (stage && "WebSocket" in window) {
  connect();
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-live-control]");
    if (!form) return;
    event.preventDefault();
    sendControl(form);
  });
}

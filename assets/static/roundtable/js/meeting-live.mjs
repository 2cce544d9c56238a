// Follow the chair: when the server says "the meeting moved to item I" or "item I changed",
// fetch that item through the ordinary permission-checked page and put it on the stage.
// The socket never carries content, so what appears is exactly what this person may see
// (an item about a case they are not on arrives as "Item 3 – restricted to members of the case").
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
  stage.innerHTML = html;
  const fragment = stage.querySelector("[data-stage-item]");
  stage.dataset.item = fragment && fragment.dataset.stageItem ? fragment.dataset.stageItem : "";
  markAgenda(shownItem());
  if (fragment) announce(fragment.dataset.announce);
}

function onMoved(itemId) {
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
  show(itemId);
}

function onChanged(itemId) {
  if (itemId === shownItem()) show(itemId);
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
    if (message.event === "meeting.moved") onMoved(itemId);
    else if (message.event === "item.changed" && itemId !== null) onChanged(itemId);
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

// Live chronology: when the server says "entry N changed", fetch that entry through the
// ordinary permission-checked page and put it in place. The socket never carries content,
// so what appears here is exactly what this user may see when loading the page.

const timeline = document.querySelector("[data-live-socket]");
const status = document.querySelector("[data-live-status]");

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
let droppedBefore = false;

function announce(text) {
  if (status) status.textContent = text;
}

function fragmentUrl(entryId) {
  // Pass the page's filters so the server can say "not on this page" (204).
  const params = new URLSearchParams(window.location.search);
  params.delete("before");
  params.delete("after");
  const query = params.toString();
  return `${timeline.dataset.fragmentBase}${Number(entryId)}/fragment/${query ? `?${query}` : ""}`;
}

function sortKey(element) {
  const [micros, id] = (element.dataset.sort || "0-0").split("-").map(Number);
  return { micros, id };
}

function isNewer(a, b) {
  return a.micros > b.micros || (a.micros === b.micros && a.id > b.id);
}

function place(item) {
  const key = sortKey(item);
  for (const other of timeline.querySelectorAll(":scope > [data-entry]")) {
    if (isNewer(key, sortKey(other))) {
      other.before(item);
      return true;
    }
  }
  // Older than everything shown: it belongs here only if this is the last page.
  if (timeline.dataset.lastPage === "true") {
    timeline.append(item);
    return true;
  }
  return false;
}

async function refresh(entryId) {
  const existing = document.getElementById(`entry-${Number(entryId)}`);
  let response;
  try {
    response = await fetch(fragmentUrl(entryId), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    });
  } catch {
    return; // offline for a moment: the next message or a reload brings it back
  }
  if (response.status === 204 || response.status === 404) {
    // Not on this page any more (filtered out), or no longer visible to this user.
    if (existing) existing.remove();
    return;
  }
  if (!response.ok) return;
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  const item = template.content.firstElementChild;
  if (!item) return;
  if (existing) {
    existing.replaceWith(item);
    announce("An entry in the chronology has been updated.");
  } else if (timeline.dataset.firstPage === "true" && place(item)) {
    const empty = document.querySelector("[data-empty-message]");
    if (empty) empty.remove();
    announce("A new entry has been added to the chronology.");
  }
}

function connect(attempt = 0) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}${timeline.dataset.liveSocket}`);
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    timeline.dataset.live = "connected";
    if (droppedBefore) {
      announce("Live updates are back. Reload the page to see anything recorded while the connection was lost.");
    }
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.event === "entry.changed" && Number.isInteger(message.entry)) refresh(message.entry);
  });
  socket.addEventListener("close", () => {
    timeline.dataset.live = "disconnected";
    if (opened) droppedBefore = true;
    // Back off exponentially (with jitter) so a restarted server is not stampeded.
    const next = opened ? 0 : attempt + 1;
    const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** next) * (0.5 + Math.random() / 2);
    window.setTimeout(() => connect(next), delay);
  });
}

if (timeline && "WebSocket" in window) connect();

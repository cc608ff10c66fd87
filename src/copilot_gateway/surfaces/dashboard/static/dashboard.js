// The dashboard's own script: live sections refreshed by polling, and copy buttons.
// A page whose <main> has data-refresh="N" is fetched again every N seconds, and each of
// its [data-live] sections replaced by the fetched page's section of the same id.
"use strict";

function refreshEvery(seconds) {
  let refreshing = false;
  async function refresh() {
    if (refreshing || document.hidden) return;
    refreshing = true;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", redirect: "manual" });
      if (response.type === "opaqueredirect" || response.status === 401) {
        location.reload(); // the session ended: the login form
        return;
      }
      if (!response.ok) return;
      const fetched = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const section of document.querySelectorAll("[data-live]")) {
        const fresh = fetched.getElementById(section.id);
        // A section holding the focus (a form being filled in) waits for the next round.
        if (fresh && !section.contains(document.activeElement)) section.replaceWith(fresh);
      }
      document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    } finally {
      refreshing = false;
    }
  }
  setInterval(refresh, seconds * 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  const main = document.querySelector("main[data-refresh]");
  if (main) refreshEvery(Number(main.dataset.refresh));
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const text = document.getElementById(button.dataset.copy).textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      const range = document.createRange(); // no clipboard (plain http): selected instead
      range.selectNodeContents(document.getElementById(button.dataset.copy));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      button.textContent = "Selected: press Ctrl+C";
    }
  });
});

// Admin console: "Copy" buttons copy the named field's text; the fields stay selectable without script.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
});

// Forms marked data-once are sent once: a second click while the first is on its way does nothing (the server
// also refuses to run the same import twice).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-once]");
  if (!form) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  for (const button of form.querySelectorAll("button[type=submit]")) {
    if (button.dataset.busy) button.textContent = button.dataset.busy;
    button.setAttribute("aria-disabled", "true");
    button.classList.add("busy");
  }
});

// A running import's page follows its progress, then shows its report.
const progress = document.querySelector("[data-progress-url]");
if (progress) {
  const bar = progress.querySelector("progress");
  const done = progress.querySelector("[data-done]");
  const percent = progress.querySelector("[data-percent]");
  const poll = async () => {
    try {
      const answer = await fetch(progress.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (answer.ok) {
        const state = await answer.json();
        bar.value = state.percent;
        bar.textContent = `${state.percent}%`;
        done.textContent = state.done;
        percent.textContent = state.percent;
        if (!state.running) {
          window.location.reload();
          return;
        }
      }
    } catch {
      // A dropped request: the next poll tries again.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}

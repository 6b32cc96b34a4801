// The archive page: the button that makes the next issue (bulletin-print new).
"use strict";
(function () {
  const token = document.querySelector('meta[name="token"]').content;
  const form = document.getElementById("new-issue");
  const message = document.getElementById("new-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "正在新建……";
    const body = { date: form.date.value, edition: form.edition.value };
    const response = await fetch("/api/new", {
      method: "POST", headers: { "Content-Type": "application/json", "X-Bulletin-Token": token },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) { message.textContent = answer.error; message.className = "message bad"; return; }
    location.href = "/edit?file=" + encodeURIComponent(answer.file);
  });
})();

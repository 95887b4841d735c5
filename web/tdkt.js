// tdkt: workbooks dropped on an upload box are sent one by one, and each
// file's answer (its problems by sheet and cell) appears as it is judged.
// Without JavaScript the same forms post and answer with a whole page.
"use strict";

function answerOf(text) {
  const page = new DOMParser().parseFromString(text, "text/html");
  const main = page.querySelector("main");
  return main ? main.innerHTML : page.body.innerHTML;
}

async function sendOne(form, file, results) {
  const row = document.createElement("section");
  row.className = "outcome sending";
  row.textContent = "Đang gửi và xét " + file.name + " …";
  results.prepend(row);
  const data = new FormData();
  data.append("file", file, file.name);
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": form.dataset.csrf },
    });
    const text = await response.text();
    const type = response.headers.get("content-type") || "";
    if (type.startsWith("text/html")) {
      const holder = document.createElement("div");
      holder.innerHTML = answerOf(text);
      row.replaceWith(...holder.childNodes);
    } else {
      row.className = "outcome refused";
      row.textContent = file.name + ": " + text;
    }
  } catch (error) {
    row.className = "outcome refused";
    row.textContent = "Không gửi được " + file.name + ": mất kết nối tới máy chủ.";
  }
}

async function sendAll(form, files) {
  const results = document.getElementById(form.dataset.drop);
  for (const file of Array.from(files)) {
    await sendOne(form, file, results);
  }
  const refresh = form.dataset.refresh;
  if (refresh && window.htmx) {
    htmx.ajax("GET", window.location.pathname, { target: refresh, select: refresh, swap: "outerHTML" });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.body.classList.remove("no-js");
  for (const form of document.querySelectorAll("form[data-drop]")) {
    const input = form.querySelector("input[type=file]");
    form.addEventListener("dragover", (event) => {
      event.preventDefault();
      form.classList.add("over");
    });
    form.addEventListener("dragleave", () => form.classList.remove("over"));
    form.addEventListener("drop", (event) => {
      event.preventDefault();
      form.classList.remove("over");
      sendAll(form, event.dataTransfer.files);
    });
    input.addEventListener("change", () => {
      if (input.files.length > 0) {
        sendAll(form, input.files).then(() => { input.value = ""; });
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (input.files.length === 0) {
        input.click();
        return;
      }
      sendAll(form, input.files).then(() => { input.value = ""; });
    });
  }
});

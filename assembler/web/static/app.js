// assembler: closings rows (add, remove, payment per closing, running total) and the variants progress.
"use strict";

function decimal(text) {
  const t = String(text || "").trim().replace(/^\$/, "").replace(/,/g, "");
  return /^\d*(\.\d+)?$/.test(t) && t !== "" ? Number(t) : null;
}

function money(n) {
  return "$" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function renumber(fieldset) {
  const rows = fieldset.querySelectorAll("tbody tr.row");
  rows.forEach((row, i) => {
    row.querySelector(".rownum").textContent = String(i + 1);
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach((el) => {
      for (const attr of ["name", "id", "for", "aria-describedby"]) {
        const v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/\[\d+\]/g, "[" + (i + 1) + "]"));
      }
    });
    const remove = row.querySelector(".remove-row");
    if (remove) remove.setAttribute("aria-label", "Remove row " + (i + 1));
  });
}

function closingsTotals() {
  const fs = document.querySelector('[data-rows="closings"]');
  if (!fs) return;
  const price = decimal((document.querySelector('[name="purchase.price_per_share"]') || {}).value);
  const wanted = decimal((document.querySelector('[name="purchase.shares"]') || {}).value);
  let shares = 0, paid = 0, known = price !== null;
  fs.querySelectorAll("tbody tr.row").forEach((row) => {
    const input = row.querySelector('[name$=".shares"]');
    const n = decimal(input && input.value);
    if (n !== null) shares += n;
    const pay = row.querySelector(".payment");
    if (price !== null && n !== null) { paid += price * n; pay.textContent = money(price * n); }
    else { pay.textContent = "–"; known = false; }
    row.querySelector(".running").textContent = shares.toLocaleString("en-US");
  });
  fs.querySelector(".total-payment").textContent = known ? money(paid) : "–";
  fs.querySelector(".total-shares").textContent = shares.toLocaleString("en-US") + (wanted !== null ? " of " + wanted.toLocaleString("en-US") : "");
  const check = fs.querySelector(".closing-check");
  if (wanted !== null) {
    const ok = shares === wanted;
    check.textContent = ok ? "The closings add up to the shares purchased." :
      "The closings add up to " + shares.toLocaleString("en-US") + " shares; the purchase is " + wanted.toLocaleString("en-US") + ".";
    check.className = "help closing-check " + (ok ? "good" : "bad");
  }
}

document.addEventListener("click", (event) => {
  const add = event.target.closest(".add-row");
  const remove = event.target.closest(".remove-row");
  if (add) {
    const fs = add.closest("[data-rows]");
    const row = fs.querySelector("template.row-template").content.firstElementChild.cloneNode(true);
    fs.querySelector("tbody").appendChild(row);
    renumber(fs);
    closingsTotals();
    const first = row.querySelector("input");
    if (first) first.focus();
  } else if (remove) {
    const fs = remove.closest("[data-rows]");
    remove.closest("tr").remove();
    renumber(fs);
    closingsTotals();
    fs.querySelector(".add-row").focus();
  }
});

document.addEventListener("input", (event) => {
  if (event.target.closest("form.termsheet")) closingsTotals();
});

function pollJob() {
  const section = document.getElementById("job");
  if (!section || section.dataset.finished === "yes") return;
  fetch("/variants/" + section.dataset.job + ".json", { credentials: "same-origin" })
    .then((r) => r.json())
    .then((state) => {
      const bar = document.getElementById("job-progress");
      bar.max = state.total || 1;
      bar.value = state.done;
      document.getElementById("job-count").textContent = state.done + " of " + state.total + " done";
      const log = document.getElementById("job-lines");
      log.replaceChildren(...state.lines.map((l) => { const li = document.createElement("li"); li.textContent = l; return li; }));
      if (state.finished) window.location.reload();
      else setTimeout(pollJob, 400);
    })
    .catch(() => setTimeout(pollJob, 1500));
}

document.addEventListener("DOMContentLoaded", () => {
  closingsTotals();
  pollJob();
});

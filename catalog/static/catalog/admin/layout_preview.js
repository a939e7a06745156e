// A screen's layout, edited as rows of fields and drawn as it changes.
//
// The layout field (JSON) stays the one value the form saves, and stays editable
// for power users: the row fields write it, and editing it rebuilds the row fields.
// The drawing shows rows front (the screen) to back, one square per place;
// blocked places hatched, other tiers outlined.
(function () {
  "use strict";

  function parse(text) {
    try {
      const rows = JSON.parse(text);
      return Array.isArray(rows) ? rows : null;
    } catch (error) {
      return null;
    }
  }

  function draw(rows, target) {
    if (rows === null) {
      target.textContent = "The layout is not a valid list of rows yet.";
      return;
    }
    const grid = document.createElement("div");
    grid.className = "seat-grid";
    const front = document.createElement("div");
    front.className = "seat-grid-screen";
    front.textContent = "Screen";
    grid.appendChild(front);
    let seats = 0;
    rows.forEach(function (row) {
      const line = document.createElement("div");
      line.className = "seat-grid-row";
      const label = document.createElement("span");
      label.className = "seat-grid-label";
      label.textContent = row.row || "?";
      line.appendChild(label);
      const blocked = new Set(row.blocked || []);
      const wheelchair = new Set(row.wheelchair || []);
      const companion = new Set(row.companion || []);
      const tier = row.tier || "standard";
      for (let place = 1; place <= Math.min(Number(row.seats) || 0, 100); place++) {
        const seat = document.createElement("span");
        const isBlocked = blocked.has(place);
        const kind = wheelchair.has(place) ? "wheelchair" : companion.has(place) ? "companion" : "";
        seat.className = "seat " + (isBlocked ? "blocked" : "seat") + " tier-" + tier + (kind ? " kind-" + kind : "");
        seat.title = (row.row || "?") + place + (isBlocked ? " (blocked)" : "") + (kind ? " (" + kind + ")" : "") +
          (tier !== "standard" ? " (" + tier + ")" : "");
        if (!isBlocked) seats++;
        line.appendChild(seat);
      }
      grid.appendChild(line);
    });
    grid.setAttribute("role", "img");
    grid.setAttribute("aria-label", rows.length + " rows, " + seats + " seats");
    target.replaceChildren(grid);
  }

  function input(value, name, labelText, type) {
    const element = document.createElement("input");
    element.type = type || "text";
    element.value = value;
    element.dataset.name = name;
    element.setAttribute("aria-label", labelText);
    element.size = ["blocked", "wheelchair", "companion"].includes(name) ? 10 : 6;
    return element;
  }

  function rowsFromEditor(editor) {
    return Array.from(editor.querySelectorAll("tbody tr")).map(function (line) {
      const value = function (name) { return line.querySelector("[data-name=" + name + "]").value.trim(); };
      const row = { row: value("row").toUpperCase(), seats: Number(value("seats")) || 0 };
      ["blocked", "wheelchair", "companion"].forEach(function (name) {
        const places = value(name).split(/[\s,]+/).filter(Boolean).map(Number);
        if (places.length) row[name] = places;
      });
      if (value("tier") && value("tier") !== "standard") row.tier = value("tier");
      return row;
    });
  }

  function buildEditor(rows, editor, onChange) {
    const body = editor.querySelector("tbody");
    body.replaceChildren();
    (rows || []).forEach(function (row, index) { body.appendChild(line(row, index)); });
    function line(row, index) {
      const tr = document.createElement("tr");
      const name = "Row " + (index + 1);
      [
        input(row.row || "", "row", name + ": label"),
        input(row.seats || 0, "seats", name + ": places", "number"),
        input((row.blocked || []).join(", "), "blocked", name + ": blocked places"),
        input(row.tier || "standard", "tier", name + ": tier"),
        input((row.wheelchair || []).join(", "), "wheelchair", name + ": wheelchair spaces"),
        input((row.companion || []).join(", "), "companion", name + ": companion seats"),
      ].forEach(function (field) {
        const td = document.createElement("td");
        td.appendChild(field);
        tr.appendChild(td);
      });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + name.toLowerCase());
      remove.addEventListener("click", function () { tr.remove(); onChange(); });
      const td = document.createElement("td");
      td.appendChild(remove);
      tr.appendChild(td);
      return tr;
    }
    editor.line = line;
  }

  document.addEventListener("DOMContentLoaded", function () {
    const field = document.getElementById("id_layout");
    const target = document.getElementById("layout-preview");
    const editor = document.getElementById("layout-rows");
    if (!field || !target) return;
    function fromRows() {
      const rows = rowsFromEditor(editor);
      field.value = JSON.stringify(rows);
      draw(rows, target);
    }
    function fromJson() {
      const rows = parse(field.value);
      if (rows !== null && editor) buildEditor(rows, editor, fromRows);
      draw(rows, target);
    }
    if (editor) {
      editor.hidden = false;
      editor.addEventListener("input", fromRows);
      editor.querySelector(".add-layout-row").addEventListener("click", function () {
        const body = editor.querySelector("tbody");
        const rows = rowsFromEditor(editor);
        const last = rows[rows.length - 1];
        const next = last && /^[A-Y]$/.test(last.row) ? String.fromCharCode(last.row.charCodeAt(0) + 1) : "";
        body.appendChild(editor.line({ row: next, seats: last ? last.seats : 10 }, rows.length));
        fromRows();
      });
    }
    field.addEventListener("input", fromJson);
    fromJson();
  });
})();

// The screen's layout drawn from the layout field as it is edited: rows front (the
// screen) to back, each place a square; blocked places hatched, other tiers outlined.
// Drawn from the field's JSON, so what is drawn is what would be saved.
(function () {
  "use strict";
  function draw(field, target) {
    let rows;
    try {
      rows = JSON.parse(field.value);
    } catch (error) {
      target.textContent = "The layout is not valid JSON yet.";
      return;
    }
    if (!Array.isArray(rows)) {
      target.textContent = "The layout must be a list of rows.";
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
      const tier = row.tier || "standard";
      for (let place = 1; place <= (Number(row.seats) || 0) && place <= 100; place++) {
        const seat = document.createElement("span");
        const isBlocked = blocked.has(place);
        seat.className = "seat " + (isBlocked ? "blocked" : "seat") + " tier-" + tier;
        seat.title = (row.row || "?") + place + (isBlocked ? " (blocked)" : "") + (tier !== "standard" ? " (" + tier + ")" : "");
        if (!isBlocked) seats++;
        line.appendChild(seat);
      }
      grid.appendChild(line);
    });
    grid.setAttribute("role", "img");
    grid.setAttribute("aria-label", rows.length + " rows, " + seats + " seats");
    target.replaceChildren(grid);
  }
  document.addEventListener("DOMContentLoaded", function () {
    const field = document.getElementById("id_layout");
    const target = document.getElementById("layout-preview");
    if (!field || !target) return;
    draw(field, target);
    field.addEventListener("input", function () { draw(field, target); });
  });
})();

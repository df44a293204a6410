(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var select = document.getElementById("filter");
  var shown = document.getElementById("shown");
  function has(el, want) {
    return !want || JSON.parse(el.getAttribute("data-outlets")).indexOf(want) >= 0;
  }
  function apply() {
    var want = select.value, n = 0, i;
    var items = document.querySelectorAll("[data-outlets]");
    for (i = 0; i < items.length; i++) {
      var ok = has(items[i], want);
      items[i].classList.toggle("hidden", !ok);
      if (ok && items[i].classList.contains("cluster")) n++;
    }
    var cells = document.querySelectorAll("#heatmap [data-from]");
    for (i = 0; i < cells.length; i++) {
      var mine = !want || cells[i].getAttribute("data-from") === want ||
        cells[i].getAttribute("data-to") === want;
      cells[i].classList.toggle("dim", !mine);
    }
    var rows = document.querySelectorAll("#framing tr[data-label]");
    for (i = 0; i < rows.length; i++) {
      var flags = rows[i].querySelector(".flags");
      var byOutlet = data.framing[rows[i].getAttribute("data-label")] || {};
      flags.textContent = want ? String(byOutlet[want] || 0) : flags.getAttribute("data-all");
      var corpus = rows[i].querySelectorAll(".corpus");
      for (var k = 0; k < corpus.length; k++) corpus[k].classList.toggle("dim", !!want);
    }
    var note = document.getElementById("framing-note");
    if (note) note.textContent = want ? "flags: sentences flagged in documents of " + want +
      "; the other columns are for the whole corpus" : "";
    var docs = want ? (data.outlet_documents[want] || 0) + " of " + data.documents +
      " documents in this outlet; " : "";
    shown.textContent = docs + n + " of " + data.clusters + " clusters shown";
  }
  function member(m) {
    var box = document.createElement("div");
    box.className = "member";
    var meta = document.createElement("div");
    meta.className = m.source ? "meta src" : "meta";
    if (m.url) {
      var a = document.createElement("a");
      a.href = m.url;
      a.rel = "noopener noreferrer nofollow";
      a.textContent = m.doc;
      meta.appendChild(a);
    } else {
      meta.textContent = m.doc;
    }
    var where = document.createElement("div");
    where.textContent = m.outlet + " · " + m.date + " · chars " + m.span;
    var body = document.createElement("div");
    body.className = "body";
    var mark = document.createElement("mark");
    mark.textContent = m.text;
    body.appendChild(mark);
    box.appendChild(meta);
    box.appendChild(where);
    box.appendChild(body);
    return box;
  }
  var buttons = document.querySelectorAll("button.show-more");
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener("click", function (event) {
      var button = event.currentTarget, id = button.getAttribute("data-cluster");
      var list = document.getElementById("members-" + id);
      var more = data.more[id] || [];
      for (var j = 0; j < more.length; j++) list.appendChild(member(more[j]));
      button.parentNode.removeChild(button);
    });
  }
  select.addEventListener("change", apply);
  apply();
})();

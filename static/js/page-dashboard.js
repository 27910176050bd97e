// Dashboard niceties; everything also works without this file.
document.addEventListener("submit", function (event) {
  var question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
// While an update from TikTok runs, reload to show its result (unless the
// creator is typing).
if (document.querySelector(".sync-busy")) {
  setTimeout(function () {
    var active = document.activeElement;
    if (!active || !/INPUT|TEXTAREA|SELECT/.test(active.tagName)) location.reload();
  }, 5000);
}
// Schedules are typed in the creator's own time zone: tell the server which.
(function () {
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* UTC */ }
  if (!zone) return;
  // A form with times already in it keeps the zone they are shown in; an
  // empty one takes the browser's, and says so.
  document.querySelectorAll("input[name=tz]").forEach(function (input) {
    var filled = Array.prototype.some.call(
      input.form.querySelectorAll("input[type=datetime-local]"),
      function (field) { return field.value; });
    if (filled) return;
    input.value = zone;
    input.form.querySelectorAll("[data-zone]").forEach(function (name) { name.textContent = zone; });
  });
})();
// Share: copy the page's address.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.dataset.copy);
  var status = document.getElementById("copy-status");
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = "Copied: " + field.value;
    }, function () {
      field.select();
      status.textContent = "Select the address above and copy it.";
    });
  });
});
// Links: drag a link's handle to move it, or use the arrow keys on the
// handle; the new order is saved at once. The arrows in each link's menu
// keep working without this.
(function () {
  var list = document.querySelector("ol[data-reorder]");
  if (!list || list.children.length < 2) return;
  var status = document.getElementById("reorder-status");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  function title(item) { return item.querySelector(".dl-title").textContent; }
  function save(item) {
    var order = Array.prototype.map.call(list.children, function (li) { return li.dataset.id; });
    var body = new FormData();
    body.append("order", order.join(","));
    fetch(list.dataset.reorder, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token.value, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      var place = order.indexOf(item.dataset.id) + 1;
      status.textContent = "Saved: “" + title(item) + "” is now number " + place + " of " + order.length + ".";
      list.dataset.saved = String(Number(list.dataset.saved || 0) + 1);
    }).catch(function () {
      status.textContent = "The new order could not be saved. Reload the page and try again.";
    });
  }
  Array.prototype.forEach.call(list.children, function (item) {
    var grip = document.createElement("button");
    grip.type = "button";
    grip.className = "dl-grip";
    grip.textContent = "⠿";
    grip.setAttribute("aria-label", "Move “" + title(item) + "” (arrow keys or drag)");
    item.insertBefore(grip, item.firstChild);
    grip.addEventListener("keydown", function (event) {
      var other = event.key === "ArrowUp" ? item.previousElementSibling
        : event.key === "ArrowDown" ? item.nextElementSibling : null;
      if (!other) return;
      event.preventDefault();
      list.insertBefore(item, event.key === "ArrowUp" ? other : other.nextElementSibling);
      grip.focus();
      save(item);
    });
    grip.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      var start = Array.prototype.indexOf.call(list.children, item);
      item.classList.add("dl-dragging");
      // Listen on the document: moving the item in the list ends any
      // pointer capture, and the pointer may leave the handle.
      function move(e) {
        var target = document.elementFromPoint(e.clientX, e.clientY);
        var over = target && target.closest("ol[data-reorder] > li");
        if (!over || over === item || over.parentNode !== list) return;
        var box = over.getBoundingClientRect();
        list.insertBefore(item, e.clientY < box.top + box.height / 2 ? over : over.nextElementSibling);
      }
      function end() {
        item.classList.remove("dl-dragging");
        document.removeEventListener("pointermove", move);
        document.removeEventListener("pointerup", end);
        document.removeEventListener("pointercancel", end);
        if (Array.prototype.indexOf.call(list.children, item) !== start) save(item);
      }
      document.addEventListener("pointermove", move);
      document.addEventListener("pointerup", end);
      document.addEventListener("pointercancel", end);
    });
  });
})();

// Dashboard niceties; everything also works without this file.
document.addEventListener("submit", function (event) {
  var question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("change", function (event) {
  var preview = document.getElementById("preview");
  var input = event.target;
  if (!preview || input.type !== "radio") return;
  var prefix = input.name === "theme" ? "theme-" : input.name === "button_style" ? "btn-" : null;
  if (!prefix) return;
  preview.className = preview.className.split(" ").filter(function (c) {
    return c.indexOf(prefix) !== 0;
  }).concat(prefix + input.value).join(" ");
});

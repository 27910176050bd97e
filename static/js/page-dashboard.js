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

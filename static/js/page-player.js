// Click to play: the TikTok player (and its cookies) loads only when asked.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-player]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  // Counts the play (no cookie, nothing but the request itself).
  if (link.dataset.play && navigator.sendBeacon) navigator.sendBeacon(link.dataset.play);
  var frame = document.createElement("iframe");
  frame.src = link.dataset.player + "?autoplay=1";
  frame.title = link.getAttribute("aria-label");
  frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
  frame.className = "pf-frame";
  link.replaceWith(frame);
  frame.focus();
});

// The Appearance preview follows the form while the creator changes it.
// Without this file the preview shows the page as last saved.
(function () {
  var form = document.getElementById("appearance");
  var frame = document.getElementById("preview");
  if (!form || !frame) return;
  var timer = null;
  var loading = null;
  var mode = "";
  var modes = document.getElementById("preview-modes");
  if (modes) {
    modes.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-mode]");
      if (!link) return;
      event.preventDefault();
      mode = link.dataset.mode;
      update();
    });
  }
  // The next preview loads in a hidden frame and takes the shown one's place
  // once it has loaded: the preview never flashes white between two looks.
  function update() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    if (mode) params.set("preview_mode", mode);
    if (loading) loading.remove();
    var next = frame.cloneNode(false);
    next.removeAttribute("id");
    next.hidden = true;
    next.setAttribute("aria-hidden", "true");
    next.addEventListener("load", function () {
      if (loading !== next) return;
      loading = null;
      next.hidden = false;
      next.removeAttribute("aria-hidden");
      frame.remove();
      next.id = "preview";
      frame = next;
    });
    loading = next;
    next.src = frame.dataset.src + "?" + params.toString();
    frame.after(next);
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    var input = event.target;
    // Without colours of their own, the pickers show the chosen theme's.
    if (input.name === "theme" && !form.elements.custom_colours.checked) {
      form.elements.background_color.value = input.dataset.bg;
      form.elements.accent_color.value = input.dataset.accent;
    }
    // Touching a picker means using it.
    if (input.type === "color") form.elements.custom_colours.checked = true;
    later();
  });
  // After a refused save the form holds choices the saved page does not show.
  if (form.querySelector(".errorlist")) update();
})();

// The Appearance preview follows the form while the creator changes it.
// Without this file the preview shows the page as last saved.
(function () {
  var form = document.getElementById("appearance");
  var frame = document.getElementById("preview");
  if (!form || !frame) return;
  var timer = null;
  function update() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    frame.src = frame.dataset.src + "?" + params.toString();
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

// The header's links fold into a menu on narrow screens. The button only appears with
// JavaScript; without it the links stay visible below the title.
(function () {
  "use strict";
  var toggle = document.querySelector(".site-menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!toggle || !menu) { return; }
  toggle.hidden = false;
  document.documentElement.classList.add("has-menu-script");
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("site-menu--open", open);
  }
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();

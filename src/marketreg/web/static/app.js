// Small page behaviours (kept out of inline handlers so the CSP can forbid inline script).
document.addEventListener('DOMContentLoaded', function () {
  var toggle = document.querySelector('.nav-toggle');
  // One open menu at a time; a click elsewhere closes it.
  var menus = document.querySelectorAll('details.menu');
  menus.forEach(function (menu) {
    menu.addEventListener('toggle', function () {
      if (menu.open) menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
  });
  document.addEventListener('click', function (event) {
    menus.forEach(function (menu) { if (!menu.contains(event.target)) menu.open = false; });
  });
  if (toggle) toggle.addEventListener('click', function () { document.body.classList.toggle('nav-open'); });
});

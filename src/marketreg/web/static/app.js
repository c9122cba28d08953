// Small page behaviours (kept out of inline handlers so the CSP can forbid inline script).
document.addEventListener('DOMContentLoaded', function () {
  var toggle = document.querySelector('.nav-toggle');
  if (toggle) toggle.addEventListener('click', function () { document.body.classList.toggle('nav-open'); });
});

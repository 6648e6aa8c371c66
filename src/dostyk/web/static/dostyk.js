/*
 * Dostyk's one script of its own. Every form carries its CSRF token as a hidden field; requests
 * made by htmx carry it as the X-CSRF-Token header instead, read from the page's
 * <meta name="csrf-token">, so a request without the token is refused wherever it comes from.
 */
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});

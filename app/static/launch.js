// The launch page: post the signed form to T-book as soon as T-book's launch host answers.
//
// LTI 1.1 posts the form from the browser straight to T-book, so the gateway never sees a failed connection: only
// this page can. It asks the host first (an opaque no-cors request: any answer will do) and posts at once when it
// answers, which costs one round trip. When the connection fails, or nothing answers within the wait, the page
// says so instead of leaving the learner on the browser's own error, and an automatic link offers T-book's single
// sign-on. Without scripts, the visible button posts the form.
(function () {
  var form = document.getElementById("launch-form");
  var probe = form.getAttribute("data-probe");
  var wait = parseInt(form.getAttribute("data-wait") || "4000", 10);
  if (!probe || !window.fetch || !window.AbortController) {
    form.submit();
    return;
  }
  var controller = new AbortController();
  var timer = setTimeout(function () { controller.abort(); }, wait);
  fetch(probe, {
    mode: "no-cors", cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer", signal: controller.signal
  }).then(function () {
    clearTimeout(timer);
    form.submit();
  }, function () {
    clearTimeout(timer);
    document.getElementById("launch-waiting").hidden = true;
    var notice = document.getElementById("launch-unreachable");
    notice.hidden = false;
    notice.focus();
  });
})();

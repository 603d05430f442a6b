(function () {
  var btn = document.getElementById('copy'), code = document.getElementById('handle'), status = document.getElementById('copy-status');
  if (!btn || !code) { return; }
  btn.hidden = false;
  function copied(text) { btn.setAttribute('data-copied', text); status.textContent = 'Copied ' + text; }
  function fallback(text) {
    // No clipboard API (or no permission): select the handle, try the old
    // way, and otherwise leave it selected for the keyboard.
    var range = document.createRange(), sel = window.getSelection();
    range.selectNodeContents(code); sel.removeAllRanges(); sel.addRange(range);
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    if (ok) { copied(text); } else { status.textContent = 'Selected: press Ctrl+C (or \u2318C) to copy.'; }
  }
  btn.addEventListener('click', function () {
    var text = code.textContent;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { copied(text); }, function () { fallback(text); });
    } else { fallback(text); }
  });
})();

// The donation form's small helpers; the form works the same without them.
//  - typing an amount of one's own selects "other"; choosing a preset clears what was typed;
//  - the fee cover's line shows what it adds for the amount chosen (0.6%, rounded up to the fen,
//    as the server computes it: feeCover() in donations.service.ts);
//  - after a refused submit, the focus goes to the first field with a problem;
//  - ticking "monthly" chooses the card (only cards take monthly gifts); the server says so too.
(function () {
  'use strict';
  var form = document.getElementById('donate-form');
  if (!form) return;
  var other = document.getElementById('f-otherAmount');
  var otherChoice = form.querySelector('input[name="amount"][value="other"]');
  var feeAmount = document.getElementById('fee-amount');
  var bp = Number(form.getAttribute('data-fee-bp')) || 0;
  var currency = form.getAttribute('data-currency') || 'CNY';
  var feeLine = form.getAttribute('data-fee-line') || '';

  function chosenText() {
    var checked = form.querySelector('input[name="amount"]:checked');
    if (!checked) return '';
    return checked.value === 'other' ? (other ? other.value : '') : checked.value;
  }

  function minorOf(text) {
    var match = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
    if (!match) return null;
    return Number(match[1]) * 100 + Number(((match[2] || '') + '00').slice(0, 2));
  }

  function money(minor) {
    var whole = String(Math.floor(minor / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    var cents = String(minor % 100).padStart(2, '0');
    return (currency === 'CNY' ? '¥' : currency + ' ') + whole + '.' + cents;
  }

  function showFee() {
    if (!feeAmount) return;
    var minor = minorOf(chosenText());
    feeAmount.textContent =
      minor && minor > 0 && bp > 0
        ? feeLine.replace('__AMOUNT__', money(Math.ceil((minor * bp) / 10000)))
        : '';
  }

  if (other && otherChoice) {
    other.addEventListener('input', function () {
      if (other.value.trim() !== '') otherChoice.checked = true;
      showFee();
    });
  }
  var card = document.getElementById('f-method-stripe');
  form.addEventListener('change', function (event) {
    var target = event.target;
    if (target && target.name === 'amount' && target.value !== 'other' && other) {
      other.value = '';
    }
    if (target && target.name === 'monthly' && target.checked && card) card.checked = true;
    showFee();
  });
  showFee();

  // After the page's own scroll to #give (the form's address ends in it), or the browser would
  // take the focus back to the start of the page.
  function focusFirstProblem() {
    var summary = document.getElementById('error-summary');
    if (!summary) return;
    var first = form.querySelector('[aria-invalid="true"]');
    if (first && first.name === 'amount') {
      var picked = form.querySelector('input[name="amount"]:checked');
      first = picked && picked.value === 'other' && other ? other : picked || first;
    }
    (first || summary).focus();
  }
  if (document.readyState === 'complete') focusFirstProblem();
  else window.addEventListener('load', focusFirstProblem);
})();

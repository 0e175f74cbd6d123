// WeChat Pay inside WeChat (JSAPI): opens WeChat's pay sheet with the parameters the server got
// for this gift (getBrandWCPayRequest), then goes to the thank-you page, which confirms the
// payment from WeChat Pay's own notification. Outside WeChat there is no pay sheet: say so.
(function () {
  'use strict';
  var box = document.getElementById('pay-jsapi');
  if (!box) return;
  var button = document.getElementById('pay-jsapi-button');
  var invoke;
  try {
    invoke = JSON.parse(box.getAttribute('data-invoke') || '{}');
  } catch {
    return;
  }
  var thanks = box.getAttribute('data-thanks') || '/';

  function show(id) {
    var el = document.getElementById(id);
    if (el) el.hidden = false;
  }

  function pay() {
    var bridge = window.WeixinJSBridge;
    if (!bridge || typeof bridge.invoke !== 'function') {
      show('pay-jsapi-outside');
      return;
    }
    bridge.invoke('getBrandWCPayRequest', invoke, function (res) {
      if (res && res.err_msg === 'get_brand_wcpay_request:ok') {
        window.location.href = thanks;
      } else {
        show('pay-jsapi-again');
      }
    });
  }

  if (button) button.addEventListener('click', pay);
  if (window.WeixinJSBridge) {
    pay();
  } else {
    document.addEventListener('WeixinJSBridgeReady', pay, false);
  }
})();

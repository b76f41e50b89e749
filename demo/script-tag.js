// The script-tag page's own code: a plain (non-module) script, kept in a file so that the page
// runs under a Content-Security-Policy without 'unsafe-inline', as a shop's page should.
// In a real shop these values are written into the HTML: the merchant ID from Seller Central,
// the payload and signature from GMO-PG's shop admin. The demo asks its server for them.
void fetch('/demo/config')
  .then(function (r) {
    return r.json();
  })
  .then(function (c) {
    var apb = document.getElementById('apb');
    var standard = document.getElementById('standard');
    apb.setAttribute('public-key-id', c.publicKeyId);
    apb.setAttribute('merchant-id', c.merchantId);
    standard.setAttribute('public-key-id', c.publicKeyId);
    standard.payloadJson = c.onetime.payloadJSON;
    standard.signature = c.onetime.signature;
    standard.setAttribute('merchant-id', c.merchantId);
    if (c.scriptSrc === null) {
      apb.removeAttribute('script-src');
      standard.removeAttribute('script-src');
    }
  });
var log = document.getElementById('log');
['amazon-pay-ready', 'amazon-pay-redirect', 'amazon-pay-error'].forEach(function (type) {
  document.addEventListener(type, function (e) {
    log.textContent += e.target.id + ': ' + type + ' ' + (e.detail && e.detail.message ? e.detail.message : JSON.stringify(e.detail || '')) + '\n';
  });
});
log.textContent += 'AmazonPayV2 global: ' + Object.keys(window.AmazonPayV2).join(', ') + '\n';

/*
 * A stand-in for Amazon Pay's checkout.js (Checkout v2), for the sandbox, the demo and the tests.
 * Written from the behaviour described in our reference (checkout-js.md §2–§4 and §10), not from
 * Amazon's code. What it reproduces, because wrappers break on exactly these points:
 *  - containers are found with document.querySelector (never inside a shadow root);
 *  - every error is thrown as a plain string "AmazonPay:\n<lines>", in Amazon's validation order;
 *  - renderButton mutates the caller's options, decorates the container, attaches an open shadow
 *    root to it (a second render into one container throws NotSupportedError) and returns
 *    {onClick, initCheckout, updateButtonInfo} (no config), {updateButtonInfo} (config) or
 *    undefined (SignIn with signInConfig); onClick replaces the earlier callback;
 *  - a configured click or initCheckout builds the hidden form Amazon posts to /checkout/initiate.
 * Query parameters of its own URL: region=fe|na|eu (default fe), submit=0 (record initiations
 * instead of navigating). Everything it did is recorded on window.__amazonPayFake for tests.
 * Navigation goes to the sandbox's stand-in Amazon pages beside this file (checkout/initiate,
 * checkout/initiate_auth).
 */
(function () {
  'use strict';
  var me = document.currentScript;
  var base = me && me.src ? me.src : location.href;
  var params = new URL(base).searchParams;
  var REGIONS = {
    fe: { currencies: ['JPY'], languages: ['ja_JP'], fallback: 'ja_JP', amountCurrencies: ['JPY'] },
    na: { currencies: ['USD'], languages: ['en_US'], fallback: 'en_US', amountCurrencies: ['USD'] },
    eu: {
      currencies: ['EUR', 'GBP'],
      languages: ['en_GB', 'de_DE', 'fr_FR', 'it_IT', 'es_ES'],
      fallback: 'en_GB',
      amountCurrencies: ['EUR', 'GBP', 'AUD', 'DKK', 'HKD', 'JPY', 'NZD', 'NOK', 'ZAR', 'SEK', 'CHF', 'USD'],
    },
  };
  var regionName = params.get('region') || 'fe';
  var region = REGIONS[regionName] || REGIONS.fe;
  // As the real builds: Donation in both, PayAndShipMultiAddress only in the EU one.
  var PRODUCT_TYPES = ['PayAndShip', 'PayOnly', 'SignIn', 'Donation'].concat(regionName === 'eu' ? ['PayAndShipMultiAddress'] : []);
  var PLACEMENTS = ['Home', 'Product', 'Cart', 'Checkout', 'Other'];
  var COLORS = ['Gold', 'LightGray', 'DarkGray'];

  var fake = (window.__amazonPayFake = window.__amazonPayFake || {});
  fake.loadCount = (fake.loadCount || 0) + 1;
  fake.region = regionName;
  fake.reset = function () {
    fake.buyNow = [];
    fake.renders = [];
    fake.resizeListeners = 0;
    fake.initiations = [];
    fake.changeActions = [];
    fake.signouts = [];
    fake.accountStatus = 'ACTIVE';
    fake.submit = params.get('submit') !== '0';
  };
  fake.reset();

  function fail(lines) {
    // oxlint-disable-next-line typescript/only-throw-error -- Amazon's checkout.js throws strings, and so must its stand-in
    throw 'AmazonPay:\n' + [].concat(lines).join('\n');
  }
  function lookup(selector, options, api) {
    if (!selector) fail("Missing 'selector' parameter in amazon.Pay." + api + '(selector, options) API.');
    if (!options) fail("Missing 'options' parameter in amazon.Pay." + api + '(selector, options) API.');
    var el = document.querySelector(selector);
    if (!el) fail('Can not find element ' + selector + ' for amazon.Pay.' + api + '.');
    return el;
  }
  function checkAllowed(options) {
    var missing = [];
    ['merchantId', 'ledgerCurrency', 'placement'].forEach(function (k) {
      if (!options[k]) missing.push("Missing parameter '" + k + "' in the options object.");
    });
    if (missing.length) fail(missing);
    var invalid = [];
    var allowed = {
      checkoutLanguage: region.languages,
      color: COLORS,
      ledgerCurrency: region.currencies,
      productType: PRODUCT_TYPES,
      placement: PLACEMENTS,
      sandbox: [true, false],
    };
    Object.keys(allowed).forEach(function (k) {
      if (k in options && options[k] !== undefined && allowed[k].indexOf(options[k]) < 0) {
        invalid.push("Invalid value '" + options[k] + "' for '" + k + "', please use one of the available values: " + allowed[k].join(', ') + '.');
      }
    });
    if (invalid.length) fail(invalid);
  }
  function validAmount(amount) {
    if (typeof amount === 'string') {
      try {
        amount = JSON.parse(amount);
      } catch (e) {
        return null;
      }
    }
    if (!amount || !(Number(amount.amount) > 0)) return null;
    if (region.amountCurrencies.indexOf(amount.currencyCode) < 0) return null;
    var digits = amount.currencyCode === 'JPY' ? 0 : 2;
    var decimals = (String(amount.amount).split('.')[1] || '').length;
    return decimals > digits ? null : amount;
  }
  function setCookies(options) {
    document.cookie = 'language=' + (options.checkoutLanguage || region.fallback) + ';max-age=86400;path=/';
    document.cookie = 'ledgerCurrency=' + options.ledgerCurrency + ';max-age=86400;path=/';
  }
  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }

  function initiate(settings, config, kind, via) {
    ['payloadJSON', 'signature', 'publicKeyId'].forEach(function (f) {
      if (!config || !config[f]) fail('Missing field ' + f + ' for ' + kind + ' parameter.');
    });
    var fields = {
      payloadJSON: config.payloadJSON,
      signature: config.signature,
      publicKeyId: config.publicKeyId,
      publicKeyIdMismatch: String(!!settings.publicKeyIdMismatch),
      algorithm: config.algorithm || 'AMZN-PAY-RSASSA-PSS',
      checkoutLanguage: settings.checkoutLanguage || region.fallback,
      ledgerCurrency: settings.ledgerCurrency,
      merchantId: settings.merchantId,
      productType: settings.productType || 'PayAndShip',
      environment: settings.sandbox ? 'SANDBOX' : 'LIVE',
      scopes: '',
      merchantDomain: location.hostname, // the host name alone, as the real script sends it
      origin_url: location.href,
      viewType: 'redirectView',
      weblabData: '',
      apaySessionSet: cookie('apay-session-set') || '',
    };
    if (kind === 'createCheckoutSessionConfig' && settings.estimatedOrderAmount) {
      fields.estimatedOrderAmount = JSON.stringify(settings.estimatedOrderAmount);
    }
    var action = new URL('checkout/initiate', base).href;
    var record = { action: action, fields: fields, kind: kind, via: via, viewType: 'redirectView' };
    fake.initiations.push(record);
    window.dispatchEvent(new CustomEvent('amazonpay-fake:initiate', { detail: record }));
    var old = document.querySelector("form[name='amazonpay-checkout-signature-data-form']");
    if (old) old.remove();
    var form = document.createElement('form');
    form.name = 'amazonpay-checkout-signature-data-form';
    form.method = 'POST';
    form.action = action;
    form.setAttribute('style', 'display: none !important');
    Object.keys(fields).forEach(function (k) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = k;
      input.value = fields[k];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    if (fake.submit) form.submit();
  }

  function renderButton(selector, options) {
    var host = lookup(selector, options, 'renderButton');
    var given = Object.assign({}, options); // what the caller passed, for the tests: options is filled in below
    checkAllowed(options); // buttonColor is never checked: Amazon's list is keyed 'color'
    if (options.publicKeyId === '') fail("Invalid value '' for 'publicKeyId', please check again.");
    if ('estimatedOrderAmount' in options) {
      var amount = validAmount(options.estimatedOrderAmount);
      if (!amount) {
        console.error('AmazonPay: invalid estimatedOrderAmount', options.estimatedOrderAmount);
        delete options.estimatedOrderAmount;
      } else options.estimatedOrderAmount = amount;
    }
    var config = options.createCheckoutSessionConfig || options.signInConfig;
    var keyId = options.publicKeyId || (config && config.publicKeyId) || '';
    if (options.sandbox === undefined && keyId.startsWith('SANDBOX-')) options.sandbox = true;
    if (options.publicKeyId && config && !config.publicKeyId) config.publicKeyId = options.publicKeyId;
    if (options.publicKeyId && config && config.publicKeyId !== options.publicKeyId) options.publicKeyIdMismatch = true;
    // The real script compares only a top-level publicKeyId with `sandbox`, not the session config's.
    var prefix = /^(SANDBOX|LIVE)-/.exec(options.publicKeyId || '');
    if (prefix && options.sandbox !== undefined && (prefix[1] === 'SANDBOX') !== options.sandbox) {
      fail("PublicKeyId '" + options.publicKeyId + "' does not match 'sandbox: " + options.sandbox + "'. Please check again. ");
    }
    var settings = Object.assign({ productType: 'PayAndShip', buttonColor: 'Gold', sandbox: false }, options, {
      checkoutLanguage: options.checkoutLanguage || region.fallback,
    });
    var signIn = settings.productType === 'SignIn';

    // Only now is the DOM touched: a failed validation leaves the container as it was.
    host.style.position = 'relative';
    if (!signIn) host.classList.add('amazonpay-button-parent-container-checkout-' + settings.merchantId);
    host.setAttribute('role', 'button');
    host.setAttribute('aria-label', settings.sandbox ? 'Amazon Pay - Use your Amazon Pay Sandbox test account' : 'Amazon Pay - Use your Amazon account');
    host.title = signIn ? 'Sign in to your Amazon account' : 'Pay using the information already stored in your Amazon account';
    // As the real script: inline width and height always (its 320×60 for a container with no size of
    // its own, else the container's, kept within Amazon's limits), and `width: inherit` on every window
    // resize, from a listener per render that nothing ever removes.
    var w = host.clientWidth,
      h = host.clientHeight;
    host.style.width = (w ? Math.min(600, Math.max(113, w)) : 320) + 'px';
    host.style.height = (h ? Math.min(230.77, Math.max(42, h)) : 60) + 'px';
    window.addEventListener('resize', function () {
      host.style.width = 'inherit';
    });
    fake.resizeListeners = (fake.resizeListeners || 0) + 1;
    var root = host.attachShadow({ mode: 'open' }); // a second render here throws NotSupportedError
    var color = { Gold: 'gold', LightGray: 'gray', DarkGray: 'ink' }[settings.buttonColor] || 'gold';
    root.innerHTML =
      '<style>.amazonpay-button-container{position:absolute;inset:0;min-width:113px;max-width:600px;min-height:42px;' +
      'display:grid;grid-template-rows:65% 10% 25%;font:bold 14px system-ui,"Noto Sans JP Variable","Noto Sans JP",sans-serif;cursor:pointer}' +
      '.amazonpay-button-view1{display:flex;align-items:center;justify-content:center;border-radius:4px}' +
      '.amazonpay-button-view1-gold{background:#ffd814}.amazonpay-button-view1-gray{background:#e7e9ec}' +
      '.amazonpay-button-view1-ink{background:#232f3e;color:#fff}.amazonpay-button-view3{font:10px system-ui,"Noto Sans JP Variable","Noto Sans JP",sans-serif;text-align:center}' +
      '.amazonpay-button-disabled{opacity:.25;filter:grayscale(1)}' +
      // Amazon draws the logo and the microtext as images: the host's aria-label is the button's only name.
      // SignIn draws the sign-in logo alone, with no microtext.
      '.amazonpay-button-view1::before{content:"' +
      (signIn ? 'Sign in with Amazon' : 'amazon pay') +
      (settings.sandbox ? ' (sandbox)' : '') +
      '"}' +
      '.amazonpay-button-view3::before{content:"' +
      (settings.checkoutLanguage === 'ja_JP' ? 'Amazonアカウントでお支払い' : 'Use your Amazon account') +
      '"}</style>' +
      '<div class="amazonpay-button-container amazonpay-button-enabled ' +
      (signIn ? 'amazonpay-custom-button-container-rows' : 'amazonpay-button-container-rows') +
      '">' +
      '<div class="amazonpay-button-view1 amazonpay-button-view1-' +
      color +
      '" tabindex="0"></div>' +
      '<div class="amazonpay-button-view2"></div>' +
      (signIn || settings.design === 'C0001' ? '' : '<div class="amazonpay-button-view3"></div>') +
      '</div>';
    setCookies(settings);

    var decoupled = !options.createCheckoutSessionConfig && !options.signInConfig;
    var callback = null;
    var record = { selector: selector, options: given, host: host, clicks: 0 };
    fake.renders.push(record);
    function start() {
      record.clicks++;
      if (!settings.sandbox && fake.accountStatus !== 'ACTIVE') return;
      if (decoupled) {
        if (callback) callback();
        else if (signIn) fail('Invalid button definition, productType SignIn and configName do not match.');
        return;
      }
      if (signIn) initiate(settings, options.signInConfig, 'signInConfig', 'click');
      else initiate(settings, options.createCheckoutSessionConfig, 'createCheckoutSessionConfig', 'click');
    }
    host.addEventListener('click', start);
    // A button: Enter and Space both activate it.
    host.addEventListener('keyup', function (e) {
      if (e.keyCode === 13 || e.keyCode === 32) start();
    });
    if (!settings.sandbox && fake.accountStatus !== 'ACTIVE') {
      root.querySelector('.amazonpay-button-container').className = 'amazonpay-button-container amazonpay-button-disabled';
      host.setAttribute('aria-label', 'Amazon Pay is currently not available on this site. Try a different payment option.');
    }
    function updateButtonInfo(amount) {
      var valid = validAmount(amount);
      if (!valid) console.error('AmazonPay: invalid amount for updateButtonInfo', amount);
      else settings.estimatedOrderAmount = valid;
      record.amount = settings.estimatedOrderAmount;
    }
    record.amount = settings.estimatedOrderAmount;
    if (decoupled) {
      return {
        onClick: function (cb) {
          callback = cb;
        },
        initCheckout: function (cfg) {
          cfg = cfg || {};
          if (!settings.estimatedOrderAmount && cfg.estimatedOrderAmount) settings.estimatedOrderAmount = validAmount(cfg.estimatedOrderAmount) || undefined;
          var c = cfg.createCheckoutSessionConfig;
          if (c && !c.publicKeyId && options.publicKeyId) c.publicKeyId = options.publicKeyId;
          initiate(settings, c, 'createCheckoutSessionConfig', 'button.initCheckout');
        },
        updateButtonInfo: updateButtonInfo,
      };
    }
    if (signIn && options.signInConfig) return undefined;
    return { updateButtonInfo: updateButtonInfo };
  }

  function initCheckout(options) {
    if (!options || typeof options !== 'object') fail('Missing options parameter for amazon.Pay.initCheckout');
    checkAllowed(options);
    setCookies(options);
    var settings = Object.assign({ productType: 'PayAndShip', sandbox: false }, options);
    if (settings.productType === 'SignIn') initiate(settings, options.signInConfig, 'signInConfig', 'amazon.Pay.initCheckout');
    else initiate(settings, options.createCheckoutSessionConfig, 'createCheckoutSessionConfig', 'amazon.Pay.initCheckout');
  }

  function bindChangeAction(selector, options) {
    var el = lookup(selector, options, 'bindChangeAction');
    ['amazonCheckoutSessionId', 'changeAction'].forEach(function (f) {
      if (!options[f]) fail('Missing field ' + f + ' in the options object in amazon.Pay.bindChangeAction(selector, options) API.');
    });
    if (['changeAddress', 'changePayment'].indexOf(options.changeAction) < 0) {
      fail("Invalid value '" + options.changeAction + "' for 'changeAction', please use one of the available values: changeAddress, changePayment.");
    }
    el.addEventListener('click', function () {
      var url = new URL('checkout/initiate_auth', base);
      url.searchParams.set('amazonCheckoutSessionId', options.amazonCheckoutSessionId);
      url.searchParams.set('changeAction', options.changeAction);
      url.searchParams.set('viewType', 'redirectView'); // and no language: the real script sends none
      var record = { amazonCheckoutSessionId: options.amazonCheckoutSessionId, changeAction: options.changeAction, url: url.href };
      fake.changeActions.push(record);
      window.dispatchEvent(new CustomEvent('amazonpay-fake:change', { detail: record }));
      if (fake.submit) location.href = url.href;
    });
  }

  function signout(callback) {
    if (!cookie('language') || !cookie('ledgerCurrency')) return;
    fake.signouts.push({ at: Date.now() });
    console.log('AmazonPay:\namazon.Pay.signout() completed successfully.');
    if (callback) callback();
  }

  function bindUpgradeAction(selector, options) {
    lookup(selector, options, 'bindUpgradeAction');
  }

  // ---- Buy Now (renderJSButton) -------------------------------------------------------------
  // Amazon's Buy Now opens its own pay screen over the shop's page while the shop's handlers run:
  // onInitCheckout gives the cart, onCompleteCheckout gets the charge permission and answers
  // success / decline / error, onCancel when the buyer leaves. Here an in-page dialog stands in for
  // Amazon's screen, and the sandbox makes the charge permission. Inferred from Amazon's "Buy Now"
  // docs and its GMO-PG sample (-apb); not one of the two older builds this stand-in follows.
  function renderJSButton(selector, options) {
    lookup(selector, options, 'renderJSButton');
    if (options.checkoutMode !== 'ProcessOrder') {
      fail("Invalid value '" + options.checkoutMode + "' for 'checkoutMode', please use one of the available values: ProcessOrder.");
    }
    ['onInitCheckout', 'onCompleteCheckout'].forEach(function (k) {
      if (typeof options[k] !== 'function') fail("Missing parameter '" + k + "' in the options object.");
    });
    var config = options.checkoutSessionConfig || {};
    if (!config.storeId) fail("Missing parameter 'checkoutSessionConfig.storeId' in the options object.");
    if (!config.processorSpecifications || config.processorSpecifications.name !== 'gmopg') {
      fail("Missing parameter 'checkoutSessionConfig.processorSpecifications' in the options object.");
    }
    var given = Object.assign({}, options);
    var button = {};
    ['merchantId', 'ledgerCurrency', 'checkoutLanguage', 'productType', 'placement', 'buttonColor', 'sandbox', 'estimatedOrderAmount', 'publicKeyId'].forEach(
      function (k) {
        if (k in options) button[k] = options[k];
      },
    );
    var handle = renderButton(selector, button); // the same button, decoupled: the click is ours
    var record = fake.renders[fake.renders.length - 1];
    record.options = given;
    record.kind = 'buy-now';
    handle.onClick(function () {
      void buyNow(options, record);
    });
  }

  // The cart Amazon shows: what onInitCheckout answers, or, when it answers nothing (as Amazon's
  // GMO-PG sample's handler does), checkoutSessionConfig.paymentDetails (inferred from that sample).
  function cartOf(answer, config) {
    if (answer && (answer.totalChargeAmount || answer.totalOrderAmount || answer.status)) return answer;
    var details = (config && config.paymentDetails) || {};
    var charge = details.chargeAmount || details.totalOrderAmount;
    return charge
      ? {
          totalChargeAmount: charge,
          totalOrderAmount: details.totalOrderAmount || charge,
          totalBaseAmount: details.totalBaseAmount,
          totalTaxAmount: details.totalTaxAmount,
          fromPaymentDetails: true,
        }
      : answer;
  }
  var totalOf = function (cart) {
    return cart && (cart.totalChargeAmount || cart.totalOrderAmount);
  };

  async function buyNow(options, _record) {
    var config = options.checkoutSessionConfig || {};
    var ship = options.productType === 'PayAndShip';
    var run = { cart: undefined, completed: undefined, status: undefined, cancelled: false, events: [] };
    fake.buyNow.push(run);
    var addresses = ship
      ? await fetch(new URL('buy-now/addresses', base).href).then(function (r) {
          return r.json();
        })
      : [];
    var choice = { address: 0, card: 0, deliveryOption: undefined };
    var call = async function (name, event) {
      run.events.push({ handler: name, event: event });
      return options[name](event);
    };
    var cart;
    try {
      cart = cartOf(
        await call('onInitCheckout', {
          amazonPayCheckoutType: 'BuyNow',
          scopes: config.scopes || [],
          checkoutLanguage: options.checkoutLanguage,
          shippingAddress: ship ? addresses[0] : undefined,
        }),
        config,
      );
    } catch (e) {
      if (options.onError) options.onError({ message: 'onInitCheckout failed: ' + e });
      return;
    }
    run.cart = cart;
    var refused = cart && cart.status === 'error';
    if ((!refused && !(Number((totalOf(cart) || {}).amount) > 0)) || (refused && !ship)) {
      if (options.onError)
        options.onError({
          message: refused
            ? 'onInitCheckout answered ' + cart.reasonCode
            : 'onInitCheckout must return totalChargeAmount (or checkoutSessionConfig.paymentDetails)',
        });
      return;
    }
    var ui = payScreen(options.checkoutLanguage === 'ja_JP', ship ? addresses : null);
    var show = function (c) {
      if (c && c.status === 'error') return ui.refuse(c.reasonCode);
      cart = c;
      run.cart = c;
      ui.show(c);
    };
    show(cart);
    ui.onAddress(async function (i) {
      choice.address = i;
      if (typeof options.onShippingAddressSelection === 'function') show(await call('onShippingAddressSelection', { shippingAddress: addresses[i] }));
    });
    ui.onDeliveryOption(async function (option) {
      choice.deliveryOption = option.id;
      if (typeof options.onDeliveryOptionSelection === 'function')
        show(await call('onDeliveryOptionSelection', { deliveryOption: { id: option.id, amount: option.price } }));
    });
    var action = await ui.choice;
    if (action === 'cancel') {
      run.cancelled = true;
      ui.close();
      if (options.onCancel) options.onCancel({ amazonPayCheckoutType: 'BuyNow' });
      return;
    }
    var made = await fetch(new URL('buy-now/charge-permission', base).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        merchantId: options.merchantId,
        amount: Number(totalOf(cart).amount),
        address: choice.address,
        card: choice.card,
        productType: options.productType,
      }),
    }).then(function (r) {
      return r.json();
    });
    run.completed = made;
    var result;
    try {
      result = await call('onCompleteCheckout', made);
    } catch (e) {
      result = { status: 'error' };
    }
    run.status = result && result.status;
    if (['success', 'decline', 'error'].indexOf(run.status) < 0)
      console.error('AmazonPay: onCompleteCheckout must return {status: "success" | "decline" | "error"}', result);
    ui.finish(run.status);
  }

  /**
   * The stand-in for Amazon's Buy Now screen: the total, and for PayAndShip the buyer's addresses and
   * the shop's delivery options (each change asks the shop again), then pay or cancel.
   */
  function payScreen(ja, addresses) {
    var el = function (tag, css, text) {
      var e = document.createElement(tag);
      if (css) e.style.cssText = css;
      if (text) e.textContent = text;
      return e;
    };
    var dialog = el(
      'dialog',
      'border:0;border-radius:8px;padding:1.2rem 1.5rem;min-width:300px;max-width:420px;font:15px/1.6 system-ui,"Noto Sans JP Variable","Noto Sans JP",sans-serif;box-shadow:0 4px 24px #0004',
    );
    dialog.setAttribute('data-amazonpay-buy-now', '');
    dialog.setAttribute('aria-label', 'Amazon Pay');
    var h = el('h2', 'font-size:1.15rem;margin:0 0 .6rem', ja ? 'Amazon Pay で今すぐ購入' : 'Buy Now with Amazon Pay');
    var yen = function (p) {
      return p.currencyCode === 'JPY' ? '￥' + Number(p.amount).toLocaleString('ja-JP') : p.amount + ' ' + p.currencyCode;
    };
    var address = el('label', 'display:block;margin:.3rem 0', ja ? 'お届け先 ' : 'Ship to ');
    var addressSelect = el('select');
    addressSelect.setAttribute('data-amazonpay-address', '');
    (addresses || []).forEach(function (a, i) {
      var o = el('option', null, a.name + ' ' + a.postalCode + ' ' + a.stateOrRegion + a.city);
      o.value = String(i);
      addressSelect.append(o);
    });
    address.append(addressSelect);
    var delivery = el('fieldset', 'border:0;padding:0;margin:.3rem 0');
    delivery.setAttribute('data-amazonpay-delivery', '');
    var lines = el('ul', 'margin:.3rem 0;padding-left:1.2rem');
    var amount = el('p', 'margin:.4rem 0;font-weight:700');
    amount.setAttribute('data-amazonpay-total', '');
    var message = el('p', 'color:#b12704;min-height:1.2em;margin:.3rem 0');
    message.setAttribute('role', 'status');
    var pay = el(
      'button',
      'font:inherit;border-radius:20px;padding:.5rem 1.3rem;border:1px solid #fcd200;background:#ffd814;font-weight:700;margin-right:.6rem',
      ja ? '今すぐ支払う' : 'Pay now',
    );
    pay.setAttribute('data-action', 'pay');
    var cancel = el('button', 'font:inherit;border-radius:20px;padding:.5rem 1.3rem;border:1px solid #888c8c;background:#fff', ja ? 'キャンセル' : 'Cancel');
    cancel.setAttribute('data-action', 'cancel');
    dialog.append(h);
    if (addresses) dialog.append(address, delivery);
    dialog.append(lines, amount, message, pay, cancel);
    document.body.append(dialog);
    dialog.showModal();
    var choose;
    var choice = new Promise(function (resolve) {
      choose = resolve;
    });
    var addressHandler = function () {};
    var deliveryHandler = function () {};
    var blocked = false; // the shop cannot deliver to the address shown: no paying until another is chosen
    var busy = function (on) {
      pay.disabled = on || blocked;
      addressSelect.disabled = on;
      delivery.disabled = on;
    };
    addressSelect.addEventListener('change', async function () {
      busy(true);
      message.textContent = '';
      await Promise.resolve(addressHandler(Number(addressSelect.value)));
      busy(false);
    });
    pay.addEventListener('click', function () {
      busy(true);
      cancel.disabled = true;
      message.textContent = ja ? '処理中…' : 'Processing…';
      choose('pay');
    });
    cancel.addEventListener('click', function () {
      choose('cancel');
    });
    dialog.addEventListener('cancel', function (e) {
      e.preventDefault();
      choose('cancel');
    });
    return {
      choice: choice,
      onAddress: function (f) {
        addressHandler = f;
      },
      onDeliveryOption: function (f) {
        deliveryHandler = f;
      },
      show: function (cart) {
        amount.textContent = (ja ? 'お支払い金額 ' : 'Total ') + yen(totalOf(cart));
        blocked = false;
        pay.disabled = false;
        lines.replaceChildren();
        (cart.lineItems || []).forEach(function (l) {
          lines.append(el('li', null, l.title + ' × ' + l.quantity + '  ' + yen(l.totalListPrice || l.listPrice)));
        });
        [
          ['送料', 'Shipping', cart.totalShippingAmount],
          ['割引', 'Discount', cart.totalDiscountAmount],
          ['税', 'Tax', cart.totalTaxAmount],
        ].forEach(function (row) {
          if (row[2] && Number(row[2].amount) > 0) lines.append(el('li', null, (ja ? row[0] : row[1]) + ' ' + yen(row[2])));
        });
        delivery.replaceChildren();
        (cart.deliveryOptions || []).forEach(function (o) {
          var label = el('label', 'display:block');
          var radio = el('input');
          radio.type = 'radio';
          radio.name = 'amazonpay-delivery';
          radio.value = o.id;
          radio.checked = !!o.isDefault;
          radio.addEventListener('change', async function () {
            busy(true);
            message.textContent = '';
            await Promise.resolve(deliveryHandler({ id: o.id, price: o.price }));
            busy(false);
          });
          label.append(radio, ' ' + ((o.shippingMethod && o.shippingMethod.shippingMethodName) || o.id) + ' ' + yen(o.price));
          delivery.append(label);
        });
      },
      refuse: function (reasonCode) {
        // The shop cannot deliver to this address (or failed): no paying until another address is chosen.
        blocked = true;
        pay.disabled = true;
        message.textContent =
          reasonCode === 'shippingAddressInvalid' || reasonCode === 'ShippingAddressNotDeliverable'
            ? ja
              ? 'このお届け先には配送できません。別の住所をお選びください。'
              : 'This address cannot be delivered to. Choose another.'
            : (ja ? 'エラーが発生しました。' : 'Something went wrong.') + ' (' + reasonCode + ')';
      },
      close: function () {
        dialog.remove();
      },
      finish: function (status) {
        if (status === 'success') return dialog.remove();
        message.textContent =
          status === 'decline'
            ? ja
              ? 'お支払いが承認されませんでした。別のお支払い方法をお選びください。'
              : 'Your payment was declined. Choose another payment method.'
            : ja
              ? 'エラーが発生しました。もう一度お試しください。'
              : 'Something went wrong. Please try again.';
        pay.remove();
        cancel.disabled = false;
        cancel.textContent = ja ? '閉じる' : 'Close';
        cancel.addEventListener('click', function () {
          dialog.remove();
        });
      },
    };
  }

  window.amazon = window.amazon || {};
  window.amazon.Pay = {
    renderJSButton: renderJSButton,
    renderButton: renderButton,
    initCheckout: initCheckout,
    bindChangeAction: bindChangeAction,
    signout: signout,
    bindUpgradeAction: bindUpgradeAction,
  };
})();

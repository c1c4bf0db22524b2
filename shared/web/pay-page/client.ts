/**
 * The payment page's only script, inlined with the CSP nonce. Plain ES2020, no build step, no dependencies. It reads
 * its data from the `PAY` object the server prepends (strings of the page language and the invoice's public view)
 * and from `data-*` attributes the server rendered, and never writes HTML: every text goes in via `textContent`.
 *
 * It does five things: copy buttons (navigator.clipboard), the live countdown, live status (polls
 * `GET /v1/pay/{id}` every 3 s until the status is final), fresh payment options when what is still to pay changes
 * (the server renders them, QR codes included: `?part=options` of the page is fetched and its nodes, parsed inertly
 * by DOMParser, replace the old ones), and "Pay with wallet" for an injected EIP-1193 provider
 * (`window.ethereum`): eth_requestAccounts → wallet_switchEthereumChain → eth_chainId check → eth_sendTransaction of
 * an ERC-20 `transfer(address,uint256)` encoded here by hand.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var T = PAY.t;
  var POLL_MS = 3000;
  var view = PAY.view;
  var lastKey = '';
  var pollTimer = 0;
  var countdownTimer = 0;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function fill(template, vars) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
    });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // Numbers as the page language writes them (format.ts does the same on the server): the whole part grouped by
  // Intl on a BigInt, the fraction kept digit for digit.
  var GROUP = new Intl.NumberFormat(PAY.locale, { maximumFractionDigits: 0 });
  var DECIMAL = (new Intl.NumberFormat(PAY.locale).formatToParts(1.5).filter(function (p) { return p.type === 'decimal'; })[0] || { value: '.' }).value;
  // Micro-USD (integer string) as USD with at least two fraction digits, exactly (BigInt, never a float).
  function usd(micro) {
    var v = BigInt(micro || '0');
    var neg = v < 0n;
    if (neg) v = -v;
    var whole = GROUP.format(v / 1000000n);
    var frac = (v % 1000000n).toString().padStart(6, '0').replace(/0+$/, '');
    while (frac.length < 2) frac += '0';
    return (neg ? '-' : '') + whole + DECIMAL + frac;
  }
  function announce(text) {
    var region = $('#announcer');
    if (!region) return;
    region.textContent = '';
    setTimeout(function () { region.textContent = text; }, 50);
  }
  function payable(status) { return status === 'open' || status === 'processing'; }
  // What the rendered options ask for; the server's view says when that changed.
  var rendered = { remaining: view.remainingMicroUsd, payable: view.payable };
  var refreshing = false;
  function isFinal(v) {
    return v.status === 'expired' || v.status === 'cancelled' || (v.status === 'paid' && !!v.receiptUrl);
  }
  function statusKey(v) {
    return JSON.stringify([v.status, v.exception, v.paidMicroUsd, v.pendingMicroUsd, v.overpaidMicroUsd, v.receiptUrl, v.payable]);
  }

  // --- status ---------------------------------------------------------------------------------------------
  function contactParagraph() {
    var p = el('p', 'contact', T.contactIssuer + ' ' + PAY.issuer.name);
    p.id = 'issuer-contact';
    // The server built each link from checked text (render.ts contactLinks); only these schemes are followed.
    (PAY.issuer.links || []).forEach(function (link) {
      if (!/^(https:\/\/|mailto:|tel:)/.test(link.href)) return;
      var a = el('a', '', link.text);
      a.href = link.href;
      a.rel = 'noopener noreferrer';
      p.appendChild(document.createTextNode(' '));
      p.appendChild(a);
    });
    return p;
  }
  function renderStatus(v) {
    var key = statusKey(v);
    if (key === lastKey) return;
    lastKey = key;
    var body = $('#status-body');
    if (!body) return;
    var parts = [];
    var badge = el('p', 'badge badge-' + v.status, T.badge[v.status] || v.status);
    parts.push(badge);
    var partPaid = v.status === 'processing' && v.pendingMicroUsd === '0';
    parts.push(el('p', 'status-text', partPaid ? T.partPaid : (T.statusText[v.status] || '')));
    if (v.status === 'processing' || (v.status === 'open' && v.paidMicroUsd !== '0')) {
      parts.push(el('p', 'amounts', fill(T.amountsLine, {
        paid: usd(v.paidMicroUsd), pending: usd(v.pendingMicroUsd), remaining: usd(v.remainingMicroUsd),
      })));
    }
    if (v.exception && v.exception !== 'none' && T.exception[v.exception]) {
      parts.push(el('p', 'exception', fill(T.exception[v.exception], {
        overpaid: usd(v.overpaidMicroUsd), paid: usd(v.paidMicroUsd), due: usd(v.dueMicroUsd),
      })));
    }
    // The invoice needs its issuer now: say how to reach it (as the server renders it).
    if (v.status === 'expired' || v.status === 'cancelled' || (v.exception && v.exception !== 'none')) {
      parts.push(contactParagraph());
    }
    if (v.status === 'paid') {
      // The receipt page (the signed JSON is one click further, on that page).
      var receiptHref = v.receiptPageUrl || v.receiptUrl;
      if (receiptHref && /^(https?:\/\/|\/)/.test(receiptHref)) {
        var p = el('p', 'receipt');
        var a = el('a', 'button-link', T.receiptLink);
        a.href = receiptHref;
        a.id = 'receipt-link';
        p.appendChild(a);
        parts.push(p);
      } else {
        parts.push(el('p', 'muted', T.receiptPending));
      }
    }
    body.replaceChildren.apply(body, parts);
    if (v.remainingMicroUsd !== rendered.remaining || v.payable !== rendered.payable) refreshPay();
    hideUnpayable();
    var deadline = $('#deadline');
    if (deadline && !payable(v.status)) deadline.hidden = true;
  }

  // Whatever the options say, none is shown once the latest view takes no payment.
  function hideUnpayable() {
    var pay = $('#pay');
    if (pay && !view.payable) pay.hidden = true;
  }

  // Fetches this page's options part (?part=options: notices and options, no script or style) and swaps it in, so
  // every amount, QR code, EIP-681 link and wallet button asks for what is still due. Nodes are parsed inertly by
  // DOMParser (no script runs) and adopted; no HTML string is ever written into the page. A failure leaves the old
  // options and is retried at the next poll.
  function refreshPay() {
    if (refreshing) return;
    refreshing = true;
    var lang = document.documentElement.getAttribute('lang') || '';
    var partUrl = location.pathname + '?part=options&lang=' + encodeURIComponent(lang);
    fetch(partUrl, { headers: { accept: 'text/html' }, cache: 'no-store', credentials: 'omit' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.querySelector('#pay');
        if (!fresh) return;
        ['#covered', '#not-payable', '#late', '#pay'].forEach(function (selector) {
          var next = doc.querySelector(selector);
          var old = $(selector);
          if (next && old) old.replaceWith(document.importNode(next, true));
        });
        rendered = { remaining: fresh.getAttribute('data-remaining'), payable: fresh.getAttribute('data-payable') === 'true' };
        hideUnpayable();
        setupChooser();
        setupCopy();
        setupWallet();
      })
      .catch(function () {})
      .then(function () { refreshing = false; });
  }

  var apiUrl = location.pathname.replace(/\/pay\/[^/]*\/?$/, '') + '/v1/pay/' + encodeURIComponent(view.id);

  function schedulePoll(ms) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, ms);
  }
  function poll() {
    fetch(apiUrl, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'omit' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (v) {
        $('#status-error').hidden = true;
        view = v;
        renderStatus(v);
        if (!isFinal(v)) schedulePoll(POLL_MS);
      })
      .catch(function () {
        $('#status-error').hidden = false;
        schedulePoll(POLL_MS);
      });
  }

  // --- countdown ------------------------------------------------------------------------------------------
  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var u = T.units;
    if (d > 0) return d + ' ' + u.d + ' ' + h + ' ' + u.h;
    if (h > 0) return h + ' ' + u.h + ' ' + m + ' ' + u.min;
    return m + ' ' + u.min + ' ' + sec + ' ' + u.s;
  }
  function tick() {
    var node = $('#countdown');
    if (!node) return;
    var left = Date.parse(node.getAttribute('data-expires')) - Date.now();
    if (left <= 0) {
      node.textContent = T.timeOver;
      clearInterval(countdownTimer);
      schedulePoll(0);
      return;
    }
    node.textContent = fill(T.timeLeft, { time: duration(left) });
  }

  // --- copy -----------------------------------------------------------------------------------------------
  function setupCopy() {
    $all('button[data-copy]').forEach(function (button) {
      button.hidden = false;
      if (button.getAttribute('data-bound')) return;
      button.setAttribute('data-bound', '1');
      var label = button.textContent;
      button.addEventListener('click', function () {
        var text = button.getAttribute('data-copy') || '';
        var done = function (ok) {
          button.textContent = ok ? T.copied : label;
          announce(ok ? T.copied : T.copyFailed);
          if (ok) setTimeout(function () { button.textContent = label; }, 2000);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
        } else {
          done(false);
        }
      });
    });
  }

  // --- one option at a time on a phone --------------------------------------------------------------------
  var chosenKey = '';
  function optionKey(box) { return box.getAttribute('data-chain-id') + ':' + box.getAttribute('data-token'); }
  // Marks the chosen option (the stylesheet shows only it on a phone); keeps the choice across refreshed options.
  function setupChooser() {
    var boxes = $all('article.option');
    var chosen = boxes.filter(function (b) { return optionKey(b) === chosenKey; })[0] || boxes[0];
    boxes.forEach(function (b) { b.classList.toggle('chosen', b === chosen); });
    $all('.chooser input[name="pay-option"]').forEach(function (input) {
      input.checked = !!chosen && input.value === chosen.id;
      input.addEventListener('change', function () {
        var box = document.getElementById(input.value);
        if (!box) return;
        chosenKey = optionKey(box);
        $all('article.option').forEach(function (b) { b.classList.toggle('chosen', b === box); });
      });
    });
    if (chosen) chosenKey = optionKey(chosen);
  }

  // --- wallet ---------------------------------------------------------------------------------------------
  var EXPLORERS = PAY.explorers;
  function word32(hex) { return hex.padStart(64, '0'); }
  function transferData(to, amount) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(to)) throw { code: 'bad-data' };
    if (!/^(0|[1-9][0-9]*)$/.test(amount)) throw { code: 'bad-data' };
    var units = BigInt(amount);
    if (units >= (1n << 256n)) throw { code: 'bad-data' };
    return '0xa9059cbb' + word32(to.slice(2).toLowerCase()) + word32(units.toString(16));
  }
  function errorCode(e) {
    if (!e || typeof e !== 'object') return undefined;
    if (e.code !== undefined) return e.code;
    if (e.data && e.data.originalError && e.data.originalError.code !== undefined) return e.data.originalError.code;
    return undefined;
  }
  function walletError(e, opt) {
    var code = errorCode(e);
    var vars = { chain: opt.chain, id: opt.chainId };
    if (code === 4001) return T.errRejected;
    if (code === 4902 || code === 'unknown-chain') return fill(T.errUnknownChain, vars);
    if (code === 'wrong-chain') return fill(T.errWrongChain, vars);
    if (code === -32002) return T.errPending;
    if (code === 'no-account') return T.errNoAccount;
    var message = (e && (e.shortMessage || e.message)) || String(e);
    return fill(T.errGeneric, { message: String(message).slice(0, 300) });
  }
  function optionOf(box) {
    var d = box.dataset;
    return {
      chainId: Number(d.chainId), chain: d.chain || '', token: d.token || '', to: d.to || '',
      amount: d.amount || '', symbol: d.symbol || '', display: d.display || '',
    };
  }
  function say(out, text, kind) {
    out.className = 'wallet-msg' + (kind ? ' ' + kind : '');
    out.textContent = text;
  }
  async function payWith(eth, box, button, out) {
    var opt = optionOf(box);
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      say(out, T.walletConnecting);
      var accounts = await eth.request({ method: 'eth_requestAccounts' });
      var from = Array.isArray(accounts) ? accounts[0] : undefined;
      if (typeof from !== 'string') throw { code: 'no-account' };
      var chainHex = '0x' + opt.chainId.toString(16);
      say(out, fill(T.walletSwitching, { chain: opt.chain }));
      try {
        await eth.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: chainHex }] });
      } catch (e) {
        if (errorCode(e) === 4902) throw { code: 'unknown-chain' };
        throw e;
      }
      var current = await eth.request({ method: 'eth_chainId' });
      if (String(current).toLowerCase() !== chainHex) throw { code: 'wrong-chain' };
      var data = transferData(opt.to, opt.amount);
      say(out, fill(T.walletSending, { amount: opt.display, symbol: opt.symbol }));
      var hash = await eth.request({
        method: 'eth_sendTransaction',
        params: [{ from: from, to: opt.token, data: data, value: '0x0' }],
      });
      out.className = 'wallet-msg ok';
      out.replaceChildren(el('span', '', T.txSent + ' '), el('code', 'tx-hash', String(hash)));
      var explorer = EXPLORERS[opt.chainId];
      if (explorer && /^0x[0-9a-fA-F]{64}$/.test(String(hash))) {
        var link = el('a', '', T.viewExplorer);
        link.href = explorer + hash;
        link.rel = 'noopener noreferrer';
        link.target = '_blank';
        out.appendChild(document.createTextNode(' '));
        out.appendChild(link);
      }
      // Kept in the status area too: the options (and this message in them) are replaced when the amount changes.
      var sent = $('#sent-tx');
      if (sent) {
        sent.replaceChildren(el('strong', '', T.sentHeading + ': '), out.cloneNode(true));
        sent.hidden = false;
      }
      schedulePoll(500);
    } catch (e) {
      say(out, walletError(e, opt), 'error');
      button.disabled = false;
    } finally {
      button.removeAttribute('aria-busy');
    }
  }
  function setupWallet() {
    var eth = window.ethereum;
    $all('.wallet').forEach(function (box) {
      var button = $('button.pay', box);
      var out = $('.wallet-msg', box);
      box.hidden = false;
      if (!eth || typeof eth.request !== 'function') {
        button.hidden = true;
        button.disabled = true;
        say(out, T.noWallet, 'muted');
        return;
      }
      button.hidden = false;
      button.disabled = false;
      say(out, '');
      if (button.getAttribute('data-bound')) return;
      button.setAttribute('data-bound', '1');
      button.addEventListener('click', function () { payWith(window.ethereum, box.closest('[data-chain-id]'), button, out); });
    });
  }

  document.documentElement.classList.add('js');
  setupChooser();
  setupCopy();
  setupWallet();
  // Some wallets inject their provider after the page has loaded.
  window.addEventListener('ethereum#initialized', setupWallet, { once: true });
  lastKey = statusKey(view);
  if (payable(view.status)) {
    tick();
    countdownTimer = setInterval(tick, 1000);
  }
  if (!isFinal(view)) schedulePoll(POLL_MS);
})();
`;

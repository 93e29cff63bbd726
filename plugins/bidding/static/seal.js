// Sealed bids in the browser (plugins/bidding/sealing.py describes the envelope): AES-256-GCM with a key
// only the bidder holds, bound to the tender's ocid and the bidder's credit code. The key is shown to be
// saved and kept in this browser's localStorage for the opening; it is never sent before then.
(function () {
  function b64(buf) { var s = "", a = new Uint8Array(buf); for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s); }
  function hex(buf) { return Array.from(new Uint8Array(buf)).map(function (x) { return x.toString(16).padStart(2, "0"); }).join(""); }
  document.addEventListener("DOMContentLoaded", function () {
    var keyForm = document.getElementById("key-form");
    if (keyForm) {
      var kept = localStorage.getItem("govhall-bid-key:" + keyForm.dataset.ocid);
      if (kept) document.getElementById("key").value = kept;
    }
    var form = document.getElementById("bid-form");
    if (!form) return;
    form.addEventListener("submit", async function (ev) {
      if (form.dataset.sealed) return;
      ev.preventDefault();
      var cents = Math.round(parseFloat(document.getElementById("price").value) * 100);
      var files = [];
      for (const f of document.getElementById("files").files) { files.push({name: f.name, data: b64(await f.arrayBuffer()), author: "", software: ""}); }
      var salt = hex(crypto.getRandomValues(new Uint8Array(16)));
      var plain = new TextEncoder().encode(JSON.stringify({v: 1, price_cents: cents, salt: salt, note: "", files: files}));
      var key = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, true, ["encrypt"]);
      var nonce = crypto.getRandomValues(new Uint8Array(12));
      var aad = new TextEncoder().encode("govhall-bid|" + form.dataset.ocid + "|" + form.dataset.bidder);
      var ct = await crypto.subtle.encrypt({name: "AES-GCM", iv: nonce, additionalData: aad}, key, plain);
      var raw = b64(await crypto.subtle.exportKey("raw", key));
      form.nonce.value = b64(nonce); form.ciphertext.value = b64(ct);
      form.commitment.value = hex(await crypto.subtle.digest("SHA-256", plain));
      form.device.value = (navigator.userAgent || "").slice(0, 64);
      localStorage.setItem("govhall-bid-key:" + form.dataset.ocid, raw);
      document.getElementById("key-value").textContent = raw; document.getElementById("key-out").hidden = false;
      form.dataset.sealed = "1"; form.submit();
    });
  });
})();

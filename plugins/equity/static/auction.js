// The live auction page: listens to the server-sent events of the auction (one state a second, a "closed"
// event at the end), falls back to polling the state once a second where EventSource is missing or the
// stream breaks, and sends bids without leaving the page. The server's clock decides everything; this
// script only shows what the server says.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var url = live.getAttribute("data-state");
  var i18n = document.getElementById("i18n");
  var fmt = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function yuan(c) { return c === null || c === undefined ? "—" : fmt.format(c / 100); }
  function hms(iso) { return new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }); }
  function text(id, v) { var el = document.getElementById(id); if (el) el.textContent = v; }
  function show(s) {
    var phase = document.getElementById("phase");
    phase.textContent = s.phase_title; phase.className = "estate estate-" + s.phase;
    text("current", yuan(s.current_cents));
    text("left", String(s.seconds_left));
    text("server-time", hms(s.server_time));
    text("leader", s.leader_no ? i18n.getAttribute("data-bidder") + " " + s.leader_no : "—");
    var you = document.getElementById("you");
    if (you && s.your_no) {
      you.textContent = i18n.getAttribute("data-you-are") + " " + s.your_no + ": " +
        you.getAttribute(s.you_lead ? "data-lead" : "data-behind");
      you.className = "you" + (s.you_lead ? " lead" : "");
    }
    var result = document.getElementById("result");
    if (s.phase === "closed") {
      result.hidden = false;
      result.textContent = s.leader_no ? i18n.getAttribute("data-winner") + ": " +
        i18n.getAttribute("data-bidder") + " " + s.leader_no : i18n.getAttribute("data-nobody");
    }
    var body = document.getElementById("bids");
    body.textContent = "";
    s.bids.forEach(function (b) {
      var tr = document.createElement("tr");
      [String(b.seq), i18n.getAttribute("data-bidder") + " " + b.bidder_no, yuan(b.amount_cents), hms(b.at)]
        .forEach(function (v) { var td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      body.appendChild(tr);
    });
    var form = document.getElementById("bid-form");
    if (form) {
      form.querySelector("button").disabled = s.phase === "closed" || s.phase === "scheduled";
      var amount = document.getElementById("amount");
      if (document.activeElement !== amount) amount.value = (s.next_cents / 100).toFixed(2);
    }
  }
  var closed = false;
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) { show(s); closed = s.phase === "closed"; } })
      .catch(function () {})
      .finally(function () { if (!closed) setTimeout(poll, 1000); });
  }
  var events = live.getAttribute("data-events");
  if (window.EventSource && events) {
    live.setAttribute("data-live", "events");
    var source = new EventSource(events);
    source.addEventListener("state", function (ev) { show(JSON.parse(ev.data)); });
    source.addEventListener("closed", function () { closed = true; source.close(); });
    source.onerror = function () {  // the stream broke before the close: poll instead
      if (closed) return;
      source.close();
      live.setAttribute("data-live", "polling");
      setTimeout(poll, 1000);
    };
  } else {
    live.setAttribute("data-live", "polling");
    setTimeout(poll, 1000);
  }
  var form = document.getElementById("bid-form");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      text("bid-error", "");
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          if (!res.ok) { text("bid-error", (res.j.error && res.j.error.message) || "error"); return; }
          return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
            .then(function (r) { return r.json(); }).then(show);
        })
        .catch(function () { text("bid-error", "network error / 网络错误"); });
    });
  }
})();

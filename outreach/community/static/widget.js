/* Questionnaire « centres d'intérêt » des médiathèques — pop-up à intégrer, sans dépendance.
 *
 * <script src="https://SERVICE/widget.js" defer></script>
 *
 * Accessibility (RGAA, checklist A11Y-01): a small non-modal invitation that never blocks the page; the form
 * opens only on request, as a modal dialog whose focus stays inside and goes back where it came from;
 * every field has a label; « Non merci » looks exactly like « Valider »; Escape closes; no timeout.
 * GDPR (FORM-02/03/04/07): one checkbox per purpose, none ticked; the e-mail is asked only for an e-mail
 * purpose; refusing has no consequence. Every text is set with textContent: nothing from the server is
 * ever parsed as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__outreachQuestionnaire) { return; }
  window.__outreachQuestionnaire = true;
  var base = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var inline = script.getAttribute("data-inline") === "true";
  var STORAGE_KEY = "outreach-questionnaire:choice";
  var REMEMBER_MS = 183 * 24 * 3600 * 1000; // ask again after about six months (CNIL good practice)

  function remembered() {
    try {
      var raw = window.localStorage.getItem(STORAGE_KEY);
      return raw && Date.now() - JSON.parse(raw).at < REMEMBER_MS;
    } catch (e) { return false; }
  }
  function remember(choice) {
    try { window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ choice: choice, at: Date.now() })); } catch (e) { /* private mode */ }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var CSS = [
    ".oq-root,.oq-root *{box-sizing:border-box}",
    ".oq-root{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:16px;line-height:1.5;color:#161616}",
    ".oq-invite{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;max-width:22rem;background:#fff;border:2px solid #000091;border-radius:8px;padding:1rem;box-shadow:0 4px 16px rgba(0,0,0,.25)}",
    ".oq-invite p{margin:0 0 .75rem}",
    ".oq-backdrop{position:fixed;inset:0;z-index:2147483001;background:rgba(0,0,0,.45)}",
    ".oq-dialog{position:fixed;z-index:2147483002;left:50%;top:50%;transform:translate(-50%,-50%);width:min(40rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;background:#fff;border-radius:8px;padding:1.25rem 1.5rem}",
    ".oq-inline{max-width:46rem}",
    ".oq-root h2{font-size:1.35rem;margin:0 2.5rem .5rem 0}",
    ".oq-root fieldset{border:1px solid #929292;border-radius:4px;margin:.75rem 0;padding:.5rem 1rem}",
    ".oq-root legend{font-weight:700;padding:0 .25rem}",
    ".oq-root label{display:block;margin:.3rem 0}",
    ".oq-root .oq-check{display:flex;gap:.5rem;align-items:flex-start;margin:.35rem 0}",
    ".oq-root .oq-check input{margin-top:.3rem;width:1.1rem;height:1.1rem;flex:none}",
    ".oq-root input[type=text],.oq-root input[type=email],.oq-root select{font:inherit;padding:.4rem;border:1px solid #3a3a3a;border-radius:4px;color:#161616;background:#fff;max-width:100%}",
    ".oq-root .oq-hint{display:block;font-size:.9rem;color:#3a3a3a}",
    ".oq-root .oq-actions{display:flex;gap:1rem;flex-wrap:wrap;margin-top:1rem}",
    ".oq-root .oq-btn{font:inherit;font-weight:700;min-width:9rem;padding:.6rem 1.2rem;border-radius:4px;border:2px solid #000091;background:#000091;color:#fff;cursor:pointer}",
    ".oq-root .oq-close{position:absolute;right:.75rem;top:.75rem;font:inherit;font-size:1.25rem;line-height:1;padding:.35rem .6rem;border:2px solid #161616;border-radius:4px;background:#fff;color:#161616;cursor:pointer}",
    ".oq-root .oq-errors{background:#ffe9e9;border-left:4px solid #ce0500;padding:.5rem 1rem;margin:.5rem 0}",
    ".oq-root .oq-errors[hidden]{display:none}",
    ".oq-root .oq-field-error{display:block;color:#ce0500;font-weight:700}",
    ".oq-root .oq-ok{background:#b8fec9;padding:.75rem;border-radius:4px}",
    ".oq-root a{color:#000091}",
    ".oq-root :focus{outline:3px solid #0a76f6;outline-offset:2px}",
    ".oq-root details{margin:.75rem 0;font-size:.95rem}",
    ".oq-root summary{cursor:pointer;color:#000091;text-decoration:underline}"
  ].join("\n");

  function addStyle() {
    if (document.getElementById("oq-style")) { return; }
    var style = el("style", { id: "oq-style" });
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  var FOCUSABLE = "a[href],button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),summary,[tabindex]:not([tabindex='-1'])";

  function checkbox(id, name, value, label) {
    var wrap = el("div", { "class": "oq-check" });
    var input = el("input", { type: "checkbox", id: id, name: name, value: value });
    var lab = el("label", { "for": id }, label);
    wrap.appendChild(input);
    wrap.appendChild(lab);
    return wrap;
  }

  function buildForm(data, onRefuse, onDone) {
    var form = el("form", { novalidate: "novalidate", "aria-labelledby": "oq-title" });
    form.appendChild(el("h2", { id: "oq-title", tabindex: "-1" }, data.title));
    form.appendChild(el("p", { id: "oq-intro" }, data.intro));

    var errors = el("div", { id: "oq-errors", "class": "oq-errors", role: "alert", tabindex: "-1" });
    errors.hidden = true;
    form.appendChild(errors);

    var themes = el("fieldset", { id: "oq-interests", "aria-describedby": "oq-interests-hint" });
    themes.appendChild(el("legend", null, "Vos centres d'intérêt"));
    themes.appendChild(el("span", { id: "oq-interests-hint", "class": "oq-hint" }, "Cochez-en au moins un."));
    data.themes.forEach(function (t) { themes.appendChild(checkbox("oq-theme-" + t.id, "interests", t.id, t.label)); });
    form.appendChild(themes);

    form.appendChild(el("label", { "for": "oq-postcode" }, "Code postal de votre domicile"));
    form.appendChild(el("span", { id: "oq-postcode-hint", "class": "oq-hint" }, "5 chiffres, par exemple 13001. Il sert à trouver la médiathèque la plus proche."));
    form.appendChild(el("input", { type: "text", id: "oq-postcode", name: "postcode", inputmode: "numeric",
      autocomplete: "postal-code", maxlength: "5", required: "required", "aria-required": "true", "aria-describedby": "oq-postcode-hint" }));

    form.appendChild(el("label", { "for": "oq-age" }, "Votre tranche d'âge"));
    form.appendChild(el("span", { id: "oq-age-hint", "class": "oq-hint" }, "Facultatif, mais nécessaire pour les choix ci-dessous (15 ans pour les e-mails, 18 ans pour le reste)."));
    var age = el("select", { id: "oq-age", name: "age_band", "aria-describedby": "oq-age-hint" });
    age.appendChild(el("option", { value: "" }, "Je préfère ne pas répondre"));
    data.age_bands.forEach(function (a) { age.appendChild(el("option", { value: a.id }, a.label)); });
    form.appendChild(age);

    var consents = el("fieldset", { id: "oq-consents", "aria-describedby": "oq-consents-hint" });
    consents.appendChild(el("legend", null, "Vos choix"));
    consents.appendChild(el("span", { id: "oq-consents-hint", "class": "oq-hint" }, "Facultatifs, un par usage : rien n'est coché d'avance."));
    data.purposes.forEach(function (p) { consents.appendChild(checkbox("consent-" + p.id, "consents", p.id, p.label)); });
    form.appendChild(consents);

    form.appendChild(el("label", { "for": "oq-email" }, "Adresse e-mail"));
    form.appendChild(el("span", { id: "oq-email-hint", "class": "oq-hint" }, "Seulement si vous acceptez les e-mails ou les publicités sur Facebook et Instagram."));
    form.appendChild(el("input", { type: "email", id: "oq-email", name: "email", autocomplete: "email", "aria-describedby": "oq-email-hint" }));

    var details = el("details");
    details.appendChild(el("summary", null, "Comment sont utilisées vos données (notice, version " + data.notice.version + ")"));
    data.notice.sections.forEach(function (s) {
      details.appendChild(el("h3", null, s.title));
      details.appendChild(el("p", null, s.text));
    });
    form.appendChild(details);

    var actions = el("div", { "class": "oq-actions" });
    var submit = el("button", { type: "submit", "class": "oq-btn", id: "oq-submit" }, "Valider");
    var refuse = el("button", { type: "button", "class": "oq-btn", id: "oq-refuse" }, "Non merci");
    actions.appendChild(submit);
    actions.appendChild(refuse);
    form.appendChild(actions);
    refuse.addEventListener("click", onRefuse);

    var FIELD_TARGET = { interests: "oq-interests", postcode: "oq-postcode", age_band: "oq-age", email: "oq-email" };

    function clearErrors() {
      errors.hidden = true;
      errors.textContent = "";
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) { n.removeAttribute("aria-invalid"); });
      Array.prototype.forEach.call(form.querySelectorAll(".oq-field-error"), function (n) { n.parentNode.removeChild(n); });
    }

    function showErrors(list) {
      clearErrors();
      errors.appendChild(el("p", null, "Votre réponse n'a pas été enregistrée :"));
      var ul = el("ul");
      list.forEach(function (e, i) {
        var key = String(e.field).split(/[.[]/)[0];
        var targetId = key === "consents" ? "consent-" + String(e.field).split(".")[1] : FIELD_TARGET[key];
        var target = targetId && document.getElementById(targetId);
        var li = el("li");
        if (target) {
          var link = el("a", { href: "#" + targetId }, e.message);
          link.addEventListener("click", function (ev) { ev.preventDefault(); (target.querySelector && target.tagName === "FIELDSET" ? target.querySelector("input") : target).focus(); });
          li.appendChild(link);
          target.setAttribute("aria-invalid", "true");
          var msgId = "oq-error-" + i;
          var msg = el("span", { id: msgId, "class": "oq-field-error" }, e.message);
          if (target.tagName === "FIELDSET") { target.insertBefore(msg, target.children[1]); } else { target.parentNode.insertBefore(msg, target); }
          target.setAttribute("aria-describedby", msgId + " " + (target.getAttribute("aria-describedby") || "").replace(/oq-error-\d+ ?/g, ""));
        } else {
          li.textContent = e.message;
        }
        ul.appendChild(li);
      });
      errors.appendChild(ul);
      errors.hidden = false;
      errors.focus();
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var chosen = Array.prototype.map.call(form.querySelectorAll("input[name=interests]:checked"), function (n) { return n.value; });
      var payload = {
        interests: chosen,
        postcode: form.querySelector("#oq-postcode").value.trim(),
        consents: {},
        notice_version: data.notice.version,
        page_url: (window.location.origin + window.location.pathname).slice(0, 2000), // never the query string
        mechanism: inline ? "page" : "widget"
      };
      data.purposes.forEach(function (p) { payload.consents[p.id] = form.querySelector("#consent-" + p.id).checked; });
      var ageValue = form.querySelector("#oq-age").value;
      if (ageValue) { payload.age_band = ageValue; }
      var emailValue = form.querySelector("#oq-email").value.trim();
      if (emailValue) { payload.email = emailValue; }
      submit.disabled = true;
      fetch(base + "/api/responses", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload), credentials: "omit" })
        .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
        .then(function (res) {
          submit.disabled = false;
          if (res.status === 201) { onDone(res.body); return; }
          showErrors(res.body.errors || [{ field: "body", message: res.body.detail || "Réponse refusée." }]);
        })
        .catch(function () {
          submit.disabled = false;
          showErrors([{ field: "body", message: "Le service ne répond pas : réessayez plus tard." }]);
        });
    });
    return form;
  }

  function success(container, body, onClose) {
    container.textContent = "";
    var box = el("div", { "class": "oq-ok", role: "status" });
    var title = el("h2", { id: "oq-title", tabindex: "-1" }, "Merci, votre réponse est enregistrée");
    box.appendChild(title);
    box.appendChild(el("p", null, "Votre médiathèque la plus proche : " + body.branch_name + "."));
    if (body.preferences_url) {
      var p = el("p", null, "Pour voir, modifier ou retirer vos choix à tout moment, gardez ce lien : ");
      p.appendChild(el("a", { href: body.preferences_url }, "gérer mes choix"));
      box.appendChild(p);
    } else {
      // no consent given: the answer is only counted, nothing about the person is kept, no link to keep
      box.appendChild(el("p", null, "Vous n'avez rien accepté : votre réponse est seulement comptée, rien de ce qui vous concerne n'est gardé."));
    }
    if (body.confirmation_sent_to) {
      box.appendChild(el("p", null, "Un e-mail de confirmation vient d'être envoyé à " + body.confirmation_sent_to + " : ouvrez le lien qu'il contient. Votre adresse ne sera utilisée qu'après."));
    }
    container.appendChild(box);
    if (onClose) {
      var close = el("button", { type: "button", "class": "oq-btn", id: "oq-done" }, "Fermer");
      close.addEventListener("click", onClose);
      container.appendChild(close);
    }
    title.focus();
  }

  function openDialog(data, invite, opener, restoreTo) {
    var root = el("div", { "class": "oq-root" });
    var backdrop = el("div", { "class": "oq-backdrop" });
    var dialog = el("div", { "class": "oq-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "oq-title", "aria-describedby": "oq-intro" });
    var closeBtn = el("button", { type: "button", "class": "oq-close", "aria-label": "Fermer le questionnaire" }, "×");
    var content = el("div");
    dialog.appendChild(closeBtn);
    dialog.appendChild(content);
    root.appendChild(backdrop);
    root.appendChild(dialog);

    function close(finished) {
      document.removeEventListener("keydown", onKey, true);
      if (root.parentNode) { root.parentNode.removeChild(root); }
      if (finished) {
        if (invite.parentNode) { invite.parentNode.removeChild(invite); }
        (restoreTo && document.contains(restoreTo) ? restoreTo : document.body).focus();
      } else {
        opener.focus();
      }
    }
    var answered = false; // once answered, every way out closes the invitation too
    function refuse() { remember("refused"); close(true); }
    function onKey(ev) {
      if (ev.key === "Escape") { ev.preventDefault(); close(answered); return; }
      if (ev.key !== "Tab") { return; }
      var items = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (n) { return n.offsetParent !== null || n === document.activeElement; });
      if (!items.length) { return; }
      var first = items[0], last = items[items.length - 1];
      if (!dialog.contains(document.activeElement)) { ev.preventDefault(); first.focus(); }
      else if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
      else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
    }
    closeBtn.addEventListener("click", function () { close(answered); });
    backdrop.addEventListener("click", function () { close(answered); });
    content.appendChild(buildForm(data, refuse, function (body) {
      remember("answered");
      answered = true;
      success(content, body, function () { close(true); });
    }));
    document.body.appendChild(root);
    document.addEventListener("keydown", onKey, true);
    var heading = dialog.querySelector("#oq-title");
    heading.focus();
  }

  function showInvite(data) {
    var restoreTo = document.activeElement;
    var invite = el("section", { "class": "oq-root oq-invite", role: "region", "aria-label": "Questionnaire de la médiathèque" });
    invite.appendChild(el("p", null, data.title + " : la médiathèque a peut-être ce qui vous passionne. Deux minutes, facultatif."));
    var actions = el("div", { "class": "oq-actions" });
    var open = el("button", { type: "button", "class": "oq-btn", id: "oq-open" }, "Répondre");
    var no = el("button", { type: "button", "class": "oq-btn", id: "oq-invite-refuse" }, "Non merci");
    actions.appendChild(open);
    actions.appendChild(no);
    invite.appendChild(actions);
    open.addEventListener("click", function () { openDialog(data, invite, open, restoreTo); });
    no.addEventListener("click", function () {
      remember("refused");
      invite.parentNode.removeChild(invite);
      (restoreTo && document.contains(restoreTo) ? restoreTo : document.body).focus();
    });
    document.body.appendChild(invite);
  }

  function showInline(data) {
    var host = document.getElementById("outreach-questionnaire");
    if (!host) { return; }
    var root = el("div", { "class": "oq-root oq-inline" });
    root.appendChild(buildForm(data, function () {
      root.textContent = "";
      var p = el("p", { role: "status", tabindex: "-1" }, "C'est noté : vous n'avez rien à faire. Merci et à bientôt à la médiathèque.");
      root.appendChild(p);
      p.focus();
    }, function (body) { success(root, body, null); }));
    host.appendChild(root);
  }

  function start() {
    if (!inline && remembered()) { return; }
    addStyle();
    fetch(base + "/api/questionnaire", { credentials: "omit" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) { if (inline) { showInline(data); } else { showInvite(data); } })
      .catch(function () { /* the service is down: the host page goes on as if nothing happened */ });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

// The /verify page: read the card's QR code in the browser (jsQR), send only the QR
// text to /api/v1/verify, show the answer and the claims the chosen purpose allows.
// Without this script the form still works: it posts the picture to the server.
(function () {
  "use strict";

  var form = document.getElementById("verify-form");
  var fileInput = document.getElementById("card-image");
  var resultBox = document.getElementById("verify-result");
  var cameraStart = document.getElementById("camera-start");
  var cameraStop = document.getElementById("camera-stop");
  var video = document.getElementById("camera");
  var lastQr = null;
  var stream = null;
  // The words of the answer, the same the server renders (web/verify_view.py).
  var TEXT = JSON.parse(document.getElementById("verify-text").textContent);
  var DATES = { date_of_birth: true, expires_on: true };

  // A claim as the card prints it: dates MM/DD/YYYY, the number in groups of four.
  function displayValue(key, value) {
    if (value === true) { return "yes"; }
    if (value === false) { return "no"; }
    var text = String(value);
    var iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (DATES[key] && iso) { return iso[2] + "/" + iso[3] + "/" + iso[1]; }
    if (key === "card_number") { return text.replace(/[ -]/g, "").replace(/(\d{4})(?=\d)/g, "$1 "); }
    return text;
  }

  function purpose() {
    var checked = form.querySelector("input[name=purpose]:checked");
    return checked ? checked.value : "identity";
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function show(children) {
    clear(resultBox);
    children.forEach(function (child) { resultBox.appendChild(child); });
    resultBox.hidden = false;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function showError(message) {
    var p = element("p", message, "alert");
    p.setAttribute("data-result", "error");
    show([p]);
  }

  function showOutcome(outcome) {
    var ok = outcome.result === "valid";
    var heading = element("h2", TEXT.verdicts[outcome.result] || outcome.result,
      "verdict verdict-" + (ok ? "ok" : "bad"));
    heading.setAttribute("data-result", outcome.result);
    var nodes = [heading];
    if (outcome.message && !ok) { nodes.push(element("p", "Why: " + outcome.message + ".", "reason")); }
    var step = element("p", TEXT.next_steps[outcome.result] || TEXT.next_steps.malformed, "next-step");
    step.setAttribute("data-next-step", "");
    nodes.push(step);
    if (ok && !outcome.status_checked) {
      nodes.push(element("p", "Revocation could not be checked.", "muted"));
    }
    var claims = outcome.claims || {};
    var holder = element("div", null, "holder");
    if (claims.photo) {
      var img = element("img", null, "face");
      img.src = claims.photo;  // a data: URL of the WebP on the card
      img.alt = "Photo on the card";
      img.width = 192;
      img.height = 240;
      holder.appendChild(img);
    }
    var list = element("dl", null, "claims");
    TEXT.order.forEach(function (key) {
      var value = claims[key];
      if (value === null || value === undefined) { return; }
      list.appendChild(element("dt", TEXT.labels[key] || key));
      var dd = element("dd", displayValue(key, value));
      dd.setAttribute("data-claim", key);
      if (key === "native_name") { dd.setAttribute("dir", "auto"); dd.setAttribute("lang", ""); }
      list.appendChild(dd);
    });
    if (list.childNodes.length) { holder.appendChild(list); }
    if (holder.childNodes.length) { nodes.push(holder); }
    nodes.push(element("p", "Checked " + new Date().toLocaleTimeString() + ".", "muted"));
    show(nodes);
  }

  function check(qr) {
    lastQr = qr;
    return fetch("/api/v1/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ qr: qr, purpose: purpose() })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error((body.error && body.error.message) || "The check failed.");
        }
        showOutcome(body);
      });
    }).catch(function (error) { showError(error.message); });
  }

  function decode(source, width, height) {
    var canvas = document.createElement("canvas");
    // Big photos are scaled down: jsQR is quicker and no less accurate on 1600 px.
    var scale = Math.min(1, 1600 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(pixels.data, pixels.width, pixels.height,
      { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        URL.revokeObjectURL(url);
        resolve(decode(image, image.naturalWidth, image.naturalHeight));
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("That file is not a picture this browser can open."));
      };
      image.src = url;
    });
  }

  form.addEventListener("submit", function (event) {
    var file = fileInput.files && fileInput.files[0];
    if (!file || typeof window.jsQR !== "function") { return; }  // let the server do it
    event.preventDefault();
    readFile(file).then(function (qr) {
      if (!qr) {
        showError("No code could be read in that picture. Try a sharper, closer picture of the back.");
        return null;
      }
      return check(qr);
    }).catch(function (error) { showError(error.message); });
  });

  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files.length) { form.requestSubmit(); }
  });

  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "purpose" && lastQr) { check(lastQr); }
  });

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    cameraStop.hidden = true;
    cameraStart.hidden = false;
  }

  function scanFrame() {
    if (!stream) { return; }
    if (video.readyState >= 2 && video.videoWidth) {
      var qr = decode(video, video.videoWidth, video.videoHeight);
      if (qr) {
        stopCamera();
        check(qr);
        return;
      }
    }
    window.requestAnimationFrame(scanFrame);
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    cameraStart.hidden = false;
    cameraStart.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          cameraStart.hidden = true;
          cameraStop.hidden = false;
          return video.play();
        })
        .then(function () { window.requestAnimationFrame(scanFrame); })
        .catch(function () { showError("The camera could not be opened. Upload a picture instead."); });
    });
    cameraStop.addEventListener("click", stopCamera);
  }
}());

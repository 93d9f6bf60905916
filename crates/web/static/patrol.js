// The patrol app (巡检): walks the day's rounds with or without signal.
// The rounds are downloaded into IndexedDB; every scan, its results and photos are written
// there first, each with an id made on the phone (client_id), and sent when the network is
// back: photos first, then scans. The server answers each scan recorded, duplicate (an earlier
// sync got it) or rejected; either way it leaves the phone's queue, so a sync cut off halfway
// and sent again records nothing twice.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = (k) => ($("t") && $("t").dataset[k]) || k;
  const csrf = () => document.querySelector('meta[name="csrf"]').content;

  // --- IndexedDB -------------------------------------------------------------------------
  let dbp = null;
  function db() {
    if (!dbp) {
      dbp = new Promise((resolve, reject) => {
        const r = indexedDB.open("wuye-patrol", 1);
        r.onupgradeneeded = () => {
          const d = r.result;
          d.createObjectStore("kv");
          d.createObjectStore("scans", { keyPath: "client_id" });
          d.createObjectStore("photos", { keyPath: "client_id" });
        };
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    }
    return dbp;
  }
  async function op(store, mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const tx = d.transaction(store, mode);
      const req = fn(tx.objectStore(store));
      tx.oncomplete = () => resolve(req && req.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const put = (store, v, key) => op(store, "readwrite", (s) => (key === undefined ? s.put(v) : s.put(v, key)));
  const get = (store, key) => op(store, "readonly", (s) => s.get(key));
  const all = (store) => op(store, "readonly", (s) => s.getAll());
  const del = (store, key) => op(store, "readwrite", (s) => s.delete(key));

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  // --- State -----------------------------------------------------------------------------
  let bundle = null;
  let current = null; // the round open
  let checkpoint = null; // the stop being recorded: {stop, code, method, nfc}
  let syncing = false;

  function fmt(t) {
    const d = new Date(t);
    return d.toLocaleString("zh-CN", { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  async function pendingScans() {
    return (await all("scans")) || [];
  }

  async function showNet() {
    const n = (await pendingScans()).length + ((await all("photos")) || []).length;
    $("net").textContent = navigator.onLine ? T("online") : T("offline");
    $("net").className = "tag " + (navigator.onLine ? "st-done" : "st-breached");
    $("pending").textContent = T("pending") + " " + n;
    $("pending").dataset.count = String(n);
  }

  // --- Rounds ----------------------------------------------------------------------------
  async function load() {
    bundle = (await get("kv", "bundle")) || null;
    if (navigator.onLine) {
      try {
        const r = await fetch("/patrol/rounds.json", { credentials: "same-origin" });
        if (r.ok && !r.redirected) {
          bundle = await r.json();
          bundle.loaded_at = new Date().toISOString();
          await put("kv", bundle, "bundle");
        }
      } catch (_) {
        /* no signal: the kept rounds serve */
      }
    }
    await render();
  }

  async function scannedOf(round) {
    const local = (await pendingScans()).filter((s) => s.task_id === round.task.id).map((s) => s.checkpoint_id);
    return new Set([...(round.scanned || []), ...local]);
  }

  async function render() {
    await showNet();
    const box = $("rounds");
    box.textContent = "";
    if (!bundle) {
      $("status").textContent = T("offline");
      return;
    }
    $("status").textContent = T("loadedAt") + " " + fmt(bundle.loaded_at || bundle.server_time);
    if (!bundle.rounds.length) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = T("none");
      box.appendChild(p);
    }
    for (const r of bundle.rounds) {
      const seen = await scannedOf(r);
      const a = document.createElement("button");
      a.type = "button";
      a.className = "card order plain round";
      a.id = "round-" + r.task.id;
      const stateKey = "state" + r.task.state.charAt(0).toUpperCase() + r.task.state.slice(1);
      a.innerHTML = "";
      const b = document.createElement("b");
      b.textContent = r.task.plan_name + " · " + r.task.route_name;
      const d = document.createElement("div");
      d.className = "muted";
      d.textContent = fmt(r.task.starts_at) + " – " + fmt(r.task.ends_at) + " · " + T(stateKey);
      const c = document.createElement("div");
      c.textContent = T("scanned") + " " + seen.size + "/" + r.stops.length;
      a.append(b, d, c);
      a.addEventListener("click", () => openRound(r.task.id));
      box.appendChild(a);
    }
    if (current) await openRound(current.task.id);
  }

  async function openRound(id) {
    current = bundle.rounds.find((r) => r.task.id === id);
    if (!current) return;
    $("rounds").hidden = true;
    $("round").hidden = false;
    $("round-title").textContent = current.task.plan_name + " · " + current.task.route_name;
    const seen = await scannedOf(current);
    const ol = $("stops");
    ol.textContent = "";
    for (const s of current.stops) {
      const li = document.createElement("li");
      li.id = "stop-" + s.checkpoint.id;
      li.textContent = s.checkpoint.name + (s.checkpoint.location ? "（" + s.checkpoint.location + "）" : "");
      if (seen.has(s.checkpoint.id)) {
        li.className = "done";
        li.textContent += " ✓";
      }
      ol.appendChild(li);
    }
  }

  function closeRound() {
    current = null;
    checkpoint = null;
    $("round").hidden = true;
    $("items").hidden = true;
    $("rounds").hidden = false;
    render();
  }

  // --- Scanning --------------------------------------------------------------------------
  function scanError(msg) {
    const e = $("scan-error");
    e.textContent = msg;
    e.hidden = !msg;
  }

  function takeCode(code, method) {
    scanError("");
    const m = /^\s*WYP:(\d+):([A-Za-z0-9]+)\s*$/i.exec(code || "");
    if (!m) return scanError(T("unreadable"));
    const id = Number(m[1]);
    const stop = current.stops.find((s) => s.checkpoint.id === id);
    if (!stop) return scanError(T("notOnRoute"));
    checkpoint = { stop, code: code.trim(), method, nfc: null };
    showItems();
  }

  function takeNfc(serial) {
    scanError("");
    const stop = current.stops.find((s) => s.checkpoint.nfc_tag && s.checkpoint.nfc_tag === serial);
    if (!stop) return scanError(T("notOnRoute"));
    checkpoint = { stop, code: null, method: "nfc", nfc: serial };
    showItems();
  }

  async function scanCamera() {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return scanError(T("noCamera"));
    const video = $("camera");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (_) {
      return scanError(T("noCamera"));
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    const stop = () => {
      stream.getTracks().forEach((t) => t.stop());
      video.hidden = true;
    };
    const started = Date.now();
    const tick = async () => {
      try {
        const found = await detector.detect(video);
        if (found.length) {
          stop();
          return takeCode(found[0].rawValue, "qr");
        }
      } catch (_) {
        /* a frame not ready */
      }
      if (Date.now() - started > 30000) return stop();
      requestAnimationFrame(tick);
    };
    tick();
  }

  async function scanNfc() {
    try {
      const reader = new NDEFReader();
      await reader.scan();
      reader.onreading = (e) => takeNfc(e.serialNumber);
    } catch (_) {
      scanError(T("noCamera"));
    }
  }

  function field(item) {
    const p = document.createElement("p");
    p.className = "patrol-item";
    const label = document.createElement("label");
    label.textContent = item.label + (item.required ? " *" : "");
    p.appendChild(label);
    const name = "item-" + item.id;
    if (item.kind === "ok") {
      for (const [v, text] of [["1", T("normal")], ["0", T("abnormal")]]) {
        const l = document.createElement("label");
        const r = document.createElement("input");
        r.type = "radio";
        r.name = name;
        r.value = v;
        r.id = name + "-" + v;
        l.append(r, " " + text);
        p.appendChild(l);
      }
    } else if (item.kind === "number") {
      const i = document.createElement("input");
      i.id = name;
      i.inputMode = "decimal";
      p.appendChild(i);
      const hint = document.createElement("span");
      hint.className = "muted";
      hint.textContent = " " + (item.unit || "") + (item.min || item.max ? " " + T("limits") + " " + (item.min || "") + "–" + (item.max || "") : "");
      p.appendChild(hint);
    } else if (item.kind === "choice") {
      const s = document.createElement("select");
      s.id = name;
      s.appendChild(new Option("—", ""));
      for (const o of item.options) s.appendChild(new Option(o, o));
      p.appendChild(s);
    } else if (item.kind === "text") {
      const t = document.createElement("input");
      t.id = name;
      p.appendChild(t);
    }
    const photo = document.createElement("input");
    photo.type = "file";
    photo.accept = "image/*";
    photo.capture = "environment";
    photo.id = name + "-photo";
    p.appendChild(photo);
    return p;
  }

  function showItems() {
    const cp = checkpoint.stop.checkpoint;
    $("items-title").textContent = cp.name;
    const box = $("item-fields");
    box.textContent = "";
    for (const it of cp.items) box.appendChild(field(it));
    $("note").value = "";
    $("items").hidden = false;
    $("items").scrollIntoView();
  }

  function position() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        (p) => resolve(p.coords),
        () => resolve(null),
        { timeout: 3000, maximumAge: 60000 }
      );
    });
  }

  async function saveScan(ev) {
    ev.preventDefault();
    const cp = checkpoint.stop.checkpoint;
    const results = [];
    const photos = [];
    for (const it of cp.items) {
      const name = "item-" + it.id;
      const r = { item_id: it.id };
      if (it.kind === "ok") {
        const chosen = document.querySelector('input[name="' + name + '"]:checked');
        if (chosen) r.ok = chosen.value === "1";
      } else if (it.kind === "number") {
        const v = $(name).value.trim();
        if (v) r.value = v;
      } else if (it.kind === "choice") {
        if ($(name).value) r.choice = $(name).value;
      } else if (it.kind === "text") {
        if ($(name).value.trim()) r.text = $(name).value.trim();
      }
      const file = $(name + "-photo").files[0];
      if (file) {
        const id = newId();
        photos.push({ client_id: id, task_id: current.task.id, blob: file });
        r.photo_client_id = id;
      }
      results.push(r);
    }
    const coords = await position();
    const scan = {
      client_id: newId(),
      task_id: current.task.id,
      checkpoint_id: cp.id,
      method: checkpoint.method,
      code: checkpoint.code,
      nfc_tag: checkpoint.nfc,
      device_at: new Date().toISOString(),
      lat: coords ? coords.latitude : null,
      lng: coords ? coords.longitude : null,
      accuracy_m: coords ? coords.accuracy : null,
      note: $("note").value.trim() || null,
      results,
    };
    for (const p of photos) await put("photos", p);
    await put("scans", scan);
    $("items").hidden = true;
    $("code").value = "";
    checkpoint = null;
    $("status").textContent = T("saved");
    await openRound(current.task.id);
    await showNet();
    sync();
  }

  // --- Sync ------------------------------------------------------------------------------
  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      for (const p of (await all("photos")) || []) {
        const r = await fetch("/patrol/photo?task_id=" + p.task_id + "&client_id=" + encodeURIComponent(p.client_id), {
          method: "POST",
          credentials: "same-origin",
          headers: { "x-csrf-token": csrf(), "content-type": p.blob.type || "image/jpeg" },
          body: p.blob,
        });
        // Stored, known already, or refused for good (not an image): it leaves the queue.
        if (r.ok || r.status === 422 || r.status === 413) await del("photos", p.client_id);
        else throw new Error("photo " + r.status);
      }
      const scans = await pendingScans();
      if (scans.length) {
        const body = scans.map((s) => {
          const c = Object.assign({}, s);
          delete c.checkpoint_id;
          return c;
        });
        const r = await fetch("/patrol/sync.json", {
          method: "POST",
          credentials: "same-origin",
          headers: { "x-csrf-token": csrf(), "content-type": "application/json" },
          body: JSON.stringify({ sent_at: new Date().toISOString(), scans: body }),
        });
        if (!r.ok) throw new Error("sync " + r.status);
        const report = await r.json();
        const rejected = [];
        for (const o of report.outcomes) {
          await del("scans", o.client_id);
          if (o.status === "rejected") rejected.push(o);
        }
        if (rejected.length) {
          $("rejected").hidden = false;
          for (const o of rejected) {
            const li = document.createElement("li");
            li.textContent = o.client_id.slice(0, 8) + " " + (o.error ? o.error.code : "");
            $("rejected-list").appendChild(li);
          }
        }
        $("status").textContent = T("synced");
      }
      await load();
    } catch (_) {
      /* still no way through: the queue waits for the next try */
    } finally {
      syncing = false;
      await showNet();
    }
  }

  // --- Start -----------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/patrol-sw.js", { scope: "/patrol" }).catch(() => {});
    }
    if ("NDEFReader" in window) $("scan-nfc").hidden = false;
    $("back").addEventListener("click", closeRound);
    $("code-ok").addEventListener("click", () => takeCode($("code").value, "code"));
    $("scan-camera").addEventListener("click", scanCamera);
    $("scan-nfc").addEventListener("click", scanNfc);
    $("items").addEventListener("submit", saveScan);
    $("sync-now").addEventListener("click", sync);
    window.addEventListener("online", () => {
      showNet();
      sync();
    });
    window.addEventListener("offline", showNet);
    setInterval(sync, 30000);
    load().then(sync);
  });
})();
